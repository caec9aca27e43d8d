"""Reading an uploaded file in a process of its own, within a time budget.

A hostile or merely huge file (a data package of thousands of resources) once held a server thread
for minutes and, holding the interpreter lock, slowed every other request with it. In its own
process the parse cannot slow the server's threads, and when the budget is spent the process is
killed: the upload is refused with a message, and nothing of it was written (the write transaction
opens only after the read). Processes come from a fork server that has imported the readers once,
so an upload costs a fork, not an interpreter start (the first upload after start pays that once).
"""

from __future__ import annotations

import multiprocessing
import pickle
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any, TypeVar

T = TypeVar("T")
_CONTEXT = multiprocessing.get_context("forkserver")
_CONTEXT.set_forkserver_preload(["citykpi.validate.files"])


class OutOfTime(Exception):
    """The work did not finish within its budget; its process was killed."""


class WorkerDied(Exception):
    """The process stopped without an answer (killed, out of memory, a crash in a C library)."""


def run(work: Callable[..., T], *args: Any, seconds: float) -> T:
    """`work(*args)` in a new process; its result or its exception, `OutOfTime` after `seconds`."""
    receiver, sender = _CONTEXT.Pipe(duplex=False)
    process = _CONTEXT.Process(target=_answer, args=(sender, work, args), daemon=True)
    process.start()
    sender.close()
    try:
        if not receiver.poll(seconds):
            raise OutOfTime(f"not done in {seconds:g} s")
        ok, value = receiver.recv()
    except EOFError as exc:
        raise WorkerDied(f"the reading process stopped (exit code {process.exitcode})") from exc
    finally:
        if process.is_alive():
            process.kill()
        process.join()
        receiver.close()
    if not ok:
        raise value
    result: T = value
    return result


def _answer(sender: Connection, work: Callable[..., Any], args: tuple[Any, ...]) -> None:
    try:
        answer: tuple[bool, Any] = (True, work(*args))
    except Exception as exc:  # sent back to be raised in the server, as if the work had run there
        answer = (False, exc)
    try:
        sender.send(answer)
    except (pickle.PicklingError, TypeError, AttributeError):
        sender.send((False, RuntimeError(repr(answer[1]))))
