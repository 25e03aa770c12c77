"""The whole clustering fit in one call, for the thin dbt Python model.

:func:`fit_segmentation` builds the feature matrix, chooses k (or takes a fixed k), fits k-means on the rows with
every feature present, assigns every row to its nearest centroid on the features it has, gives the clusters
stable ids against the previous registry entry, describes the personas and builds the new
registry entry (with the drift reference of the training data).

Stable ids against the previous model: when both models have the same continuous features, the previous
centroids are moved into the new scaled space (:meth:`FeatureTransform.rescale`: the medians and IQRs change at
a refit) and matched by the Hungarian algorithm (:func:`~.clustering.match_cluster_ids`). When the features
changed, the spaces are not comparable: the current rows are assigned with the previous model as well (when the
frame still has its columns) and clusters are matched by the Hungarian algorithm on the number of customers the
two labellings share; a new cluster sharing no customer with a previous one gets a new id.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy.optimize import linear_sum_assignment
from sklearn.cluster import KMeans

from .clustering import KSelection, choose_k, fit_clusters, match_cluster_ids, nearest_centroid, relabel
from .drift import drift_reference
from .features import FeatureSpec, build_feature_matrix, complete_rows, informative_spec
from .personas import describe_clusters
from .registry import assign_with_model, centroids_of, make_registry_entry, transform_of


@dataclass
class SegmentationResult:
    """Everything one fit produces."""

    assignments: pd.DataFrame
    personas: pd.DataFrame
    entry: dict[str, Any]
    selection: KSelection
    model: KMeans


def _ids_by_overlap(previous: np.ndarray, new_labels: np.ndarray, k: int, next_id: int) -> list[int]:
    prev_ids = sorted(pd.unique(previous).tolist())
    overlap = np.zeros((k, len(prev_ids)))
    for j, pid in enumerate(prev_ids):
        overlap[:, j] = np.bincount(new_labels[previous == pid], minlength=k)
    rows, cols = linear_sum_assignment(-overlap)
    ids: list[int | None] = [None] * k
    for r, c in zip(rows, cols, strict=True):
        if overlap[r, c] > 0:
            ids[r] = int(prev_ids[c])
    start = max([next_id, *[i + 1 for i in prev_ids]])
    for r in range(k):
        if ids[r] is None:
            ids[r] = start
            start += 1
    return [int(i) for i in ids]


def _persona_frame(frame: pd.DataFrame, spec: FeatureSpec, profile: FeatureSpec | None) -> pd.DataFrame:
    """Numeric columns to describe personas with: the clustering features, then the profile features (described,
    not clustered on); continuous as they are, ordinal levels as their codes (1 = lowest)."""
    out = pd.DataFrame(index=frame.index)
    for source in (spec, profile):
        if source is None:
            continue
        for column in [*source.heavy_tailed, *source.numeric, *source.bounded, *source.ordinal]:
            if column in out.columns:
                continue
            if column not in frame.columns:
                raise KeyError(f"persona feature {column!r} is not a column of the clustering frame")
            if column in source.ordinal:
                codes = {level: i + 1 for i, level in enumerate(source.ordinal[column])}
                out[column] = frame[column].map(codes).astype("float64")
            else:
                out[column] = frame[column].astype("float64")
    return out


def _profile_spec(profile_features: FeatureSpec | Mapping[str, Any] | None) -> FeatureSpec | None:
    if profile_features is None or isinstance(profile_features, FeatureSpec):
        return profile_features
    if not any(profile_features.get(role) for role in ("heavy_tailed", "numeric", "bounded", "ordinal")):
        return None  # no profile feature configured (a spec must list at least one column)
    return FeatureSpec.from_dict(profile_features)


def fit_segmentation(
    frame: pd.DataFrame,
    spec: FeatureSpec | Mapping[str, Any],
    *,
    as_of_date: str | dt.date | pd.Timestamp,
    id_column: str = "customer_id",
    k_range: Iterable[int] = range(2, 11),
    fixed_k: int | None = None,
    seeds: Sequence[int] = (0, 1, 2, 3, 4),
    sample_size: int | None = 5000,
    random_state: int = 0,
    n_init: int = 10,
    selection_n_init: int = 3,
    min_stability: float = 0.9,
    silhouette_tolerance: float | None = 0.02,
    previous_entry: Mapping[str, Any] | None = None,
    value_column: str = "aum_amount",
    profile_features: FeatureSpec | Mapping[str, Any] | None = None,
    drift_bins: int = 10,
    n_threads: int | None = None,
    fit_complete_rows: bool = True,
) -> SegmentationResult:
    """Fit the behavioural clusters of one as-of date and build the registry entry.

    ``frame`` has one row per customer with the spec's columns, ``id_column`` and ``value_column``. Returns
    the assignments (``id_column``, ``cluster_id``, ``model_version``), the personas (see
    :func:`~.personas.describe_clusters`; heavy-tailed features compared on the log scale), the registry
    entry, the k selection and the fitted k-means model (its labels 0..k-1 are not the stable ids).
    ``n_threads`` caps the k-means threads (see :func:`~.clustering.thread_limit`). ``profile_features``
    (roles heavy_tailed, numeric, bounded, ordinal, as in a spec) are columns of ``frame`` the personas are
    described with besides the clustering features, without being clustered on (profiling on descriptive
    variables, e.g. investments or loan demand that would make k-means split on "has it or not").

    With ``fit_complete_rows`` (the default) the scaling, k and centroids are fitted on the rows with every
    continuous feature present (customers with account transactions in the window), unless that is fewer than
    half the rows; every row is then assigned to its nearest centroid on the features it has
    (:func:`~.clustering.nearest_centroid`), so a customer known only from a card or a CRM record joins the
    cluster its known features point to instead of forming a cluster of gaps.
    """
    if not isinstance(spec, FeatureSpec):
        spec = FeatureSpec.from_dict(spec)
    spec, dropped_features = informative_spec(frame, spec)
    fit_mask = complete_rows(frame, spec) if fit_complete_rows else np.ones(len(frame), dtype=bool)
    if fit_mask.sum() < max(2, len(frame) // 2):
        fit_mask = np.ones(len(frame), dtype=bool)  # too many gaps: fit on every row, gaps at the median
    fit_frame = frame.loc[fit_mask]
    matrix, transform = build_feature_matrix(fit_frame, spec)
    selection = choose_k(
        matrix,
        k_range,
        seeds,
        sample_size,
        random_state,
        n_init=selection_n_init,
        min_stability=min_stability,
        silhouette_tolerance=silhouette_tolerance,
        fixed_k=fixed_k,
        n_threads=n_threads,
    )
    model = fit_clusters(matrix, selection.k, random_state, n_init, n_threads=n_threads)
    row_labels = nearest_centroid(transform.apply(frame, impute=False), model.cluster_centers_)
    if previous_entry is None:
        ids = match_cluster_ids(None, model.cluster_centers_)
    else:
        previous_transform = transform_of(previous_entry)
        previous_centroids = centroids_of(previous_entry)
        next_id = int(previous_entry["next_cluster_id"])
        if previous_transform.spec.continuous_columns == spec.continuous_columns:
            prev_ids = sorted(previous_centroids)
            moved = transform.rescale(np.vstack([previous_centroids[i] for i in prev_ids]), previous_transform)
            ids = match_cluster_ids(dict(zip(prev_ids, moved, strict=True)), model.cluster_centers_, next_id=next_id)
        else:
            previous_labels = assign_with_model(previous_entry, frame)
            ids = _ids_by_overlap(previous_labels, row_labels, selection.k, next_id)
    labels = relabel(row_labels, ids)
    profile = _profile_spec(profile_features)
    persona_frame = _persona_frame(frame, spec, profile)
    heavy_tailed = {*spec.heavy_tailed, *(profile.heavy_tailed if profile is not None else ())}
    personas = describe_clusters(
        persona_frame.assign(**{"__value__": frame[value_column].astype("float64").to_numpy()}),
        labels,
        list(persona_frame.columns),
        "__value__",
        log_columns=[c for c in persona_frame.columns if c in heavy_tailed],
    )
    params = {
        "k_range": selection.params["k_range"],
        "fixed_k": fixed_k,
        "seeds": list(seeds),
        "sample_size": sample_size,
        "random_state": random_state,
        "n_init": n_init,
        "selection_n_init": selection_n_init,
        "min_stability": min_stability,
        "silhouette_tolerance": silhouette_tolerance,
        "value_column": value_column,
        "drift_bins": drift_bins,
        "fit_complete_rows": bool(fit_complete_rows),
        "fit_customer_count": int(fit_mask.sum()),
        "dropped_features": dropped_features,
        "profile_features": [c for c in persona_frame.columns if c not in spec.input_columns],
    }
    centroids = {cluster_id: model.cluster_centers_[row] for row, cluster_id in enumerate(ids)}
    sizes = {int(i): int(n) for i, n in zip(*np.unique(labels, return_counts=True), strict=True)}
    previous_next = int(previous_entry["next_cluster_id"]) if previous_entry is not None else 1
    entry = make_registry_entry(
        transform=transform,
        centroids=centroids,
        as_of_date=as_of_date,
        params=params,
        cluster_sizes=sizes,
        selection=selection,
        drift_reference=drift_reference(frame, spec.input_columns, drift_bins),
        next_cluster_id=max(previous_next, max(ids) + 1),
        personas=personas,
        previous_model_version=None if previous_entry is None else previous_entry["model_version"],
    )
    assignments = pd.DataFrame(
        {id_column: frame[id_column].to_numpy(), "cluster_id": labels, "model_version": entry["model_version"]}
    )
    return SegmentationResult(assignments=assignments, personas=personas, entry=entry, selection=selection, model=model)
