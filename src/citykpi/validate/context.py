"""What a check sees: the submission, the catalogue, and where each value came from."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property

from citykpi.collect.catalogue import CatalogueLike
from citykpi.framework.formula import Value
from citykpi.framework.model import PROFILE_FIELDS, DataPoint, Kpi
from citykpi.model.diagnostics import Location
from citykpi.model.submission import Entry, EntryKind, Status, Submission


@dataclass(frozen=True)
class Context:
    submission: Submission
    catalogue: CatalogueLike
    profile_locations: Mapping[str, Location] = field(default_factory=dict)
    file: Location = field(default_factory=Location)

    @cached_property
    def inputs(self) -> dict[str, Entry]:
        """Reported inputs by name (input names are unique across the loaded frameworks)."""
        return {
            e.name: e
            for e in self.submission.entries
            if e.kind is EntryKind.INPUT and e.status is Status.REPORTED and e.value is not None
        }

    @cached_property
    def overrides(self) -> dict[tuple[str, str], Entry]:
        return {
            (e.kpi, e.name): e
            for e in self.submission.entries
            if e.kind is EntryKind.VALUE and e.status is Status.REPORTED and e.value is not None
        }

    @cached_property
    def values(self) -> dict[str, Value]:
        """What a formula may name: reported numeric or yes/no inputs and the profile's numbers."""
        found: dict[str, Value] = {}
        for name, entry in self.inputs.items():
            if isinstance(entry.value, bool | float | int):
                found[name] = entry.value
        profile = self.submission.profile
        for name in PROFILE_FIELDS:
            number = getattr(profile, name, None)
            if isinstance(number, int | float):
                found[name] = number
        return found

    def where(self, name: str, kpi: str | None = None) -> Location:
        """The cell of an input or profile field, for pointing at the cause of a formula problem."""
        if name in self.inputs:
            found = self.inputs[name].location
            # Entries read back from the store carry no cell; the KPI is then all that says where.
            return found if found.kpi else found.model_copy(update={"kpi": kpi})
        if name in self.profile_locations:
            return self.profile_locations[name].model_copy(update={"kpi": kpi})
        return self.file.model_copy(update={"field": name, "kpi": kpi})

    def formula_points(self) -> Iterator[tuple[Kpi, DataPoint]]:
        """Data points computed from inputs (not overridden by a directly reported value)."""
        for kpi in self.catalogue.kpis.values():
            for point in kpi.data_points:
                if point.formula and (kpi.code, point.key) not in self.overrides:
                    yield kpi, point
