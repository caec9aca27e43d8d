"""Large answers (the query API's every value, the bulk files: 30-50 MB) sent a slice at a time.

An answer handed to the server whole is copied whole again by asyncio's socket transport (the part
the socket does not take at once is sliced off and added to its buffer), so a 52 MB JSON answer
touched some 100 MB of fresh memory more than it was made of. On this 2-core machine a first
answer's page faults cost the server 0.5-1.1 s of system time beside 0.5 s of Python
(bench/open_data_bench.py). Slices of `SLICE` bytes wait for the socket to take each before the
next is written (uvicorn's flow control), so the transport never holds more than about one; the
parts are sent as they were made (the JSON answer's chunks are never joined into one body) and the
length is known in advance, so the client still reads a Content-Length answer.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence

from fastapi.responses import StreamingResponse

SLICE = 1 << 20


def sliced(parts: Sequence[bytes], media_type: str, headers: Mapping[str, str] | None = None) -> StreamingResponse:
    async def slices() -> AsyncIterator[bytes]:
        for part in parts:
            for start in range(0, len(part), SLICE):
                yield part[start : start + SLICE]

    length = {"Content-Length": str(sum(len(p) for p in parts))}
    return StreamingResponse(slices(), media_type=media_type, headers={**(headers or {}), **length})
