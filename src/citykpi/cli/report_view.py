"""A validation report in the terminal (rich tables, errors then warnings) and as JSON for scripts."""

from __future__ import annotations

import json

from rich.console import Console
from rich.table import Table
from rich.text import Text

from citykpi.collect.cells import CONTROL
from citykpi.model.diagnostics import Severity, ValidationReport, by_type

STYLE = {Severity.ERROR: "bold red", Severity.WARNING: "yellow"}
SHOWN_PER_TYPE = 20  # problems of one type printed in the terminal; the rest are counted


def as_json(report: ValidationReport) -> str:
    return json.dumps(report.model_dump(mode="json"), indent=2, ensure_ascii=False)


def print_report(report: ValidationReport, console: Console, title: str = "", shown: int = SHOWN_PER_TYPE) -> None:
    """Errors then warnings, grouped by type, each group a table of location and message.

    A group shows its first `shown` problems and counts the rest: a 100,000-row file with an error
    a row took a minute to print, which no one reads (`--format json` keeps every problem). Every
    text is printed as it is, never as rich markup or terminal control codes: it quotes what was typed.
    """
    heading = f"{title}: " if title else ""
    if report.valid and not report.warnings:
        console.print(Text(f"✔ {heading}valid, no problems found", style="bold green"))
        return
    verdict = Text("✔ valid", style="bold green") if report.valid else Text("✘ not valid", style="bold red")
    counts = f" — {len(report.errors)} error(s), {len(report.warnings)} warning(s)"
    console.print(Text.assemble(terminal_safe(heading), verdict, counts))
    for diagnostics in (report.errors, report.warnings):
        for type, items in by_type(diagnostics).items():
            style = STYLE[items[0].severity]
            heading_text = Text.assemble((f"{items[0].severity.value}: {type}", style), f" ({len(items)})")
            table = Table(title=heading_text, title_justify="left")
            table.add_column("where", overflow="fold", max_width=60)
            table.add_column("problem", overflow="fold")
            for d in items[:shown]:
                table.add_row(terminal_safe(str(d.location)), terminal_safe(d.message))
            console.print(table)
            if len(items) > shown:
                console.print(f"… and {len(items) - shown} more of the same kind (--format json lists them all)")


def terminal_safe(text: str) -> Text:
    """`text` for a terminal: control characters shown as escapes (ESC would steer the terminal), no markup."""
    return Text(CONTROL.sub(lambda m: m.group().encode("unicode_escape").decode(), text))
