"""The clustering feature matrix: heavy-tail transform, robust scaling and encoding of categories.

A :class:`FeatureSpec` says what each input column is:

- ``heavy_tailed``: amounts and counts with long right tails (AUM, transaction value, income). Transformed with
  the signed log ``sign(x) * log1p(|x|)`` (``log1p`` for non-negative values, still defined for a negative
  balance), then robust-scaled.
- ``numeric``: plain numbers without a heavy tail (age, tenure): robust-scaled only.
- ``bounded``: shares between 0 and 1 (deposit structure, channel mix, spend mix): clipped to [0, 1], then
  robust-scaled.
- ``ordinal``: ordered codes such as the KYC risk level ``C1``..``C5``: mapped to 1..n in the listed order, then
  robust-scaled.
- ``categorical``: one-hot encoded; each indicator is ``categorical_weight`` (not 1) so a handful of categories
  does not outweigh the behavioural features. Levels are the listed ones, or those seen in training (sorted).

Robust scaling is ``(x - median) / IQR`` with training medians and interquartile ranges. When the IQR is 0 (a
share that is mostly zero) the standard deviation is used instead, and 1 when that is 0 too (a constant); the
method used is recorded. A missing value is imputed with the training median, i.e. 0 after scaling; an unknown
or missing category is all zeros (:meth:`FeatureTransform.apply` with ``impute=False`` keeps missing values as
NaN instead, for assigning a customer on the features it has). Every fitted number is kept in
:class:`FeatureTransform`, which turns into a
JSON-serialisable dict and back, so a recorded model transforms a later month exactly as it did in training.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

ONE_HOT_SEPARATOR = "="
_TINY = 1e-12


@dataclass(frozen=True)
class FeatureSpec:
    """Which input columns are heavy-tailed, plain numeric, bounded shares, ordinal or categorical.

    ``ordinal`` maps a column to its levels from lowest to highest; ``categories`` optionally fixes the levels
    of a categorical column (otherwise they are learned from the training frame).
    """

    heavy_tailed: tuple[str, ...] = ()
    numeric: tuple[str, ...] = ()
    bounded: tuple[str, ...] = ()
    ordinal: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    categorical: tuple[str, ...] = ()
    categorical_weight: float = 0.5
    categories: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "heavy_tailed", tuple(self.heavy_tailed))
        object.__setattr__(self, "numeric", tuple(self.numeric))
        object.__setattr__(self, "bounded", tuple(self.bounded))
        object.__setattr__(self, "categorical", tuple(self.categorical))
        object.__setattr__(self, "ordinal", {k: tuple(v) for k, v in self.ordinal.items()})
        object.__setattr__(self, "categories", {k: tuple(v) for k, v in self.categories.items()})
        columns = self.input_columns
        duplicated = sorted({c for c in columns if columns.count(c) > 1})
        if duplicated:
            raise ValueError(f"feature spec lists these columns in more than one role: {duplicated}")
        if not columns:
            raise ValueError("feature spec lists no columns")
        if self.categorical_weight <= 0:
            raise ValueError("categorical_weight must be positive")
        unknown = sorted(set(self.categories) - set(self.categorical))
        if unknown:
            raise ValueError(f"categories given for columns that are not categorical: {unknown}")

    @property
    def continuous_columns(self) -> list[str]:
        """Columns that end up as one scaled number each, in matrix order."""
        return [*self.heavy_tailed, *self.numeric, *self.bounded, *self.ordinal]

    @property
    def input_columns(self) -> list[str]:
        """Every column the spec reads from a frame."""
        return [*self.continuous_columns, *self.categorical]

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable form (lists, not tuples)."""
        return {
            "heavy_tailed": list(self.heavy_tailed),
            "numeric": list(self.numeric),
            "bounded": list(self.bounded),
            "ordinal": {k: list(v) for k, v in self.ordinal.items()},
            "categorical": list(self.categorical),
            "categorical_weight": float(self.categorical_weight),
            "categories": {k: list(v) for k, v in self.categories.items()},
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> FeatureSpec:
        """Inverse of :meth:`to_dict`; missing roles are empty."""
        return cls(
            heavy_tailed=tuple(data.get("heavy_tailed", ())),
            numeric=tuple(data.get("numeric", ())),
            bounded=tuple(data.get("bounded", ())),
            ordinal={k: tuple(v) for k, v in data.get("ordinal", {}).items()},
            categorical=tuple(data.get("categorical", ())),
            categorical_weight=float(data.get("categorical_weight", 0.5)),
            categories={k: tuple(v) for k, v in data.get("categories", {}).items()},
        )


def signed_log1p(values: np.ndarray) -> np.ndarray:
    """``sign(x) * log1p(|x|)``: ``log1p`` for x >= 0, mirrored for negative x; NaN stays NaN."""
    values = np.asarray(values, dtype="float64")
    return np.sign(values) * np.log1p(np.abs(values))


def _column(frame: pd.DataFrame, column: str) -> pd.Series:
    if column not in frame.columns:
        raise KeyError(f"feature column {column!r} is not in the frame")
    return frame[column]


def _continuous_values(frame: pd.DataFrame, spec: FeatureSpec, column: str) -> np.ndarray:
    """The unscaled value of a continuous column after its role's transform (NaN where missing)."""
    series = _column(frame, column)
    if column in spec.ordinal:
        codes = {level: i + 1 for i, level in enumerate(spec.ordinal[column])}
        return series.map(codes).astype("float64").to_numpy()
    values = series.astype("float64").to_numpy()
    if column in spec.heavy_tailed:
        return signed_log1p(values)
    if column in spec.bounded:
        return np.clip(values, 0.0, 1.0)
    return values


def _robust_scale(values: np.ndarray, column: str) -> tuple[float, float, str]:
    present = values[~np.isnan(values)]
    if present.size == 0:
        raise ValueError(f"feature column {column!r} has no values to fit the scaling on")
    median = float(np.median(present))
    q1, q3 = np.percentile(present, [25, 75])
    iqr = float(q3 - q1)
    if iqr > _TINY:
        return median, iqr, "iqr"
    std = float(np.std(present))
    if std > _TINY:
        return median, std, "std"
    return median, 1.0, "unit"


@dataclass
class FeatureTransform:
    """A fitted feature transform: the spec plus every number needed to repeat it on new data."""

    spec: FeatureSpec
    centers: dict[str, float]
    scales: dict[str, float]
    scale_methods: dict[str, str]
    categories: dict[str, list[str]]

    @property
    def feature_names(self) -> list[str]:
        """Matrix columns: continuous columns by name, then ``<column>=<level>`` indicators."""
        names = list(self.spec.continuous_columns)
        for column in self.spec.categorical:
            names += [f"{column}{ONE_HOT_SEPARATOR}{level}" for level in self.categories[column]]
        return names

    @classmethod
    def fit(cls, frame: pd.DataFrame, spec: FeatureSpec) -> FeatureTransform:
        """Learn medians, scales and category levels from ``frame``."""
        centers: dict[str, float] = {}
        scales: dict[str, float] = {}
        methods: dict[str, str] = {}
        for column in spec.continuous_columns:
            centers[column], scales[column], methods[column] = _robust_scale(
                _continuous_values(frame, spec, column), column
            )
        categories: dict[str, list[str]] = {}
        for column in spec.categorical:
            if column in spec.categories:
                categories[column] = list(spec.categories[column])
            else:
                seen = _column(frame, column).dropna().astype(str).unique()
                categories[column] = sorted(seen)
        return cls(spec=spec, centers=centers, scales=scales, scale_methods=methods, categories=categories)

    def apply(self, frame: pd.DataFrame, *, impute: bool = True) -> np.ndarray:
        """Transform ``frame`` into the scaled feature matrix (rows in frame order, columns ``feature_names``).

        With ``impute=False`` a missing continuous value stays NaN (for :func:`~.clustering.nearest_centroid`,
        which then compares a row on the features it has) instead of becoming the training median.
        """
        blocks = []
        for column in self.spec.continuous_columns:
            scaled = (_continuous_values(frame, self.spec, column) - self.centers[column]) / self.scales[column]
            blocks.append((np.nan_to_num(scaled, nan=0.0) if impute else scaled)[:, None])
        for column in self.spec.categorical:
            values = _column(frame, column).astype("string")
            for level in self.categories[column]:
                indicator = (values == level).fillna(False).to_numpy(dtype="float64")
                blocks.append(indicator[:, None] * self.spec.categorical_weight)
        if not blocks:
            return np.zeros((len(frame), 0))
        return np.hstack(blocks)

    def apply_frame(self, frame: pd.DataFrame) -> pd.DataFrame:
        """:meth:`apply` as a DataFrame with ``feature_names`` as columns and the frame's index."""
        return pd.DataFrame(self.apply(frame), columns=self.feature_names, index=frame.index)

    def rescale(self, points: np.ndarray, source: FeatureTransform) -> np.ndarray:
        """Move points (e.g. centroids) from ``source``'s scaled space into this transform's scaled space.

        Continuous columns are unscaled with the source's medians and scales and rescaled with these; one-hot
        columns are matched by name (a level the source did not have is 0). The continuous columns of both
        transforms must be the same, or the spaces are not comparable and ``ValueError`` is raised.
        """
        if self.spec.continuous_columns != source.spec.continuous_columns:
            raise ValueError("the two transforms have different continuous columns; their spaces are not comparable")
        points = np.atleast_2d(np.asarray(points, dtype="float64"))
        source_index = {name: i for i, name in enumerate(source.feature_names)}
        out = np.zeros((points.shape[0], len(self.feature_names)))
        for j, name in enumerate(self.feature_names):
            if name in self.centers:
                raw = points[:, source_index[name]] * source.scales[name] + source.centers[name]
                out[:, j] = (raw - self.centers[name]) / self.scales[name]
            elif name in source_index:
                weight_ratio = self.spec.categorical_weight / source.spec.categorical_weight
                out[:, j] = points[:, source_index[name]] * weight_ratio
        return out

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable form, for the model registry."""
        return {
            "spec": self.spec.to_dict(),
            "feature_names": self.feature_names,
            "centers": {k: float(v) for k, v in self.centers.items()},
            "scales": {k: float(v) for k, v in self.scales.items()},
            "scale_methods": dict(self.scale_methods),
            "categories": {k: list(v) for k, v in self.categories.items()},
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> FeatureTransform:
        """Inverse of :meth:`to_dict`."""
        return cls(
            spec=FeatureSpec.from_dict(data["spec"]),
            centers={k: float(v) for k, v in data["centers"].items()},
            scales={k: float(v) for k, v in data["scales"].items()},
            scale_methods=dict(data["scale_methods"]),
            categories={k: list(v) for k, v in data["categories"].items()},
        )


def informative_spec(frame: pd.DataFrame, spec: FeatureSpec) -> tuple[FeatureSpec, dict[str, str]]:
    """``spec`` without the continuous columns that carry no information in ``frame``, and why each was dropped.

    A column with no value at all (a data set without income, say) or a single value for every row (no digital
    channel, so every share is 0) cannot separate customers; fitting on it would fail or add nothing. It is left
    out of this fit and recorded, so the registry shows what the model actually used.
    """
    dropped: dict[str, str] = {}
    for column in spec.continuous_columns:
        values = _continuous_values(frame, spec, column)
        present = values[~np.isnan(values)]
        if present.size == 0:
            dropped[column] = "no values"
        elif np.unique(present).size == 1:
            dropped[column] = f"one value for every customer ({present[0]:g})"
    if not dropped:
        return spec, dropped
    keep = set(spec.input_columns) - set(dropped)
    if not any(c in keep for c in spec.continuous_columns) and not spec.categorical:
        raise ValueError(f"no clustering feature carries information: {dropped}")
    reduced = FeatureSpec(
        heavy_tailed=[c for c in spec.heavy_tailed if c in keep],
        numeric=[c for c in spec.numeric if c in keep],
        bounded=[c for c in spec.bounded if c in keep],
        ordinal={c: v for c, v in spec.ordinal.items() if c in keep},
        categorical=spec.categorical,
        categorical_weight=spec.categorical_weight,
        categories=spec.categories,
    )
    return reduced, dropped


def complete_rows(frame: pd.DataFrame, spec: FeatureSpec) -> np.ndarray:
    """Boolean mask of the rows of ``frame`` with a value in every continuous column of ``spec``.

    Categorical columns do not count: a missing category is a valid all-zeros encoding.
    """
    mask = np.ones(len(frame), dtype=bool)
    for column in spec.continuous_columns:
        mask &= ~np.isnan(_continuous_values(frame, spec, column))
    return mask


def build_feature_matrix(
    frame: pd.DataFrame, spec: FeatureSpec | Mapping[str, Any]
) -> tuple[np.ndarray, FeatureTransform]:
    """Fit a :class:`FeatureTransform` on ``frame`` and return the scaled matrix with it.

    ``spec`` may be a :class:`FeatureSpec` or its dict form (e.g. from a seed or YAML).
    """
    if not isinstance(spec, FeatureSpec):
        spec = FeatureSpec.from_dict(spec)
    transform = FeatureTransform.fit(frame, spec)
    return transform.apply(frame), transform
