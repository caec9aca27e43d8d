"""Weighting: choose the weight set the aggregation uses.

Weights are relative within each parent (the aggregation renormalises them). Methods: the
metadata weights, a named weight set, equal weights, PCA weights (first-component loadings per
parent, sign fixed, rows with missing values dropped), objective weights from the data (entropy,
CRITIC, factor analysis with varimax: `objective_weights`), and correlation-balancing optimised
weights (scipy Nelder-Mead so that each component's correlation with the index matches a named
target importance). `noise` then perturbs the chosen weights multiplicatively by U(-noise, +noise).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from citykpi.index import aggregate, objective_weights
from citykpi.index.aggregate import power_mean
from citykpi.index.model import AGGREGATED, FloatArray, Hierarchy, Index, StepRecord
from citykpi.model.diagnostics import error
from citykpi.model.errors import DiagnosticError


class Params(BaseModel):
    model_config = ConfigDict(extra="forbid")

    step: Literal["weights"] = "weights"
    method: Literal["metadata", "set", "equal", "pca", "entropy", "critic", "fa", "optimise"] = "metadata"
    set: str | None = Field(default=None, description="Name of the weight set (method: set)")
    level: int = Field(
        default=1, ge=1, description="pca/entropy/critic/fa/optimise: the level whose weights are computed"
    )
    targets: dict[str, float] = Field(
        default_factory=dict, description="optimise: target importance of each code of `level`, by name"
    )
    optype: Literal["balance", "infomax"] = "balance"
    factors: int | None = Field(default=None, ge=1, description="fa: factors kept; default eigenvalue > 1")
    noise: float = Field(default=0.0, ge=0, lt=1, description="Uniform relative perturbation of the weights")
    noise_levels: list[int] | None = Field(default=None, description="Levels to perturb; default all")
    seed: int = 0
    save_as: str | None = Field(default=None, description="Also store the result as a named weight set")


def noisy(weights: FloatArray, noise: float, rng: np.random.Generator, size: int | None = None) -> FloatArray:
    """w * (1 + U(-noise, noise)); `size` draws that many independent sets at once (batch axis first)."""
    shape = weights.shape if size is None else (size, *weights.shape)
    return np.asarray(weights * (1 + rng.uniform(-noise, noise, shape)))


def pca_loadings(x: FloatArray) -> FloatArray:
    """First principal component loadings of standardised columns, complete rows only, sign so their sum > 0."""
    rows = ~np.isnan(x).any(axis=1)
    z = x[rows]
    if z.shape[0] < 2 or z.shape[1] == 0:
        return np.full(x.shape[1], np.nan)
    sd = z.std(axis=0, ddof=1)
    z = (z - z.mean(axis=0)) / np.where(sd > 0, sd, 1.0)
    _, _, vt = np.linalg.svd(z, full_matrices=False)
    v = vt[0]
    return np.asarray(v if v.sum() >= 0 else -v)


def all_scores(index: Index, weights: Mapping[str, float]) -> tuple[FloatArray, list[str]]:
    """Every code's scores: the Aggregated dataset if built, else the latest dataset aggregated arithmetically."""
    if AGGREGATED in index.datasets:
        return index.datasets[AGGREGATED], index.columns(AGGREGATED)
    h = index.hierarchy
    level_plans = aggregate.plans(h, aggregate.Params())
    w = [h.input_weights(p.level, weights) for p in level_plans]
    return aggregate.aggregate_array(index.dataset(), level_plans, w), h.all_codes


def level_scores(index: Index, level: int, weights: Mapping[str, float]) -> FloatArray:
    full, cols = all_scores(index, weights)
    return full[:, [cols.index(c) for c in index.hierarchy.codes(level)]]


def _pca(x: FloatArray) -> FloatArray:
    v = pca_loadings(x)
    return np.asarray(v / v.sum())


KERNELS: dict[str, Callable[[FloatArray], FloatArray]] = {
    "pca": _pca,
    "entropy": objective_weights.entropy,
    "critic": objective_weights.critic,
}
DATA_METHODS = ("pca", "entropy", "critic", "fa")


def _refusal(parent: str, message: str) -> DiagnosticError:
    return DiagnosticError([error("insufficient-data", message, kpi=parent, field="method")])


def data_weights(index: Index, params: Params, weights: Mapping[str, float]) -> tuple[dict[str, float], list[str]]:
    """Weights of the children of every parent of a node of `level`, from the children's scores.

    Complete rows only (a unit missing a child is left out of that parent's computation).
    """
    h = index.hierarchy
    parents = list(dict.fromkeys(str(h.parent(c)) for c in h.codes(params.level) if h.parent(c) is not None))
    out: dict[str, float] = {}
    notes = []
    full, cols = all_scores(index, weights)
    for parent in parents:
        kids = h.children(parent)
        x = full[:, [cols.index(c) for c in kids]]
        rows = ~np.isnan(x).any(axis=1)
        xc = x[rows]
        if len(kids) == 1:
            out[kids[0]] = 1.0
            continue
        if xc.shape[0] < 2:
            raise _refusal(
                parent,
                f"{params.method} weights of the children of {parent!r} need at least two units "
                "with all of them present",
            )
        if params.method in ("critic", "fa") and (np.ptp(xc, axis=0) == 0).any():
            raise _refusal(
                parent,
                f"{params.method} weights of the children of {parent!r} need correlations, but a child "
                "does not vary over the units",
            )
        if params.method == "entropy" and (xc <= 0).any():
            r, c = np.argwhere(xc <= 0)[0]
            unit = index.units[int(np.flatnonzero(rows)[r])]
            raise DiagnosticError(
                [
                    error(
                        "nonpositive-value",
                        f"entropy weights of {parent!r} need positive values (p ln p of shares), but {kids[c]} of "
                        f"unit {unit} is {xc[r, c]:g}; normalise to a positive range, e.g. range: [1, 100]",
                        kpi=parent,
                        field="method",
                    )
                ]
            )
        if params.method == "fa":
            fa = objective_weights.factor_weights(xc, params.factors)
            v = fa.weights
            notes.append(
                f"{parent}: {fa.factors} factor(s) kept, explaining "
                + ", ".join(f"{e:.1%}" for e in fa.explained)
                + " of the variance"
            )
        else:
            v = KERNELS[params.method](xc)
        if not np.isfinite(v).all():
            raise _refusal(
                parent,
                f"{params.method} weights of the children of {parent!r} are undefined: "
                "a child does not vary over the units",
            )
        out.update({k: float(w) for k, w in zip(kids, v, strict=True)})
        if params.method == "pca" and (v < 0).any():
            notes.append(f"{parent}: negative PC1 loadings kept as negative weights")
    return out, notes


