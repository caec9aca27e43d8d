"""Validating a large JSON array a slice of lines at a time, when it is written one element a line.

pydantic-core parses a whole document into its own tree before validating it: for the 156 MB NGSI-LD
export of 150 cities x 5 years that tree peaks at ~630 MB, and the first import of a process spent
as much time in page faults as in validation. Slices of a few thousand lines keep the tree small
and in cache (measured: 1.0-1.4 s of CPU instead of 1.7-4.5 s for the same file).

The result is exactly that of validating the whole document, or None, so that the caller validates
it whole (for the diagnostics, or because another tool wrote it differently). Why exact: the
document must be `[` and `]` on lines of their own around the elements; each slice must hold at
least one element, end with a comma unless it is the last, and parse as an array once that comma
is removed. A cut inside an element leaves the slice holding its opening bracket without its
closing one (JSON strings cannot hold a raw line break), which no parser accepts; so when every
slice is valid, the cuts all fall between elements and the slices, joined by commas, are the
document.
"""

from __future__ import annotations

from typing import TypeVar

from pydantic import TypeAdapter, ValidationError

T = TypeVar("T")
LINES_PER_SLICE = 2000


def validate_by_lines(adapter: TypeAdapter[list[T]], raw: bytes, lines: int = LINES_PER_SLICE) -> list[T] | None:
    head = raw.find(b"\n")  # end of the opening line
    tail = raw.rstrip().rfind(b"\n")  # start of the closing line
    if head < 0 or tail <= head or raw[:head].strip() != b"[" or raw[tail:].strip() != b"]":
        return None
    found: list[T] = []
    begin = head + 1
    while begin < tail:
        stop = _after_lines(raw, begin, tail, lines)
        items = raw[begin:stop].rstrip()
        last = stop == tail
        if items.endswith(b",") == last:
            return None
        items = items if last else items[:-1]
        if not items.strip():
            return None
        try:
            found.extend(adapter.validate_json(b"[" + items + b"]"))
        except ValidationError:
            return None
        begin = stop
    return found


def _after_lines(raw: bytes, begin: int, end: int, lines: int) -> int:
    """Where the `lines`-th line from `begin` ends (after its line break), or `end` if sooner."""
    at = begin
    for _ in range(lines):
        newline = raw.find(b"\n", at, end)
        if newline < 0:
            return end
        at = newline + 1
    return at
