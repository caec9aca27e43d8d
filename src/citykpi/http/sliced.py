"""Large answers (the query API's every value, the bulk files: 30-50 MB) sent a slice at a time.

An answer handed to uvicorn whole is copied whole again by asyncio's socket transport (the part the
socket does not take at once is sliced off and added to its buffer), and the JSON answer was joined
from its chunks into one more copy: a first 52 MB answer cost the server some 92,000 page faults of
fresh memory, 35,000 sent this way (measured on the 150 x 5 data set; docs/platform.md). Slices of
`SLICE` bytes wait for the socket to take each before the next is written (uvicorn's flow control),
so the transport holds about one at a time; the parts are sent as they were made, and the length is
known in advance, so the client still reads a Content-Length answer, not a chunked one.
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
