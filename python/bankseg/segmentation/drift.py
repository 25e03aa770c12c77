"""Feature drift between the training data of a model and a later month: population stability index (PSI).

``PSI = sum over bins of (a - e) * ln(a / e)``, with ``e`` and ``a`` the shares of the training (expected) and
current (actual) rows in each bin, both floored at ``epsilon`` so an empty bin does not divide by zero.

Bins of a numeric feature are cut at the training quantiles ``1/bins, 2/bins, ...`` (repeated edges of a
feature with many equal values collapse into one), closed on the right, with open outer bins so current values
outside the training range still count; a separate bin holds missing values, so a change in the missing share
is drift too. A non-numeric feature (e.g. the KYC risk level) has one bin per training category, one for
categories not seen in training and one for missing values. Edges and training shares are recorded in the model
registry (:func:`drift_reference`), so a later month is compared with the training data without re-reading it.

**Refit policy** (:class:`DriftPolicy`): a feature is *stable* below ``warn_psi`` (0.1), *moderate* up to
``feature_psi_refit`` (0.25) and *significant* from there. Refit when any feature's PSI >= ``feature_psi_refit``
or the mean PSI over the features >= ``mean_psi_refit`` (0.1). The defaults are the usual rules of thumb for
PSI; a bank sets its own through the config keys ``drift_feature_psi_warn``, ``drift_feature_psi_refit``,
``drift_mean_psi_refit``, ``drift_bins`` and ``drift_epsilon``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from .config import ConfigLike, read_config

DEFAULT_EPSILON = 1e-4


@dataclass(frozen=True)
class DriftPolicy:
    """Thresholds of the refit decision (see the module doc)."""

    warn_psi: float = 0.1
    feature_psi_refit: float = 0.25
    mean_psi_refit: float = 0.1
    bins: int = 10
    epsilon: float = DEFAULT_EPSILON

    @classmethod
    def from_config(cls, config: ConfigLike | DriftPolicy | None) -> DriftPolicy:
        """Read the ``drift_*`` keys of a config table or dict; missing keys keep the defaults."""
        if config is None:
            return cls()
        if isinstance(config, DriftPolicy):
            return config
        params = read_config(config)
        defaults = cls()
        return cls(
            warn_psi=float(params.get("drift_feature_psi_warn", defaults.warn_psi)),
            feature_psi_refit=float(params.get("drift_feature_psi_refit", defaults.feature_psi_refit)),
            mean_psi_refit=float(params.get("drift_mean_psi_refit", defaults.mean_psi_refit)),
            bins=int(params.get("drift_bins", defaults.bins)),
            epsilon=float(params.get("drift_epsilon", defaults.epsilon)),
        )


def quantile_edges(values: Sequence[float] | np.ndarray | pd.Series, bins: int = 10) -> np.ndarray:
    """Inner bin edges at the quantiles 1/bins .. (bins-1)/bins of the non-missing values, repeats removed."""
    if bins < 2:
        raise ValueError("bins must be at least 2")
    array = np.asarray(values, dtype="float64")
    present = array[~np.isnan(array)]
    if present.size == 0:
        return np.array([])
    return np.unique(np.quantile(present, np.arange(1, bins) / bins))


def bin_shares(values: Sequence[float] | np.ndarray | pd.Series, edges: Sequence[float] | np.ndarray) -> np.ndarray:
    """Shares of values in the bins ``(-inf, e1], (e1, e2], ..., (ek, inf)`` and, last, the missing values."""
    array = np.asarray(values, dtype="float64")
    edges = np.asarray(edges, dtype="float64")
    if array.size == 0:
        raise ValueError("no values to bin")
    missing = np.isnan(array)
    index = np.searchsorted(edges, array[~missing], side="left")
    counts = np.bincount(index, minlength=len(edges) + 1).astype("float64")
    return np.append(counts, missing.sum()) / array.size


def category_shares(values: pd.Series | Sequence[Any], categories: Sequence[str]) -> np.ndarray:
    """Shares of each category, then of unseen categories, then of missing values."""
    series = pd.Series(values).astype("string")
    if len(series) == 0:
        raise ValueError("no values to bin")
    counts = [float((series == c).fillna(False).sum()) for c in categories]
    missing = float(series.isna().sum())
    other = len(series) - sum(counts) - missing
    return np.array([*counts, other, missing]) / len(series)


def psi_from_shares(
    expected: Sequence[float] | np.ndarray, actual: Sequence[float] | np.ndarray, epsilon: float = DEFAULT_EPSILON
) -> float:
    """PSI of two share vectors over the same bins, shares floored at ``epsilon``."""
    e = np.maximum(np.asarray(expected, dtype="float64"), epsilon)
    a = np.maximum(np.asarray(actual, dtype="float64"), epsilon)
    if e.shape != a.shape:
        raise ValueError("expected and actual shares must have the same bins")
    return float(np.sum((a - e) * np.log(a / e)))


def population_stability_index(
    expected: Sequence[float] | np.ndarray | pd.Series,
    actual: Sequence[float] | np.ndarray | pd.Series,
    bins: int = 10,
    edges: Sequence[float] | np.ndarray | None = None,
    epsilon: float = DEFAULT_EPSILON,
) -> float:
    """PSI of a numeric feature: bins from ``edges`` or, without them, from ``bins`` quantiles of ``expected``."""
    if edges is None:
        edges = quantile_edges(expected, bins)
    return psi_from_shares(bin_shares(expected, edges), bin_shares(actual, edges), epsilon)


def _is_numeric(series: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series)


def drift_reference(frame: pd.DataFrame, features: Sequence[str], bins: int = 10) -> dict[str, dict[str, Any]]:
    """The training distribution of each feature, JSON-serialisable, for the model registry.

    Numeric: ``{"kind": "numeric", "edges": [...], "expected_shares": [...]}``; otherwise
    ``{"kind": "categorical", "categories": [...], "expected_shares": [...]}`` (last two shares: unseen and
    missing).
    """
    reference: dict[str, dict[str, Any]] = {}
    for feature in features:
        series = frame[feature]
        if _is_numeric(series):
            values = series.astype("float64")
            edges = quantile_edges(values, bins)
            reference[feature] = {
                "kind": "numeric",
                "edges": [float(e) for e in edges],
                "expected_shares": [float(s) for s in bin_shares(values, edges)],
            }
        else:
            categories = sorted(series.dropna().astype(str).unique())
            reference[feature] = {
                "kind": "categorical",
                "categories": categories,
                "expected_shares": [float(s) for s in category_shares(series, categories)],
            }
    return reference


@dataclass
class DriftReport:
    """PSI per feature, its status, and the refit decision with the reasons."""

    features: pd.DataFrame
    mean_psi: float
    max_psi: float
    refit_required: bool
    reasons: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable form."""
        return {
            "mean_psi": self.mean_psi,
            "max_psi": self.max_psi,
            "refit_required": self.refit_required,
            "reasons": list(self.reasons),
            "features": [
                {
                    "feature": r["feature"],
                    "psi": float(r["psi"]),
                    "status": r["status"],
                    "is_flagged": bool(r["is_flagged"]),
                }
                for r in self.features.to_dict("records")
            ],
        }


