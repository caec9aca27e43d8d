"""The statistical audit of a built index as a set of named tables (the CLI writes them out)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from citykpi.index.analysis.correlation import Method, correlate, group_flags, tidy
from citykpi.index.analysis.multivariate import cronbach_alpha, pca
from citykpi.index.analysis.profiles import unit_profile
from citykpi.index.analysis.stats import indicator_stats
from citykpi.index.model import AGGREGATED, Hierarchy, Index


def _relation(h: Hierarchy, a: str, b: str) -> str:
    """How b stands to a in the framework: same, sibling (same parent), ancestor, descendant or other."""
    if a == b:
        return "same"
    if h.parent(a) is not None and h.parent(a) == h.parent(b):
        return "sibling"
    for x, y, name in ((a, b, "ancestor"), (b, a, "descendant")):
        node = h.parent(x)
        while node is not None:
            if node == y:
                return name
            node = h.parent(node)
    return "other"


def correlations(index: Index, method: Method = "pearson", pval: float = 0.05) -> pd.DataFrame:
    """Every pair of columns of the Aggregated dataset (all levels), with p-values and framework relation."""
    codes = index.columns(AGGREGATED)
    h = index.hierarchy
    table = tidy(correlate(index.datasets[AGGREGATED], method=method), codes, codes, pval)
    table.insert(2, "level1", [h.node(c).level for c in table["var1"]])
    table.insert(3, "level2", [h.node(c).level for c in table["var2"]])
    table["relation"] = [_relation(h, a, b) for a, b in zip(table["var1"], table["var2"], strict=True)]
    return table


def flags(index: Index, method: Method = "pearson") -> pd.DataFrame:
    """Collinear or negative pairs of siblings, at every level below the top."""
    h = index.hierarchy
    codes = index.columns(AGGREGATED)
    parts = []
    for level in range(1, h.n_levels):
        level_codes = h.codes(level)
        cols = [codes.index(c) for c in level_codes]
        corr = correlate(index.datasets[AGGREGATED][:, cols], method=method)
        found = group_flags(corr, level_codes, {c: h.parent(c) for c in level_codes})
        found.insert(0, "level", level)
        parts.append(found)
    return pd.concat(parts, ignore_index=True)


def _children_values(index: Index, parent: str) -> tuple[list[str], np.ndarray]:
    codes = index.columns(AGGREGATED)
    kids = index.hierarchy.children(parent)
    return kids, index.datasets[AGGREGATED][:, [codes.index(k) for k in kids]]


def reliability(index: Index) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Per aggregate: Cronbach's alpha of its children, and a PCA of them (explained shares, loadings)."""
    h = index.hierarchy
    alpha_rows: list[dict[str, object]] = []
    explained: list[dict[str, object]] = []
    loading_rows: list[dict[str, object]] = []
    for level in range(2, h.n_levels + 1):
        for parent in h.codes(level):
            kids, x = _children_values(index, parent)
            alpha_rows.append({"code": parent, "level": level, "n_children": len(kids), "alpha": cronbach_alpha(x)})
            if len(kids) < 2:
                continue
            try:
                res = pca(x)
            except ValueError as exc:
                explained.append({"code": parent, "level": level, "component": None, "note": str(exc)})
                continue
            explained += [
                {"code": parent, "level": level, "component": k + 1, "explained": res.explained_ratio[k],
                 "n_used": res.n_used, "note": None}
                for k in range(len(kids))
            ]  # fmt: skip
            loading_rows += [
                {"parent": parent, "code": c, "component": k + 1, "loading": res.loadings[i, k]}
                for k in range(len(kids))
                for i, c in enumerate(kids)
            ]
    return pd.DataFrame(alpha_rows), pd.DataFrame(explained), pd.DataFrame(loading_rows)


def profiles(index: Index, top_n: int = 5) -> pd.DataFrame:
    """Strengths and weaknesses of every unit in one long table."""
    parts = []
    for unit in dict.fromkeys(index.units):
        p = unit_profile(index, unit, top_n=top_n, bottom_n=top_n)
        for kind, table in (("strength", p.strengths), ("weakness", p.weaknesses)):
            parts.append(table.assign(unit=unit, kind=kind, position=np.arange(1, len(table) + 1)))
    cols = ["unit", "kind", "position", "code", "name", "group", "rank", "value"]
    return pd.concat(parts, ignore_index=True)[cols] if parts else pd.DataFrame(columns=cols)


def audit(index: Index, method: Method = "pearson", pval: float = 0.05) -> dict[str, pd.DataFrame]:
    """Every analysis table of a built index, by output name."""
    out = {f"stats_{name.lower()}": indicator_stats(v, index.columns(name)) for name, v in index.datasets.items()}
    if AGGREGATED in index.datasets:
        alpha, explained, pc_loadings = reliability(index)
        out |= {
            "correlations": correlations(index, method, pval),
            "correlation_flags": flags(index, method),
            "cronbach": alpha,
            "pca": explained,
            "pca_loadings": pc_loadings,
            "profiles": profiles(index),
        }
    return out
