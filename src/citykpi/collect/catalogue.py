"""What the collection package needs from a KPI catalogue.

Written as a protocol so that collection depends on the catalogue's behaviour, not its class:
tests and other tools can hand in any object with these members.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Protocol

from citykpi.framework.model import Framework, Kpi


class CatalogueLike(Protocol):
    @property
    def kpis(self) -> Mapping[str, Kpi]: ...

    @property
    def frameworks(self) -> Sequence[Framework]: ...

    def normalise_code(self, text: str) -> str | None: ...
