"""Rich renderings of the catalogue for people: a KPI table and a KPI sheet (`citykpi kpis`).

A module of its own, imported by the commands when they print, so that `citykpi --help` does not
import rich and the catalogue.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import RenderableType
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from citykpi.framework.catalogue import Catalogue
from citykpi.framework.formula import parse
from citykpi.framework.model import PROFILE_FIELDS, Confidence, Kpi

CONFIDENCE_STYLE = {
    Confidence.HIGH: "green",
    Confidence.MEDIUM_CODE: "yellow",
    Confidence.MEDIUM: "yellow",
    Confidence.LOW: "red",
    Confidence.LOCAL: "cyan",
}


def kpi_table(kpis: Sequence[Kpi], catalogue: Catalogue) -> Table:
    table = Table(title=f"{len(kpis)} KPIs", show_lines=False)
    table.add_column("Code", no_wrap=True)
    for column in ("Name", "Level", "Unit", "Data points", "Confidence"):
        table.add_column(column)
    several = len(catalogue.frameworks) > 1
    if several:
        table.add_column("Framework")
    for kpi in kpis:
        row = [
            kpi.code,
            kpi.name,
            kpi.level.value,
            kpi.unit,
            str(len(kpi.data_points)),
            Text(kpi.provenance.confidence.value, style=CONFIDENCE_STYLE[kpi.provenance.confidence]),
        ]
        table.add_row(*row, *([catalogue.framework_of(kpi.code)] if several else []))
    return table


def kpi_details(kpi: Kpi, catalogue: Catalogue) -> list[RenderableType]:
    head = Table.grid(padding=(0, 2))
    head.add_column(style="bold")
    head.add_column()
    fields = [
        ("Framework", catalogue.framework_of(kpi.code)),
        ("Place", f"{kpi.dimension} > {kpi.subdimension} > {kpi.category}"),
        ("Level", kpi.level.value + (f", {kpi.type.value}" if kpi.type else "")),
        ("Unit", kpi.unit),
        ("Definition", kpi.definition or "(not recorded)"),
        ("Methodology", kpi.formula_text or "(not recorded)"),
        ("SDG targets", ", ".join(kpi.sdg_targets) or "(not recorded)"),
        ("SDG goals", ", ".join(str(g) for g in kpi.sdg_goals) or "(not recorded)"),
        ("Other codes", ", ".join(kpi.aliases)),
        ("Guidance", kpi.guidance),
        ("Also uses", _borrowed(kpi, catalogue)),
    ]
    for label, value in fields:
        if value:
            head.add_row(label, escape(value))
    parts: list[RenderableType] = [Panel(head, title=f"{escape(kpi.code)}  {escape(kpi.name)}", expand=False)]
    if kpi.inputs:
        inputs = Table(title="Inputs", title_justify="left")
        for column in ("Name", "Label", "Unit", "Kind", "Range"):
            inputs.add_column(column)
        for item in kpi.inputs:
            inputs.add_row(
                item.name, escape(item.label), item.unit, item.kind.value, _range(item.minimum, item.maximum)
            )
        parts.append(inputs)
    points = Table(title="Data points", title_justify="left")
    for column in ("Key", "Label", "Unit", "Kind", "Formula", "Direction", "Range"):
        points.add_column(column)
    for dp in kpi.data_points:
        kind = dp.kind.value + (f" ({' / '.join(dp.levels)})" if dp.levels else "")
        formula = escape(dp.formula) if dp.formula else "reported directly"
        row = [dp.key, escape(dp.label), escape(dp.unit), kind, formula, dp.direction.value]
        points.add_row(*row, _range(dp.minimum, dp.maximum))
    parts.append(points)
    if kpi.checks:
        checks = Table(title="Plausibility checks (must hold)", title_justify="left")
        for column in ("Id", "Expression", "Severity", "Message"):
            checks.add_column(column)
        for check in kpi.checks:
            checks.add_row(check.id, escape(check.expression), check.severity, escape(check.message))
        parts.append(checks)
    parts.append(_provenance(kpi))
    return parts


def _borrowed(kpi: Kpi, catalogue: Catalogue) -> str:
    """Names the formulas use that this KPI does not declare: profile fields and other KPIs' inputs."""
    own = {i.name for i in kpi.inputs}
    names = sorted({n for d in kpi.data_points if d.formula for n in parse(d.formula).names} - own)
    return ", ".join(f"{n} ({_owner(n, catalogue)})" for n in names)


def _owner(name: str, catalogue: Catalogue) -> str:
    if name in PROFILE_FIELDS:
        return "city profile"
    try:
        return f"input of {catalogue.input(name)[0].code}"
    except KeyError:
        return "not declared"


def _provenance(kpi: Kpi) -> Panel:
    p = kpi.provenance
    lines = Text()
    lines.append("Confidence: ", style="bold")
    lines.append(p.confidence.value + "\n", style=CONFIDENCE_STYLE[p.confidence])
    lines.append(p.basis + "\n")
    if p.sources:
        lines.append("Sources:\n", style="bold")
        for source in p.sources:
            lines.append(f"  - {source}\n")
    lines.append("Open questions:\n", style="bold")
    for question in p.open_questions or ["none recorded"]:
        lines.append(f"  - {question}\n")
    return Panel(lines, title="Provenance", expand=False)


def _range(low: float | None, high: float | None) -> str:
    if low is None and high is None:
        return ""
    return f"{'' if low is None else f'{low:g}'} .. {'' if high is None else f'{high:g}'}"
