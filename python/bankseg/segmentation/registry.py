"""The model registry entry of a clustering fit, and assigning any month with a recorded model.

An entry is a JSON-serialisable dict (written e.g. to a registry table as one JSON column per fit):

- ``model_version``: the first 16 hex digits of the SHA-256 of the canonical JSON of the feature spec, the fit
  parameters and the as-of date - the same inputs always give the same version;
- ``as_of_date`` (ISO date), ``feature_columns`` (input columns), ``feature_names`` (matrix columns), ``k``;
- ``transform``: the fitted :class:`~bankseg.segmentation.features.FeatureTransform` (spec, medians, scales
  (IQRs or the fallback), category levels) - ``scaling`` repeats medians and scales for readers;
- ``centroids``: ``[{"cluster_id", "centroid"}]`` in the scaled space, sorted by id; ``next_cluster_id``: the
  id a new cluster would take at the next refit (ids are never reused);
- ``quality``: silhouette, Davies-Bouldin and stability of the chosen k; ``k_selection``: every score;
- ``cluster_sizes``: ``[{"cluster_id", "customer_count"}]``; ``personas`` (optional): names per cluster;
- ``drift_reference``: training bin edges and shares per feature (see :mod:`.drift`);
- ``params`` and ``previous_model_version``.

Python's JSON writes floats with ``repr``, which reads back to the same double, so an entry that went through
JSON assigns exactly as the fitted model does.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from .clustering import KSelection, nearest_centroid
from .features import FeatureSpec, FeatureTransform

SCHEMA_VERSION = 1


def _jsonable(value: Any) -> Any:
    """Numpy scalars and arrays, dates, tuples and NaN turned into plain JSON values (NaN -> None)."""
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, range)):
        return [_jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        return [_jsonable(v) for v in value.tolist()]
    if isinstance(value, (np.bool_, bool)):
        return bool(value)
    if isinstance(value, (np.integer, int)):
        return int(value)
    if isinstance(value, (np.floating, float)):
        return None if np.isnan(value) else float(value)
    if isinstance(value, (dt.date, pd.Timestamp)):
        return value.isoformat()[:10]
    return value


def _iso_date(value: str | dt.date | pd.Timestamp) -> str:
    return pd.Timestamp(value).date().isoformat()


def model_version(spec: FeatureSpec | Mapping[str, Any], params: Mapping[str, Any], as_of_date: Any) -> str:
    """Deterministic version: SHA-256 (16 hex digits) of the canonical JSON of spec, params and as-of date."""
    spec_dict = spec.to_dict() if isinstance(spec, FeatureSpec) else dict(spec)
    payload = {"features": spec_dict, "params": _jsonable(params), "as_of_date": _iso_date(as_of_date)}
    canonical = json.dumps(_jsonable(payload), sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:16]


def make_registry_entry(
    *,
    transform: FeatureTransform,
    centroids: Mapping[int, Any],
    as_of_date: str | dt.date | pd.Timestamp,
    params: Mapping[str, Any],
    cluster_sizes: Mapping[int, int],
    selection: KSelection | None = None,
    drift_reference: Mapping[str, Any] | None = None,
    next_cluster_id: int | None = None,
    personas: pd.DataFrame | None = None,
    previous_model_version: str | None = None,
) -> dict[str, Any]:
    """Build the registry entry of one fit (fields in the module doc).

    ``centroids`` maps the stable cluster id to its centroid in ``transform``'s scaled space; ``params`` are
    the fit parameters that enter the version (k range or fixed k, seeds, sample size, random state, n_init).
    """
    ids = sorted(int(i) for i in centroids)
    quality = None
    if selection is not None:
        quality = selection.scores_of(selection.k)
        quality.pop("inertia")
    entry = {
        "schema_version": SCHEMA_VERSION,
        "model_version": model_version(transform.spec, params, as_of_date),
        "previous_model_version": previous_model_version,
        "as_of_date": _iso_date(as_of_date),
        "feature_columns": transform.spec.input_columns,
        "feature_names": transform.feature_names,
        "k": len(ids),
        "transform": transform.to_dict(),
        "scaling": {"medians": dict(transform.centers), "scales": dict(transform.scales)},
        "centroids": [{"cluster_id": i, "centroid": np.asarray(centroids[i], dtype="float64")} for i in ids],
        "next_cluster_id": int(next_cluster_id) if next_cluster_id is not None else (max(ids) + 1 if ids else 1),
        "quality": quality,
        "k_selection": selection.to_dict() if selection is not None else None,
        "cluster_sizes": [{"cluster_id": i, "customer_count": int(cluster_sizes.get(i, 0))} for i in ids],
        "personas": None
        if personas is None
        else [
            {
                "cluster_id": int(r["cluster_id"]),
                "persona_name": r["persona_name"],
                "persona_name_zh": r["persona_name_zh"],
            }
            for r in personas.to_dict("records")
        ],
        "drift_reference": drift_reference,
        "params": params,
    }
    return _jsonable(entry)


def entry_to_json(entry: Mapping[str, Any]) -> str:
    """The entry as canonical JSON text (sorted keys, UTF-8 characters kept)."""
    return json.dumps(_jsonable(entry), sort_keys=True, ensure_ascii=False)


def entry_from_json(text: str) -> dict[str, Any]:
    """Inverse of :func:`entry_to_json`."""
    return json.loads(text)


def transform_of(entry: Mapping[str, Any]) -> FeatureTransform:
    """The recorded feature transform."""
    return FeatureTransform.from_dict(entry["transform"])


def centroids_of(entry: Mapping[str, Any]) -> dict[int, np.ndarray]:
    """Recorded centroids by cluster id (scaled space)."""
    return {int(c["cluster_id"]): np.asarray(c["centroid"], dtype="float64") for c in entry["centroids"]}


def assign_with_model(entry: Mapping[str, Any], frame: pd.DataFrame) -> np.ndarray:
    """Cluster id of every row of ``frame`` under a recorded model: recorded scaling, nearest recorded centroid.

    Nearest is by Euclidean distance over the features a row has (:func:`~.clustering.nearest_centroid`); on an
    exact tie the smaller cluster id wins.
    """
    centroids = centroids_of(entry)
    ids = np.array(sorted(centroids), dtype="int64")
    matrix = np.vstack([centroids[i] for i in ids])
    features = transform_of(entry).apply(frame, impute=False)
    if len(features) == 0:
        return np.array([], dtype="int64")
    return ids[nearest_centroid(features, matrix)]
