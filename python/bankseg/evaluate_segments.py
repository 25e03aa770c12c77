"""Compare the segmentation marts with the generator's planted truth (``<data>/ground_truth/``).

Models never read the truth; only this module does. Customers are mapped to planted persons as
:mod:`bankseg.evaluate` maps records: (system, key) of ``ground_truth/system_keys`` against
``intermediate.int_customer_identity_map``; a customer takes the person most of its records belong to.

Figures (as-of month of ``marts.fct_customer_segments``):

- ``cluster_archetype_ari``: adjusted Rand index of the clusters against the planted archetypes;
- tier agreement: planted churn against the ``churned`` tier (precision, recall, agreement) and planted value
  (the ``affluent_investor`` archetype) against the ``high_value`` tier;
- ``stability_ari``: mean adjusted Rand index across k-means seeds of the current model (from the registry).
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
from sklearn.metrics import adjusted_rand_score

from .evaluate import _normalise_key

HIGH_VALUE_ARCHETYPES = ("affluent_investor",)


def customer_persons(system_keys: pd.DataFrame, identity_map: pd.DataFrame) -> pd.DataFrame:
    """customer_id -> person_id: the person most of the customer's records belong to (ties: smallest id)."""
    truth = system_keys[["system", "system_key", "person_id"]].copy()
    truth["system_key"] = _normalise_key(truth["system_key"])
    mapped = identity_map[["system", "system_key", "customer_id"]].copy()
    mapped["system_key"] = _normalise_key(mapped["system_key"])
    joined = truth.drop_duplicates(["system", "system_key"]).merge(mapped, on=["system", "system_key"])
    counts = joined.groupby(["customer_id", "person_id"]).size().rename("records").reset_index()
    counts = counts.sort_values(["customer_id", "records", "person_id"], ascending=[True, False, True])
    return counts.drop_duplicates("customer_id")[["customer_id", "person_id"]].reset_index(drop=True)


def _binary_agreement(predicted: pd.Series, truth: pd.Series) -> dict[str, float | int]:
    predicted, truth = predicted.astype(bool), truth.astype(bool)
    hits = int((predicted & truth).sum())
    return {
        "truth_count": int(truth.sum()),
        "predicted_count": int(predicted.sum()),
        "precision": hits / int(predicted.sum()) if predicted.any() else 1.0,
        "recall": hits / int(truth.sum()) if truth.any() else 1.0,
        "agreement": float((predicted == truth).mean()) if len(truth) else 1.0,
    }


def segment_scores(frame: pd.DataFrame, high_value_archetypes: tuple[str, ...] = HIGH_VALUE_ARCHETYPES) -> dict:
    """Scores of one row per customer with ``cluster_id``, ``tier_code``, ``archetype`` and ``is_churned``."""
    return {
        "customers": len(frame),
        "clusters": int(frame["cluster_id"].nunique()),
        "archetypes": int(frame["archetype"].nunique()),
        "cluster_archetype_ari": float(adjusted_rand_score(frame["archetype"], frame["cluster_id"])),
        "churn_vs_churned_tier": _binary_agreement(frame["tier_code"] == "churned", frame["is_churned"]),
        "value_vs_high_value_tier": _binary_agreement(
            frame["tier_code"] == "high_value", frame["archetype"].isin(high_value_archetypes)
        ),
    }


def evaluate_segments(warehouse: Path | str, data: Path | str) -> dict:
    """Clusters and tiers of the warehouse's as-of month against the planted archetypes, value and churn."""
    truth_dir = Path(data) / "ground_truth"
    if not (truth_dir / "persons.parquet").exists():
        raise FileNotFoundError(f"no ground truth at {truth_dir} (only generated banks have one)")
    persons = pd.read_parquet(truth_dir / "persons.parquet", columns=["person_id", "archetype", "is_churned"])
    keys = pd.read_parquet(truth_dir / "system_keys.parquet", columns=["system", "system_key", "person_id"])
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        identity = con.execute(
            "select source_system as system, system_key, customer_id from intermediate.int_customer_identity_map"
        ).df()
        segments = con.execute(
            "select customer_id, tier_code, cluster_id from marts.fct_customer_segments where is_as_of_month"
        ).df()
        registry = con.execute(
            "select model_version, k, stability_ari, silhouette_score from marts.dim_segment_models where is_current"
        ).df()
    finally:
        con.close()
    frame = segments.merge(customer_persons(keys, identity), on="customer_id").merge(persons, on="person_id")
    result = segment_scores(frame)
    result["unmatched_customers"] = int(len(segments) - len(frame))
    if len(registry):
        current = registry.iloc[0]
        result.update(
            {
                "model_version": str(current["model_version"]),
                "k": int(current["k"]),
                "stability_ari": float(current["stability_ari"]),
                "silhouette": float(current["silhouette_score"]),
            }
        )
    return result
