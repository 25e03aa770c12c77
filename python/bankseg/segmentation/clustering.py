"""Choosing k, fitting k-means and keeping cluster ids stable from run to run.

**Choosing k** (:func:`choose_k`). For every k in the range, k-means is fitted once per seed (on a random
sample of ``sample_size`` rows when the data are larger; the sample is drawn with ``random_state``). Each k
gets three scores:

- *stability*: the mean adjusted Rand index (ARI) over all pairs of seed runs (1 = every seed finds the same
  partition);
- *silhouette* (higher is better), *Calinski-Harabasz* (between- over within-cluster variance, each divided by
  its degrees of freedom; higher is better) and *Davies-Bouldin* (lower is better, recorded) of the reference
  run, the seed run with the lowest inertia (the first such seed on a tie).

The rule, applied in this order:

1. keep the *stable* k: stability >= ``min_stability`` (if none is stable, keep every k and record
   ``stability_fallback=True``);
2. of those, keep the k whose silhouette is within ``silhouette_tolerance`` of the best silhouette among them
   (differences that small are noise); with ``silhouette_tolerance=None`` (the project's default) skip this step;
3. choose the one with the highest Calinski-Harabasz index; on a tie, the smallest k.

Why Calinski-Harabasz last: on customer data the silhouette is flat over a wide range of k (within a few
hundredths from 3 to 9) and Davies-Bouldin favours the fewest, broadest clusters; both kept choosing 3 or 4
clusters where the planted bank has 6 archetypes (adjusted Rand index 0.45). Calinski-Harabasz peaks where adding
a cluster stops paying for itself (the "elbow" of the inertia), which on the generated banks is the archetype
count or one more (measured: 0.82 on four 20,000-customer banks against 0.45).

Why no silhouette filter by default: on generated banks the silhouettes of k = 4..9 lie within about 0.05 of each
other, so any tolerance is a cut through noise. With 0.05, a 20,000-customer bank lost its Calinski-Harabasz peak
(k = 7, adjusted Rand index 0.82 against the archetypes) by 0.0014 of silhouette and got k = 5 (0.59). Milligan
and Cooper's comparison of 30 stopping rules (Psychometrika, 1985) found Calinski-Harabasz the most reliable on
its own.

With ``fixed_k`` the scores of that k alone are computed and recorded, and it is chosen.

**Assignment** (:func:`nearest_centroid`): every customer takes the nearest centroid, compared on the features
it has (a customer without account transactions has no channel or salary share; imputing the population median
would move it to the middle of the space).

**Stable ids** (:func:`match_cluster_ids`). New centroids are matched to the previous model's centroids by the
Hungarian algorithm (``scipy.optimize.linear_sum_assignment``) on Euclidean distances in the scaled space; a
matched new cluster inherits the previous id, an unmatched one (more clusters than before, or a match farther
than ``max_distance``) gets a fresh id after the largest id used so far. Without a previous model, ids are 1..k
in the lexicographic order of the centroids, so the same partition always gets the same ids.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any

import numpy as np
import pandas as pd
from scipy.optimize import linear_sum_assignment
from sklearn.cluster import KMeans
from sklearn.metrics import adjusted_rand_score, calinski_harabasz_score, davies_bouldin_score, silhouette_score
from threadpoolctl import threadpool_limits

FIRST_CLUSTER_ID = 1
_DECIMALS = 9


@dataclass
class KSelection:
    """The chosen k and every score behind the choice, for the model registry."""

    k: int
    scores: pd.DataFrame
    rule: str
    stability_fallback: bool
    params: dict[str, Any] = field(default_factory=dict)

    def scores_of(self, k: int) -> dict[str, float]:
        """Silhouette, Davies-Bouldin, Calinski-Harabasz, stability and inertia of one k."""
        row = self.scores.loc[self.scores["k"] == k].iloc[0]
        names = ("silhouette", "davies_bouldin", "calinski_harabasz", "stability", "inertia")
        return {name: float(row[name]) for name in names if name in row.index}

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable form: chosen k, rule, parameters and one record per k."""
        records = []
        for row in self.scores.to_dict("records"):
            records.append(
                {
                    key: (bool(v) if isinstance(v, (bool, np.bool_)) else int(v) if key == "k" else float(v))
                    for key, v in row.items()
                }
            )
        return {
            "k": int(self.k),
            "rule": self.rule,
            "stability_fallback": bool(self.stability_fallback),
            "params": self.params,
            "scores": records,
        }


