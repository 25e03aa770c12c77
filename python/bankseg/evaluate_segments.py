"""Compare the segmentation marts with the generator's planted truth (``<data>/ground_truth/``).

Models never read the truth; only this module does. Customers are mapped to planted persons as
:mod:`bankseg.evaluate` maps records: (system, key) of ``ground_truth/system_keys`` against
``intermediate.int_customer_identity_map``; a customer takes the person most of its records belong to.

Figures (as-of month of ``marts.fct_customer_segments``):

- ``cluster_archetype_ari``: adjusted Rand index of the clusters against the planted archetypes;
- tier agreement: planted churn against the ``churned`` tier (precision, recall, agreement) and planted value
  (the ``affluent_investor`` archetype) against the ``high_value`` tier;
- ``stability_ari``: mean adjusted Rand index across k-means seeds of the current model (from the registry);
- ``best_single_feature_ari``: how far one clustering feature alone gets - for each feature of the current model
  (as-of month), the best of three 1-D partitions into as many groups as there are archetypes: equal-count
  quantile bins, 1-D k-means (heavy-tailed features on the signed log scale the model uses) and a decision tree
  with that many leaves trained on the archetypes themselves (an upper bound for any split of that feature);
  ``single_feature_ari`` lists each feature's figure. Well below ``cluster_archetype_ari`` means the archetypes
  overlap on every single feature and only the combination separates them.
"""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pandas as pd
from sklearn.cluster import KMeans
from sklearn.metrics import adjusted_rand_score
from sklearn.tree import DecisionTreeClassifier

from .evaluate import _normalise_key
from .segmentation.features import signed_log1p

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


def single_feature_ari(values: pd.Series, truth: pd.Series, *, log_scale: bool = False, seed: int = 0) -> float:
    """Best adjusted Rand index of a 1-D partition of ``values`` into ``truth``'s number of groups.

    The best of equal-count quantile bins, 1-D k-means (on ``signed_log1p`` when ``log_scale``) and a decision
    tree with that many leaves fitted to ``truth`` (missing values at the median; fixed seeds).
    """
    k = int(truth.nunique())
    x = pd.to_numeric(values, errors="coerce").astype("float64")
    if log_scale:
        x = pd.Series(signed_log1p(x.to_numpy()), index=x.index)
    x = x.fillna(x.median() if x.notna().any() else 0.0)
    if k < 2 or x.nunique() < 2:
        return 0.0
    column = x.to_numpy()[:, None]
    bins = pd.qcut(x.rank(method="first"), k, labels=False)
    groups = min(k, int(x.nunique()))
    kmeans = KMeans(n_clusters=groups, n_init=3, random_state=seed).fit_predict(column)
    tree = DecisionTreeClassifier(max_leaf_nodes=k, random_state=seed).fit(column, truth).apply(column)
    return float(max(adjusted_rand_score(truth, p) for p in (bins, kmeans, tree)))


def _as_of_features(con: duckdb.DuckDBPyConnection, registry: pd.DataFrame) -> tuple[pd.DataFrame, set] | None:
    """The current model's continuous input columns at the as-of month (monthly fact, else dim_customers)."""
    if not len(registry):
        return None
    spec = json.loads(registry.iloc[0]["entry_json"])["transform"]["spec"]
    columns = [*spec.get("heavy_tailed", []), *spec.get("numeric", []), *spec.get("bounded", [])]
    monthly = set(con.execute("select * from marts.fct_customer_features_monthly limit 0").df().columns)
    customer = set(con.execute("select * from marts.dim_customers limit 0").df().columns)
    from_monthly = [c for c in columns if c in monthly]
    from_customer = [c for c in columns if c not in monthly and c in customer]
    frame = con.execute(
        f"select {', '.join(['customer_id', *from_monthly])} from marts.fct_customer_features_monthly"
        " where is_as_of_month"
    ).df()
    if from_customer:
        frame = frame.merge(
            con.execute(f"select customer_id, {', '.join(from_customer)} from marts.dim_customers").df(),
            on="customer_id",
            how="left",
        )
    return frame, set(spec.get("heavy_tailed", []))


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
            "select model_version, k, stability_ari, silhouette_score, entry_json"
            " from marts.dim_segment_models where is_current"
        ).df()
        features = _as_of_features(con, registry)
    finally:
        con.close()
    frame = segments.merge(customer_persons(keys, identity), on="customer_id").merge(persons, on="person_id")
    result = segment_scores(frame)
    result["unmatched_customers"] = int(len(segments) - len(frame))
    if features is not None:
        scored = frame[["customer_id", "archetype"]].merge(features[0], on="customer_id", how="left")
        per_feature = {
            column: round(single_feature_ari(scored[column], scored["archetype"], log_scale=column in features[1]), 4)
            for column in features[0].columns
            if column != "customer_id"
        }
        result["single_feature_ari"] = per_feature
        result["best_single_feature_ari"] = max(per_feature.values()) if per_feature else None
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
