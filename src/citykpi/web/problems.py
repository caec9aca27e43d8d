"""Importer diagnostics, service errors and their locations in the reader's language.

The core keeps English messages (the API's JSON and the CLI answer in English) and records the
values each message interpolates (`params`) and which message shape it used (`key`). The
`problems` gettext domain holds, per key (msgctxt), the English template (msgid) and its
translation: the page fills the translation with the same values. Anything that cannot be said
in the reader's language (no entry yet, a message that is not the entry's English with these
values, a placeholder the values lack) falls back to the English message, so a reader never sees
an empty, broken or wrong sentence.

A value recorded as `<name>_key` beside `<name>` marks a nested part, translated from the values
prefixed `<name>_`: a problem inside a computed KPI's message (its key), or a quoted location
(`location`, see diagnostics.location_params).
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from importlib import resources
from importlib.resources.abc import Traversable

from babel.messages.pofile import read_po

from citykpi.model.diagnostics import Diagnostic, Location, Param
from citykpi.platform.errors import PlatformError
from citykpi.web.i18n import translations

DOMAIN = "problems"
# Workflow codes inside a conflict ("draft", "query") are words the pages already translate.
WORKFLOW_WORDS = ("status", "state", "target", "action", "allowed")


@lru_cache(maxsize=4)
def templates(lang: str) -> dict[str, tuple[str, str]]:
    """key -> (English template, translated template).

    English has no translation, its text is the message; only a workflow conflict is said again
    from its template, so that the states it quotes read as words ("under verification").
    """
    locale = resources.files("citykpi.web") / "data" / "locale"
    po = locale / lang / "LC_MESSAGES" / f"{DOMAIN}.po"
    if not po.is_file():
        return _english_conflicts(locale / f"{DOMAIN}.pot") if lang == "en" else {}
    with po.open("rb") as fh:
        catalog = read_po(fh, locale=lang)
    found: dict[str, tuple[str, str]] = {}
    for message in catalog:
        translated = isinstance(message.string, str) and message.string and not message.fuzzy
        if message.context and isinstance(message.id, str) and translated:
            found[message.context] = (message.id, str(message.string))
    return found


def _english_conflicts(pot: Traversable) -> dict[str, tuple[str, str]]:
    with pot.open("rb") as fh:
        catalog = read_po(fh)
    return {
        m.context: (m.id, m.id)
        for m in catalog
        if m.context and m.context.startswith("conflict.") and isinstance(m.id, str)
    }


def say(key: str, params: Mapping[str, Param], english: str, lang: str) -> str:
    """The translation of `english`, if the catalogue's English template with `params` is that very text.

    Checking the English first means a sentence is never swapped for another one that happens to
    share its key (two call sites raising one type with different constant messages).
    """
    entry = templates(lang).get(key)
    if entry is None or not _says(entry[0], params, english):
        return english
    template = entry[1]
    values = _nested(params, lang)
    if key.startswith("conflict."):
        gettext = translations(lang).gettext
        for name in WORKFLOW_WORDS:
            if isinstance(words := values.get(name), str):
                values[name] = ", ".join(gettext(word) for word in words.split(", "))
    try:
        return template.format_map(values)
    except (KeyError, IndexError, ValueError, AttributeError):
        return english


def _says(template: str, params: Mapping[str, Param], english: str) -> bool:
    try:
        return template.format_map(params) == english
    except (KeyError, IndexError, ValueError, AttributeError):
        return False


def _nested(params: Mapping[str, Param], lang: str) -> dict[str, Param]:
    values = dict(params)
    for name, key in params.items():
        base = name.removesuffix("_key")
        if name.endswith("_key") and base in params and isinstance(key, str):
            inner = {k.removeprefix(f"{base}_"): v for k, v in params.items() if k.startswith(f"{base}_")}
            inner.pop("key")
            if key == "location":
                values[base] = _quoted_location(inner, str(params[base]), lang)
            else:
                values[base] = say(key.rstrip("."), inner, str(params[base]), lang)
    return values


def _quoted_location(parts: Mapping[str, Param], english: str, lang: str) -> str:
    try:
        return location_text(Location.model_validate(parts), lang)
    except ValueError:
        return english


def as_diagnostic(d: Diagnostic | Mapping[str, object]) -> Diagnostic:
    """Screening findings are stored as JSON; rows stored before `params` existed show in English."""
    return d if isinstance(d, Diagnostic) else Diagnostic.model_validate(d)


def diagnostic_text(d: Diagnostic, lang: str) -> str:
    return say(d.key, d.params, d.message, lang)


def error_text(exc: PlatformError, lang: str) -> str:
    return say(exc.key, exc.params, exc.message, lang)


def location_text(where: Location, lang: str) -> str:
    """As `Location.__str__`, in the reader's language (the file name as it came)."""
    parts = [where.file] if where.file else []
    shown: list[tuple[str, str | int | None]] = [("sheet", where.sheet), ("cell", where.cell)]
    if not where.cell:
        shown += [("row", where.row), ("column", where.column)]
    shown += [("kpi", where.kpi), ("field", where.field)]
    for name, value in shown:
        if value is not None and value != "":
            parts.append(_part(name, value, lang))
    return ", ".join(parts) or say("location.whole", {}, "(whole input)", lang)


def cell_text(where: Location, lang: str) -> str:
    """The report table's cell column: the cell, else the row and column, else the form field."""
    if where.cell:
        return where.cell
    if where.row is not None:
        shown = [_part("row", where.row, lang)] + ([_part("column", where.column, lang)] if where.column else [])
        return ", ".join(shown)
    return _part("field", where.field, lang) if where.field else "–"


# The words of Location.__str__, as the catalogue's `location.*` entries hold them.
LOCATION_WORDS = {
    "sheet": "sheet '{sheet}'",
    "cell": "cell {cell}",
    "row": "row {row}",
    "column": "column '{column}'",
    "kpi": "KPI {kpi}",
    "field": "field '{field}'",
}


def _part(name: str, value: str | int, lang: str) -> str:
    params = {name: value}
    return say(f"location.{name}", params, LOCATION_WORDS[name].format_map(params), lang)