def thread_limit(n_threads: int | None) -> AbstractContextManager:
    """Cap the OpenMP/BLAS threads of the k-means fits (threadpoolctl); ``None`` keeps the libraries' default.

    On a busy machine (dbt and DuckDB running beside) one thread is often faster for small samples.
    """
    return nullcontext() if n_threads is None else threadpool_limits(limits=n_threads)


def fit_clusters(
    matrix: np.ndarray, k: int, random_state: int, n_init: int = 10, *, n_threads: int | None = None
) -> KMeans:
    """Fit k-means (Lloyd, k-means++ initialisation, ``n_init`` starts) with an explicit seed."""
    if k < 1:
        raise ValueError("k must be at least 1")
    if k > len(matrix):
        raise ValueError(f"k={k} is larger than the number of rows ({len(matrix)})")
    with thread_limit(n_threads):
        return KMeans(n_clusters=k, random_state=random_state, n_init=n_init, algorithm="lloyd").fit(matrix)


def _sample(matrix: np.ndarray, sample_size: int | None, random_state: int) -> tuple[np.ndarray, int]:
    if sample_size is None or len(matrix) <= sample_size:
        return matrix, len(matrix)
    rng = np.random.default_rng(random_state)
    rows = np.sort(rng.choice(len(matrix), size=sample_size, replace=False))
    return matrix[rows], sample_size


def choose_k(
    matrix: np.ndarray,
    k_range: Iterable[int] = range(2, 11),
    seeds: Sequence[int] = (0, 1, 2, 3, 4),
    sample_size: int | None = 5000,
    random_state: int = 0,
    *,
    n_init: int = 3,
    min_stability: float = 0.9,
    silhouette_tolerance: float | None = 0.02,
    fixed_k: int | None = None,
    n_threads: int | None = None,
) -> KSelection:
    """Choose the number of clusters by stability, silhouette and Davies-Bouldin (rule in the module doc).

    ``matrix`` is the scaled feature matrix; ``seeds`` are the k-means seeds compared for stability (at least
    two); ``random_state`` draws the sample. Every k must be between 2 and the number of (sampled) rows minus 1.
    """
    matrix = np.asarray(matrix, dtype="float64")
    seeds = [int(s) for s in seeds]
    if len(seeds) < 2:
        raise ValueError("stability needs at least two seeds")
    ks = [int(fixed_k)] if fixed_k is not None else sorted({int(k) for k in k_range})
    if not ks:
        raise ValueError("k_range is empty")
    sample, used = _sample(matrix, sample_size, random_state)
    bad = [k for k in ks if k < 2 or k >= used]
    if bad:
        raise ValueError(f"k must be between 2 and {used - 1} (rows used); got {bad}")
    rows = []
    for k in ks:
        with thread_limit(n_threads):
            runs = [
                KMeans(n_clusters=k, random_state=seed, n_init=n_init, algorithm="lloyd").fit(sample) for seed in seeds
            ]
        reference = min(range(len(runs)), key=lambda i: (runs[i].inertia_, i))
        labels = runs[reference].labels_
        ari = [adjusted_rand_score(a.labels_, b.labels_) for a, b in combinations(runs, 2)]
        rows.append(
            {
                "k": k,
                "silhouette": float(silhouette_score(sample, labels)),
                "davies_bouldin": float(davies_bouldin_score(sample, labels)),
                "calinski_harabasz": float(calinski_harabasz_score(sample, labels)),
                "stability": float(np.mean(ari)),
                "inertia": float(runs[reference].inertia_),
            }
        )
    scores, chosen, fallback = select_k(pd.DataFrame(rows), min_stability, silhouette_tolerance)
    rule = (
        "fixed k"
        if fixed_k is not None
        else (
            f"stability >= {min_stability}{' (none stable: all k kept)' if fallback else ''}; "
            + ("" if silhouette_tolerance is None else f"silhouette within {silhouette_tolerance} of the best; ")
            + "highest Calinski-Harabasz; smallest k on a tie"
        )
    )
    params = {
        "k_range": ks,
        "seeds": seeds,
        "sample_size": sample_size,
        "rows_used": used,
        "random_state": random_state,
        "n_init": n_init,
        "min_stability": min_stability,
        "silhouette_tolerance": silhouette_tolerance,
        "fixed_k": fixed_k,
    }
    return KSelection(k=chosen, scores=scores, rule=rule, stability_fallback=fallback, params=params)