def drift_report(
    train_reference: Mapping[str, Mapping[str, Any]] | pd.DataFrame,
    current: pd.DataFrame,
    features: Sequence[str] | None = None,
    policy: DriftPolicy | ConfigLike | None = None,
) -> DriftReport:
    """PSI of each feature between the training reference and ``current``, and whether to refit.

    ``train_reference`` is a registry's ``drift_reference`` (:func:`drift_reference`) or the training frame
    itself; ``features`` defaults to every feature of the reference (or, for a frame, every column of
    ``current`` that it shares).
    """
    policy = DriftPolicy.from_config(policy)
    if isinstance(train_reference, pd.DataFrame):
        if features is None:
            features = [c for c in current.columns if c in train_reference.columns]
        train_reference = drift_reference(train_reference, features, policy.bins)
    if features is None:
        features = list(train_reference)
    if not features:
        raise ValueError("no features to compare")
    rows = []
    for feature in features:
        ref = train_reference[feature]
        if ref["kind"] == "numeric":
            actual = bin_shares(current[feature].astype("float64"), ref["edges"])
        else:
            actual = category_shares(current[feature], ref["categories"])
        psi = psi_from_shares(ref["expected_shares"], actual, policy.epsilon)
        status = (
            "significant" if psi >= policy.feature_psi_refit else "moderate" if psi >= policy.warn_psi else "stable"
        )
        rows.append({"feature": feature, "psi": psi, "status": status, "is_flagged": psi >= policy.feature_psi_refit})
    table = pd.DataFrame(rows)
    mean_psi, max_psi = float(table["psi"].mean()), float(table["psi"].max())
    reasons = [f"{r['feature']} PSI {r['psi']:.4f} >= {policy.feature_psi_refit}" for r in rows if r["is_flagged"]]
    if mean_psi >= policy.mean_psi_refit:
        reasons.append(f"mean PSI {mean_psi:.4f} >= {policy.mean_psi_refit}")
    return DriftReport(
        features=table, mean_psi=mean_psi, max_psi=max_psi, refit_required=bool(reasons), reasons=reasons
    )
