"""The set of KPI frameworks a run works with: the built-in U4SSC set plus a city's extra files.

Everything downstream (workbook, validation, assessment, reports) asks the catalogue rather than
a single framework, because a city like Pully reports U4SSC, national and local KPIs side by side.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from functools import lru_cache
from importlib import resources
from pathlib import Path

from citykpi.framework.codes import code_key
from citykpi.framework.loading import load_framework
from citykpi.framework.model import Framework, Input, Kpi
from citykpi.framework.validation import Source, validate_frameworks
from citykpi.model.diagnostics import Diagnostic, error
from citykpi.model.errors import DiagnosticError

__all__ = ["Catalogue", "builtin_framework_path", "load_framework"]

BUILTIN_IDS = ("u4ssc",)


def builtin_framework_path(id: str = "u4ssc") -> Path:
    if id not in BUILTIN_IDS:
        known = ", ".join(BUILTIN_IDS)
        raise DiagnosticError([error("unknown-framework", f"no built-in framework {id!r} (built in: {known})")])
    return Path(str(resources.files("citykpi.framework") / "data" / f"{id}.yaml"))


@lru_cache(maxsize=len(BUILTIN_IDS))
def _builtin(id: str) -> Framework:
    """Parsed once per process: the built-in file only changes with a new release."""
    return load_framework(builtin_framework_path(id))


class Catalogue:
    """Frameworks checked together. Build it with `Catalogue.load` or `Catalogue.of`."""

    def __init__(self, sources: Sequence[Source]) -> None:
        self.frameworks: list[Framework] = [s.framework for s in sources]
        self.files: dict[str, str] = {s.framework.id: s.file for s in sources}
        self.kpis: dict[str, Kpi] = {}
        self._framework_of: dict[str, str] = {}
        self._keys: dict[str, str] = {}
        self._inputs: dict[str, tuple[Kpi, Input]] = {}
        for framework in self.frameworks:
            for kpi in framework.kpis:
                self.kpis[kpi.code] = kpi
                self._framework_of[kpi.code] = framework.id
                for code in (kpi.code, *kpi.aliases):
                    self._keys.setdefault(code_key(code), kpi.code)
                for item in kpi.inputs:
                    self._inputs.setdefault(item.name, (kpi, item))

    @classmethod
    def load(cls, extra: Sequence[Path] = ()) -> Catalogue:
        """The built-in U4SSC framework plus `extra` files; all problems of all files in one DiagnosticError."""
        sources = [Source(_builtin("u4ssc"), builtin_framework_path("u4ssc").name)]
        problems: list[Diagnostic] = []
        for path in extra:
            try:
                sources.append(Source(load_framework(Path(path)), Path(path).name))
            except DiagnosticError as exc:
                problems += exc.diagnostics
        if problems:
            raise DiagnosticError(problems)
        return cls.of(sources)

    @classmethod
    def of(cls, sources: Sequence[Source]) -> Catalogue:
        problems = validate_frameworks(sources)
        if problems:
            raise DiagnosticError(problems)
        return cls(sources)

    def kpi(self, code: str) -> Kpi:
        canonical = self.normalise_code(code)
        if canonical is None:
            raise KeyError(self.unknown_code_message(code))
        return self.kpis[canonical]

    def unknown_code_message(self, code: str) -> str:
        close = self.suggest(code)
        hint = f"; did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
        return f"no KPI with code {code!r}{hint} (`citykpi kpis list` shows all codes)"

    def suggest(self, text: str, n: int = 3) -> list[str]:
        """Codes (or, failing that, names) close to what was typed."""
        by_code = difflib.get_close_matches(code_key(text), list(self._keys), n=n, cutoff=0.75)
        if by_code:
            return list(dict.fromkeys(self._keys[k] for k in by_code))
        names = {k.name.lower(): k.code for k in self.kpis.values()}
        return [names[m] for m in difflib.get_close_matches(text.lower(), list(names), n=n, cutoff=0.6)]

    def input(self, name: str) -> tuple[Kpi, Input]:
        try:
            return self._inputs[name]
        except KeyError:
            close = difflib.get_close_matches(name, list(self._inputs), n=3)
            hint = f"; did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
            raise KeyError(f"no KPI declares an input named {name!r}{hint}") from None

    def framework_of(self, code: str) -> str:
        return self._framework_of[self.kpi(code).code]

    def normalise_code(self, text: str) -> str | None:
        """The catalogue's spelling of a code typed with any spacing or case (or an alias), else None."""
        return self._keys.get(code_key(text))