def select_k(
    scores: pd.DataFrame, min_stability: float = 0.9, silhouette_tolerance: float | None = 0.02
) -> tuple[pd.DataFrame, int, bool]:
    """Apply the k rule (module doc) to a table of ``k``, ``silhouette``, ``calinski_harabasz``, ``stability``.

    Returns the table with ``is_stable`` and ``is_candidate`` added, the chosen k and whether no k was stable.
    """
    scores = scores.sort_values("k", kind="mergesort").reset_index(drop=True)
    scores["is_stable"] = scores["stability"] >= min_stability
    fallback = not bool(scores["is_stable"].any())
    pool = scores if fallback else scores[scores["is_stable"]]
    if silhouette_tolerance is None:
        near = pool
    else:
        near = pool[pool["silhouette"] >= pool["silhouette"].max() - silhouette_tolerance]
    scores["is_candidate"] = scores["k"].isin(near["k"])
    ranked = near.assign(_order=-near["calinski_harabasz"]).sort_values(["_order", "k"], kind="mergesort")
    chosen = int(ranked.iloc[0]["k"])
    return scores, chosen, fallback


def _canonical_order(centroids: np.ndarray) -> list[int]:
    """Row indices of ``centroids`` in lexicographic order of their (rounded) coordinates."""
    rounded = np.round(centroids, _DECIMALS)
    return sorted(range(len(rounded)), key=lambda i: tuple(rounded[i]))


def match_cluster_ids(
    prev_centroids: Mapping[int, Sequence[float] | np.ndarray] | None,
    new_centroids: np.ndarray,
    *,
    max_distance: float | None = None,
    next_id: int | None = None,
) -> list[int]:
    """Stable ids for the rows of ``new_centroids``, matched to the previous model's centroids by id.

    Both sets of centroids must be in the same scaled space (see ``FeatureTransform.rescale``). Returns one id
    per new centroid, in row order. ``max_distance`` leaves a farther match unmatched; ``next_id`` is the
    smallest id a new cluster may take (so an id retired earlier is never reused), by default one more than the
    largest previous id, or 1 without a previous model.
    """
    new = np.atleast_2d(np.asarray(new_centroids, dtype="float64"))
    prev = dict(prev_centroids or {})
    ids: list[int | None] = [None] * len(new)
    if prev:
        prev_ids = sorted(prev)
        old = np.vstack([np.asarray(prev[i], dtype="float64") for i in prev_ids])
        if old.shape[1] != new.shape[1]:
            raise ValueError(f"previous centroids have {old.shape[1]} features, new ones {new.shape[1]}")
        distances = np.linalg.norm(new[:, None, :] - old[None, :, :], axis=2)
        rows, cols = linear_sum_assignment(distances)
        for r, c in zip(rows, cols, strict=True):
            if max_distance is None or distances[r, c] <= max_distance:
                ids[r] = prev_ids[c]
    start = max(prev) + 1 if prev else FIRST_CLUSTER_ID
    if next_id is not None:
        start = max(start, int(next_id))
    for row in _canonical_order(new):
        if ids[row] is None:
            ids[row] = start
            start += 1
    return [int(i) for i in ids]


def nearest_centroid(matrix: np.ndarray, centroids: np.ndarray) -> np.ndarray:
    """Row index of the nearest centroid for every row of ``matrix``, comparing each row on its observed features.

    A NaN in ``matrix`` is a missing feature: the squared Euclidean distance is summed over the observed
    features and scaled by ``features / observed`` (so rows with and without gaps are on one scale); a row with
    no observed feature is compared at the training medians (all zeros). Without NaN this is the ordinary
    nearest centroid. On an exact tie the lower index wins.
    """
    matrix = np.atleast_2d(np.asarray(matrix, dtype="float64"))
    centroids = np.atleast_2d(np.asarray(centroids, dtype="float64"))
    if matrix.shape[1] != centroids.shape[1]:
        raise ValueError(f"matrix has {matrix.shape[1]} features, centroids {centroids.shape[1]}")
    if len(matrix) == 0:
        return np.array([], dtype="int64")
    observed = ~np.isnan(matrix)
    empty = ~observed.any(axis=1)
    filled = np.where(observed, matrix, 0.0)
    filled[empty] = 0.0
    observed[empty] = True
    squared = np.zeros((len(matrix), len(centroids)))
    for j, centre in enumerate(centroids):
        squared[:, j] = (((filled - centre) ** 2) * observed).sum(axis=1)
    squared *= matrix.shape[1] / observed.sum(axis=1)[:, None]
    return np.argmin(squared, axis=1).astype("int64")


def relabel(labels: np.ndarray, ids: Sequence[int]) -> np.ndarray:
    """Replace k-means labels 0..k-1 by the stable ids (``ids[label]``)."""
    return np.asarray(ids, dtype="int64")[np.asarray(labels)]
