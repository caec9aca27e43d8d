"""Why a workbook's bytes cannot be read, said in words a city team can act on.

Python's zipfile and zlib report damage with whatever exception their code meets: `zlib.error`
for a flipped bit in compressed data, `BadZipFile` for a wrong checksum, `NotImplementedError`
for a zip version or compression method it does not know, `RuntimeError` for an encrypted part.
At the readers' edge they all mean one thing to the user, a `damaged-file`: this module names
the failures (`ZIP_FAILURES`) and words each one.
"""

from __future__ import annotations

import zipfile
import zlib

from citykpi.model.diagnostics import Diagnostic, Location, Param, said

ZIP_FAILURES: tuple[type[BaseException], ...] = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    zlib.error,
    NotImplementedError,
    RuntimeError,
    OSError,
    EOFError,
    ValueError,
    KeyError,  # a part the directory names but the archive lacks
)
ADVICE = "open it in Excel and save it again, or send the original file"


def damaged(exc: BaseException, where: Location) -> Diagnostic:
    """The diagnostic for a failure of `ZIP_FAILURES` met while opening or inflating an archive."""
    detail = (str(exc) or type(exc).__name__)[:200]
    if isinstance(exc, RuntimeError) and "encrypted" in detail:
        return encrypted(where)
    if isinstance(exc, NotImplementedError):
        template = "the workbook's zip archive uses a feature Excel does not write ({detail}); " + ADVICE
        return said("damaged-file", template, {"detail": detail}, variant="unsupported", location=where)
    template = "the workbook is damaged and cannot be read ({detail}); " + ADVICE
    return said("damaged-file", template, {"detail": detail}, variant="data", location=where)


def encrypted(where: Location) -> Diagnostic:
    template = "the workbook is protected with a password; remove the password in Excel (File > Info) and save it again"
    return said("damaged-file", template, {}, variant="encrypted", location=where)


def missing_part(part: str, where: Location) -> Diagnostic:
    template = "the workbook lacks the part {part}, which every .xlsx file has; " + ADVICE
    return said("damaged-file", template, {"part": part}, variant="missing-part", location=where)


def member_problem(member: zipfile.ZipInfo, size: int, where: Location) -> Diagnostic | None:
    """What the zip directory already shows to be unreadable in one part of a file of `size` bytes.

    A part said to end past the end of the file may still inflate when read whole (the compressed
    stream ends first) and fail when streamed, so the two readers would disagree on it.
    """
    if member.flag_bits & 0x1:
        return encrypted(where)
    if member.header_offset + member.compress_size > size:
        template = "part {part} is said to hold more bytes than the file has (a cut or damaged file); " + ADVICE
        return said("damaged-file", template, {"part": member.filename[:80]}, variant="sizes", location=where)
    if member.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        template = "part {part} is compressed with method {method}, which Excel does not write; " + ADVICE
        params: dict[str, Param] = {"part": member.filename[:80], "method": member.compress_type}
        return said("damaged-file", template, params, variant="method", location=where)
    return None
