"""A validation report in the terminal (rich tables, errors then warnings) and as JSON for scripts."""

from __future__ import annotations

import json
from collections import defaultdict

from rich.console import Console
from rich.table import Table

from citykpi.model.diagnostics import Diagnostic, Severity, ValidationReport

STYLE = {Severity.ERROR: "bold red", Severity.WARNING: "yellow"}


def as_json(report: ValidationReport) -> str:
    return json.dumps(report.model_dump(mode="json"), indent=2, ensure_ascii=False)


def print_report(report: ValidationReport, console: Console, title: str = "") -> None:
    """Errors then warnings, grouped by type, each group a table of location and message."""
    heading = f"{title}: " if title else ""
    if report.valid and not report.warnings:
        console.print(f"[bold green]✔ {heading}valid, no problems found[/]")
        return
    verdict = "[bold green]✔ valid[/]" if report.valid else "[bold red]✘ not valid[/]"
    console.print(f"{heading}{verdict} — {len(report.errors)} error(s), {len(report.warnings)} warning(s)")
    for diagnostics in (report.errors, report.warnings):
        groups: dict[str, list[Diagnostic]] = defaultdict(list)
        for d in diagnostics:
            groups[d.type].append(d)
        for type, items in groups.items():
            style = STYLE[items[0].severity]
            table = Table(title=f"[{style}]{items[0].severity.value}: {type}[/] ({len(items)})", title_justify="left")
            table.add_column("where", overflow="fold", max_width=60)
            table.add_column("problem", overflow="fold")
            for d in items:
                table.add_row(str(d.location), d.message)
            console.print(table)
