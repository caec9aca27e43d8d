"""KPI names, data-point names and units in the reader's language: the one place pages and reports ask.

A framework file is written in English (the U4SSC names are copied from ITU publications). Another
language is a data file beside it, `<framework>.<lang>.yaml` (`u4ssc.fr.yaml`), keyed by KPI code
and data-point key, with each English unit the framework uses and its translation: one French form
per unit, so a unit reads the same in every table. Templates and charts get names through
`names(lang)`; a KPI without a translation (a city's local framework) keeps its own name, so a
page never shows a blank where a name belongs.
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources
from typing import Protocol

import yaml
from pydantic import BaseModel, ConfigDict, Field

from citykpi.framework.model import Framework

SHIPPED_LANGUAGES = ("fr",)
TRANSLATED_FRAMEWORKS = ("u4ssc",)
# What a unit's translation must keep as written: SI and chemical symbols, 3G/4G, the numbers.
SYMBOLS = re.compile(r"[μµ]g/m3|e-kWh|kWh|GJ|km|m2|m3|CO2e|\d+(?:[ ,.-]\d+)*")


class KpiWords(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1)
    data_points: dict[str, str] = Field(default_factory=dict, description="Data-point key -> its name")


class Translation(BaseModel):
    """One `<framework>.<lang>.yaml` file."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    framework: str = Field(min_length=1)
    language: str = Field(pattern=r"^[a-z]{2}$")
    provenance: str = Field(min_length=1, description="Who translated, and that it is not the publisher's text")
    units: dict[str, str] = Field(description="Each English unit of the framework -> its translation")
    kpis: dict[str, KpiWords]


class Named(Protocol):
    """A KPI as pages hold it: the catalogue's `Kpi`, a `KpiResult`, a stored value's row."""

    @property
    def code(self) -> str: ...

    @property
    def name(self) -> str: ...


class Names:
    """Names in one language; English (or any name not translated) is given back unchanged."""

    def __init__(self, translations: tuple[Translation, ...] = ()) -> None:
        self.kpis: dict[str, KpiWords] = {}
        self.units: dict[str, str] = {}
        for t in translations:
            self.kpis.update(t.kpis)
            self.units.update(t.units)

    def kpi(self, code: str, english: str) -> str:
        found = self.kpis.get(code)
        return found.name if found else english

    def of(self, kpi: Named) -> str:
        """The name of anything with a KPI code and an English name (the templates' `kpi_name`)."""
        return self.kpi(kpi.code, kpi.name)

    def data_point(self, code: str, key: str, english: str) -> str:
        found = self.kpis.get(code)
        return found.data_points.get(key, english) if found else english

    def unit(self, english: str) -> str:
        return self.units.get(english, english)


def translation_path(framework: str, lang: str) -> str:
    return str(resources.files("citykpi.framework") / "data" / f"{framework}.{lang}.yaml")


def read_translation(path: str) -> Translation:
    with open(path, encoding="utf-8") as fh:
        return Translation.model_validate(yaml.safe_load(fh))


@lru_cache(maxsize=len(SHIPPED_LANGUAGES) + 1)
def names(lang: str) -> Names:
    """The shipped translations of `lang`; English and unknown languages keep the frameworks' names."""
    if lang not in SHIPPED_LANGUAGES:
        return Names()
    return Names(tuple(read_translation(translation_path(f, lang)) for f in TRANSLATED_FRAMEWORKS))


def named_points(framework: Framework) -> dict[str, list[str]]:
    """The data points that carry a name of their own: those of KPIs with several; one alone is its KPI."""
    return {k.code: [d.key for d in k.data_points] for k in framework.kpis if k.is_multi}


def check_translation(translation: Translation, framework: Framework) -> list[str]:
    """What a translation lacks or has too much against its framework, and units whose symbols changed."""
    problems = []
    if translation.framework != framework.id:
        problems.append(f"the translation is of {translation.framework!r}, not of {framework.id!r}")
    codes = {k.code for k in framework.kpis}
    problems += [f"KPI {c}: no {translation.language} name" for c in sorted(codes - set(translation.kpis))]
    problems += [f"KPI {c}: not in {framework.id}" for c in sorted(set(translation.kpis) - codes)]
    for code, keys in named_points(framework).items():
        given = set(translation.kpis[code].data_points) if code in translation.kpis else set()
        problems += [f"KPI {code}, data point {k}: no name" for k in keys if k not in given]
    for code, words in translation.kpis.items():
        if code not in codes:
            continue
        known = named_points(framework).get(code, [])
        problems += [f"KPI {code}, data point {k}: not in {framework.id}" for k in words.data_points if k not in known]
    used = {k.unit for k in framework.kpis} | {d.unit for k in framework.kpis for d in k.data_points}
    problems += [f"unit {u!r}: no translation" for u in sorted(used - set(translation.units))]
    problems += [f"unit {u!r}: not used by {framework.id}" for u in sorted(set(translation.units) - used)]
    for english, local in translation.units.items():
        if SYMBOLS.findall(english) != SYMBOLS.findall(local):
            problems.append(f"unit {english!r}: {local!r} does not keep its symbols {SYMBOLS.findall(english)}")
    return problems
