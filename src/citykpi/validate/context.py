"""What a check sees: the submission, its assessment, the catalogue, and where each value came from."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from citykpi.collect.catalogue import CatalogueLike
from citykpi.model.assessment import Assessment, InputUse, KpiResult
from citykpi.model.diagnostics import Location
from citykpi.model.submission import Entry, EntryKind, Status, Submission


@dataclass(frozen=True)
class Context:
    submission: Submission
    catalogue: CatalogueLike
    assessment: Assessment

    @cached_property
    def inputs(self) -> dict[str, Entry]:
        """Reported inputs by name (input names are unique across the loaded frameworks)."""
        return {
            e.name: e
            for e in self.submission.entries
            if e.kind is EntryKind.INPUT and e.status is Status.REPORTED and e.value is not None
        }

    @property
    def file(self) -> Location:
        return Location(file=self.submission.source_file or None)

    def where(self, name: str, kpi: str | None = None) -> Location:
        """The cell of an input or profile field, filled or empty, for pointing at the cause of a formula problem."""
        if name in self.inputs:
            found = self.inputs[name].location
            # Entries read back from the store carry no cell; the KPI is then all that says where.
            return found if found.kpi else found.model_copy(update={"kpi": kpi})
        if name in self.submission.places:
            return self.submission.places[name].model_copy(update={"kpi": kpi})
        return self.file.model_copy(update={"field": name, "kpi": kpi})

    def used(self, use: InputUse, kpi: str) -> Location:
        """Where a value a formula read came from, as the assessment recorded it."""
        return use.location if use.location.kpi else self.where(use.name, kpi)

    def what(self, result: KpiResult) -> str:
        """The KPI as a message names it: its code, and the data point when it has several."""
        kpi = self.catalogue.kpis.get(result.code)
        return f"{result.code} ({result.data_point})" if kpi is not None and kpi.is_multi else result.code
