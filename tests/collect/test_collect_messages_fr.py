"""The French catalogue of problems against the diagnostics the real importer raises on the corpus of bad files."""

from __future__ import annotations

import re
import string
from importlib import resources
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from test_collect_bad_files import CASES

from citykpi.framework.catalogue import Catalogue
from citykpi.model.diagnostics import Diagnostic, Location
from citykpi.validate.files import check_file
from citykpi.web.problems import diagnostic_text, location_text, say, templates

SOURCES = Path(str(resources.files("citykpi")))
# Types raised in collect/framework/assess/platform that still show English on French pages:
# framework-file problems (met by the catalogue's maintainers, not city teams) and the CLI's fill and
# annotate outputs. Not found by this scan
# and also English: plausibility rules (their text comes from the catalogue) and frictionless
# errors of types without a '<type>.package' entry.
ENGLISH_ONLY = {
    "duplicate-code", "duplicate-framework", "duplicate-input", "file-error", "formula-type", "illegal-character",
    "output-error", "text-length", "unknown-name",
    # the notification and problem-report services' refusals (issue 13 §5, 14 §7): English for now
    "invalid-address", "invalid-report", "invalid-webhook", "request-error", "unknown-kind",
}  # fmt: skip
# A problem type raised in the source: the first argument of a constructor, or a type= keyword.
RAISED = re.compile(
    r"(?:(?<![.\w])(?:error|warning|said|_error|_found|Problem|_problem)\(\s*|type=)\"([a-z]+(?:-[a-z]+)+)\""
)


def english_templates() -> dict[str, str]:
    pot = resources.files("citykpi.web") / "data" / "locale" / "problems.pot"
    with pot.open("rb") as fh:
        return {m.context: m.id for m in read_po(fh) if m.context and isinstance(m.id, str)}


def placeholders(template: str) -> set[str]:
    return {name.split("!")[0] for _, name, _, _ in string.Formatter().parse(template) if name}


def raised(catalogue: Catalogue, template_path: Path, tmp: Path) -> list[Diagnostic]:
    found: list[Diagnostic] = []
    for index, (build, _) in enumerate(CASES.values()):
        folder = tmp / str(index)
        folder.mkdir()
        path, _ = build(template_path, folder)
        report = check_file(path, catalogue).report
        found += [*report.errors, *report.warnings]
    return found


@pytest.fixture(scope="module")
def corpus(catalogue: Catalogue, template_path: Path, tmp_path_factory: pytest.TempPathFactory) -> list[Diagnostic]:
    return raised(catalogue, template_path, tmp_path_factory.mktemp("corpus"))


def test_every_translated_diagnostic_of_the_corpus_says_the_same_in_both_languages(corpus: list[Diagnostic]) -> None:
    english = english_templates()
    french = {key: translated for key, (_, translated) in templates("fr").items()}
    translated = [d for d in corpus if d.key in french]
    assert len({d.key for d in translated}) >= 12, sorted({d.key for d in corpus})
    for d in translated:
        # The English template filled with the recorded values is the message: the values are complete.
        assert english[d.key].format_map(d.params) == d.message, d.key
        assert placeholders(french[d.key]) <= d.params.keys(), d.key
        shown = diagnostic_text(d, "fr")
        assert shown != d.message and "{" not in shown, d.key
        if not any(name.endswith("_key") for name in d.params):  # nested parts are translated in turn
            assert shown == french[d.key].format_map(d.params), d.key


def test_the_french_catalogue_matches_the_english_templates() -> None:
    english = english_templates()
    assert templates("fr").keys() <= english.keys()
    for key, (source, translated) in templates("fr").items():
        assert source == english[key], key
        assert placeholders(translated) <= placeholders(english[key]), key


def test_the_corpus_meets_no_untranslated_problem(corpus: list[Diagnostic]) -> None:
    """Every problem the bad workbooks, CSV files and data packages raise has its French entry."""
    french = templates("fr")
    assert {d.key: d.message for d in corpus if d.key not in french} == {}


def test_types_without_french_are_listed() -> None:
    """Every problem type raised in the source, less those with a French entry: exactly ENGLISH_ONLY.

    By type: a type with some French keys counts as translated (the framework loader's own
    encoding-error has none, the CSV reader's has); the corpus test above checks keys.
    """
    raised_types: set[str] = set()
    for path in SOURCES.rglob("*.py"):
        if path.relative_to(SOURCES).parts[0] in ("collect", "framework", "assess", "platform"):
            raised_types |= set(RAISED.findall(path.read_text(encoding="utf-8")))
    translated_types = {key.split(".")[0] for key in templates("fr")}
    assert raised_types - translated_types == ENGLISH_ONLY


def test_fallback_is_the_english_message_never_a_broken_text() -> None:
    assert say("no-such-type", {}, "the English text", "fr") == "the English text"
    # Another sentence raised under a translated key (fill.py's duplicate rows) stays itself.
    assert say("extra-sheet", {}, "another sentence", "fr") == "another sentence"
    assert say("extra-sheet", {}, "a sheet without a 'KPI code' column is not a data sheet; it was ignored", "fr") == (
        "une feuille sans colonne 'KPI code' n'est pas une feuille de données ; elle a été ignorée"
    )
    assert say("type-error.text", {}, "expected a number, found the text 'x'", "fr") == (
        "expected a number, found the text 'x'"  # a placeholder without its value: English, not '{found}'
    )
    assert say("type-error.text", {"found": "x"}, "english", "en") == "english"


def test_locations_in_french() -> None:
    where = Location(file="pully.xlsx", sheet="Economy", cell="B7", kpi="EC: ICT: ICT: 1C")
    assert location_text(where, "fr") == "pully.xlsx, feuille 'Economy', cellule B7, ICP EC: ICT: ICT: 1C"
    assert location_text(where, "en") == str(where)
    rows = Location(file="pully.csv", row=5, column="value", field="value")
    assert location_text(rows, "fr") == "pully.csv, ligne 5, colonne 'value', champ 'value'"
    assert location_text(Location(), "fr") == "(tout le fichier)"