def _corr_with_top(x: FloatArray, w: FloatArray, h: Hierarchy, level: int, weights: Mapping[str, float]) -> FloatArray:
    top = x
    for lev in range(level + 1, h.n_levels + 1):
        ww = w if lev == level + 1 else h.weights(lev - 1, weights)
        top = power_mean(top, ww, h.membership(lev), "arithmetic")
    ok = ~np.isnan(x).any(axis=1) & ~np.isnan(top[:, 0])
    a, b = x[ok], top[ok, 0]
    a = (a - a.mean(axis=0)) / np.where(a.std(axis=0) > 0, a.std(axis=0), 1.0)
    b = (b - b.mean()) / (b.std() or 1.0)
    return np.asarray((a * b[:, None]).mean(axis=0))


def optimised_weights(index: Index, params: Params, weights: Mapping[str, float]) -> tuple[dict[str, float], str]:
    """Weights of `level` whose components' correlations with the index match `targets` (or sum up, infomax)."""
    h = index.hierarchy
    codes = h.codes(params.level)
    x = level_scores(index, params.level, weights)
    start = h.weights(params.level, weights)
    if params.optype == "balance":
        t = np.array([params.targets[c] for c in codes], dtype=np.float64)
        t = t / t.sum()

        def objective(theta: FloatArray) -> float:
            c = _corr_with_top(x, np.exp(theta), h, params.level, weights)
            return float(np.log(np.mean((c / c.sum() - t) ** 2) + 1e-300))
    else:

        def objective(theta: FloatArray) -> float:
            return -float(_corr_with_top(x, np.exp(theta), h, params.level, weights).sum())

    from scipy import optimize  # here, not at the top: scipy.optimize costs every index command ~0.4 s

    # Log-weights keep every weight positive without a constrained optimiser.
    res = optimize.minimize(
        objective,
        np.log(np.maximum(start, 1e-9)),
        method="Nelder-Mead",
        options={"maxiter": 4000, "xatol": 1e-5, "fatol": 1e-10},
    )
    w = np.exp(res.x)
    return {c: float(v) for c, v in zip(codes, w / w.sum(), strict=True)}, str(res.message)


def run(index: Index, params: Params) -> Index:
    h = index.hierarchy
    problems = []
    if params.method == "set" and params.set not in index.weight_sets:
        problems.append(
            error("invalid-parameter", f"no weight set {params.set!r}; known: {sorted(index.weight_sets)}", field="set")
        )
    if params.method in (*DATA_METHODS, "optimise") and not 1 <= params.level < h.n_levels:
        problems.append(error("invalid-parameter", f"level must be between 1 and {h.n_levels - 1}", field="level"))
    if params.method == "optimise" and not all(h.is_balanced(lev) for lev in range(params.level + 1, h.n_levels + 1)):
        problems.append(
            error(
                "invalid-parameter", "optimise needs every node above `level` one level below its parent", field="level"
            )
        )
    if params.method == "optimise" and params.optype == "balance":
        level_codes = set(h.codes(params.level))
        missing = sorted(level_codes - set(params.targets))
        extra = sorted(set(params.targets) - level_codes)
        if missing or extra:
            problems.append(
                error(
                    "invalid-parameter",
                    f"targets must name every code of level {params.level}: missing {missing}, unknown {extra}",
                    field="targets",
                )
            )
    if problems:
        raise DiagnosticError(problems)
    summary: dict[str, object] = {}
    if params.method == "metadata":
        chosen = dict(index.weight_sets["Original"])
    elif params.method == "set":
        chosen = {**index.weights, **index.weight_sets[str(params.set)]}
    elif params.method == "equal":
        chosen = {c: 1.0 for c in h.all_codes}
    elif params.method in DATA_METHODS:
        computed, notes = data_weights(index, params, index.weights)
        chosen = {**index.weights, **computed}
        summary["notes"] = notes
    else:
        computed, message = optimised_weights(index, params, index.weights)
        chosen = {**index.weights, **computed}
        summary["optimiser"] = message
    if params.noise > 0:
        rng = np.random.default_rng(params.seed)
        levels = params.noise_levels or list(range(1, h.n_levels + 1))
        codes = [c for lev in levels for c in h.codes(lev)]
        perturbed = noisy(np.array([chosen[c] for c in codes]), params.noise, rng)
        chosen.update(zip(codes, perturbed.tolist(), strict=True))
    summary["weights"] = chosen
    summary["effective"] = {c: round(v, 10) for c, v in h.effective_weights(chosen).items() if c in h.indicators}
    sets = {**index.weight_sets, **({params.save_as: chosen} if params.save_as else {})}
    record = StepRecord("weights", params.model_dump(), "Weights", summary)
    return index.with_step(record, None, weights=chosen, weight_sets=sets)
