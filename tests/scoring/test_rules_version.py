"""`RULES_VERSION` is raised with every change of the scores: stored scores are recomputed only
when it is (citykpi.platform.scores.fingerprint). Three demo cities over two years are scored with
the shipped targets; a digest of every item's and group's figures is recorded per version. A change
of the rules that alters any figure fails here until the version is raised and its digest added."""

from __future__ import annotations

import hashlib
import json

from citykpi.assess.engine import assess
from citykpi.demo.cities import CITIES
from citykpi.demo.generate import generate
from citykpi.framework.catalogue import Catalogue
from citykpi.scoring.rules import RULES_VERSION
from citykpi.scoring.scorecard import score
from citykpi.scoring.targetfiles import default_book

DIGESTS = {1: "033f2bf542679c83458e3b758c02269c5470ed8d70288e1b7754f7fda0571abb"}


def _digest() -> str:
    catalogue = Catalogue.load()
    kpis = list(catalogue.kpis.values())
    figures = []
    for spec in CITIES[:3]:
        for year in (2021, 2022):
            card = score(assess(generate(kpis, spec, year), catalogue), default_book())
            figures.append(card.model_dump(mode="json"))
    return hashlib.sha256(json.dumps(figures, sort_keys=True).encode()).hexdigest()


def test_scores_change_only_with_the_rules_version() -> None:
    digest = _digest()
    assert RULES_VERSION in DIGESTS, f"add the digest of version {RULES_VERSION}: {digest}"
    assert digest == DIGESTS[RULES_VERSION], (
        "the scores of the demo cities changed: raise scoring.rules.RULES_VERSION and record "
        f"DIGESTS[{RULES_VERSION + 1}] = {digest!r}"
    )
