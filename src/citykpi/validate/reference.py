"""The reference of diagnostic types (docs/errors.md and `citykpi errors`), written from the registry."""

from __future__ import annotations

from citykpi.model.errors import DiagnosticType, registry

HEADER = """# Diagnostic types

Every problem citykpi reports has a type (its code), a location and a message. This page lists every
type, generated from `src/citykpi/model/data/diagnostic-types.yaml` by `citykpi errors --markdown`; a
test keeps it in step. The template is the usual shape of the message: a type with several shapes
names the shape in the diagnostic's `variant`, and the values it interpolates travel in `params`,
which is what lets the web pages say it in French.
"""


def by_area() -> dict[str, list[DiagnosticType]]:
    grouped: dict[str, list[DiagnosticType]] = {key: [] for key in registry().areas}
    for item in registry().types:
        grouped[item.area].append(item)
    return grouped


def markdown() -> str:
    parts = [HEADER]
    for key, items in by_area().items():
        parts.append(f"\n## {registry().areas[key]}\n\n| Code | Title | Description | Message template |\n")
        parts.append("|---|---|---|---|\n")
        parts += [f"| `{t.code}` | {t.title} | {t.description} | {_code(t.template)} |\n" for t in items]
    return "".join(parts)


def text() -> str:
    lines: list[str] = []
    for key, items in by_area().items():
        lines.append(registry().areas[key])
        lines += [f"  {t.code:<24} {t.title}: {t.description}" for t in items]
    return "\n".join(lines)


def _code(template: str) -> str:
    """A template as a table cell: in backticks, its pipes escaped so they do not end the cell."""
    return "`" + template.replace("|", "\\|") + "`"
