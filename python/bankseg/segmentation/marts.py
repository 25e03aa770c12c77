"""Frame-in, frame-out steps behind the segmentation marts (the dbt Python models only fetch and call these).

- :func:`fit_registry`: fit the clusters of the as-of month and return the registry table (the new model plus
  the earlier models it keeps, the previous one used to keep cluster ids stable);
- :func:`assign_history`: every customer-month assigned with the model recorded for that month;
- :func:`persona_table`: the persona of every cluster of every recorded model;
- :func:`drift_table`: PSI per feature and month against the training data of the model used for that month;
- :func:`per_month`, :func:`per_customer_share` and :func:`in_parts`: how the models fetch a large history from a
  DuckDB relation a part at a time (a month, a share of the customers) and build each part with the steps above.

Past months are assigned with the latest model fitted on or before their month end; months before the first
recorded fit use the earliest model (documented in the ``segment_model_registry`` doc block).
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from .config import ConfigLike
from .drift import DriftPolicy, drift_report
from .features import FeatureSpec
from .pipeline import fit_segmentation
from .registry import assign_with_model, entry_from_json, entry_to_json

REGISTRY_COLUMNS = [
    "model_version",
    "previous_model_version",
    "as_of_date",
    "is_current",
    "k",
    "k_selection_rule",
    "silhouette_score",
    "davies_bouldin_score",
    "stability_ari",
    "customer_count",
    "feature_columns_json",
    "scaling_json",
    "centroids_json",
    "cluster_sizes_json",
    "k_selection_json",
    "personas_json",
    "entry_json",
]


def _empty(columns: Mapping[str, str]) -> pd.DataFrame:
    """A frame with no rows and typed columns, so DuckDB creates the table with the right column types."""
    return pd.DataFrame({name: pd.Series(dtype=dtype) for name, dtype in columns.items()})


REGISTRY_DTYPES = {
    **{c: "string" for c in REGISTRY_COLUMNS},
    "as_of_date": "datetime64[ns]",
    "is_current": "bool",
    "k": "int64",
    "silhouette_score": "float64",
    "davies_bouldin_score": "float64",
    "stability_ari": "float64",
    "customer_count": "int64",
}


def _entries(registry: pd.DataFrame | None) -> list[dict[str, Any]]:
    if registry is None or len(registry) == 0:
        return []
    return [entry_from_json(text) for text in registry["entry_json"]]


def _registry_row(entry: Mapping[str, Any], personas: list[dict[str, Any]], is_current: bool) -> dict[str, Any]:
    quality = entry.get("quality") or {}
    return {
        "model_version": entry["model_version"],
        "previous_model_version": entry.get("previous_model_version"),
        "as_of_date": pd.Timestamp(entry["as_of_date"]).date(),
        "is_current": is_current,
        "k": int(entry["k"]),
        "k_selection_rule": (entry.get("k_selection") or {}).get("rule"),
        "silhouette_score": quality.get("silhouette"),
        "davies_bouldin_score": quality.get("davies_bouldin"),
        "stability_ari": quality.get("stability"),
        "customer_count": int(sum(c["customer_count"] for c in entry["cluster_sizes"])),
        "feature_columns_json": json.dumps(entry["feature_columns"], ensure_ascii=False),
        "scaling_json": json.dumps(entry["scaling"], sort_keys=True, ensure_ascii=False),
        "centroids_json": json.dumps(entry["centroids"], sort_keys=True),
        "cluster_sizes_json": json.dumps(entry["cluster_sizes"], sort_keys=True),
        "k_selection_json": json.dumps(entry.get("k_selection"), sort_keys=True),
        "personas_json": json.dumps(personas, sort_keys=True, ensure_ascii=False),
        "entry_json": entry_to_json(entry),
    }


def fit_registry(
    frame: pd.DataFrame,
    spec: FeatureSpec | Mapping[str, Any],
    *,
    as_of_date: Any,
    previous_registry: pd.DataFrame | None = None,
    **fit_params: Any,
) -> pd.DataFrame:
    """Fit the as-of clusters and return the registry table (``REGISTRY_COLUMNS``), one row per fit.

    ``frame`` has one row per customer (the as-of month). Rows of ``previous_registry`` fitted on other as-of
    dates are kept (one of the same as-of date is replaced, so a rebuild gives the same table); the latest of
    them fitted before ``as_of_date`` is the previous model whose cluster ids the new fit inherits.
    ``fit_params`` go to :func:`~.pipeline.fit_segmentation`.
    """
    if len(frame) == 0:
        # no customer to cluster (a data set whose people hold no product, e.g. the bank-additional campaign
        # file): no fit; the earlier fits stay recorded, none of them current
        if previous_registry is None or len(previous_registry) == 0:
            return _empty(REGISTRY_DTYPES)
        out = previous_registry[REGISTRY_COLUMNS].assign(is_current=False)
        return out.sort_values(["as_of_date", "model_version"], kind="mergesort").reset_index(drop=True)
    as_of = pd.Timestamp(as_of_date).date()
    entries = _entries(previous_registry)
    earlier = [e for e in entries if pd.Timestamp(e["as_of_date"]).date() < as_of]
    previous = max(earlier, key=lambda e: (e["as_of_date"], e["model_version"])) if earlier else None
    result = fit_segmentation(frame, spec, as_of_date=as_of, previous_entry=previous, **fit_params)
    personas = json.loads(result.personas.to_json(orient="records", force_ascii=False))
    rows = [_registry_row(result.entry, personas, True)]
    if previous_registry is not None:
        for row in previous_registry.to_dict("records"):
            if pd.Timestamp(row["as_of_date"]).date() != as_of:
                rows.append({**{c: row.get(c) for c in REGISTRY_COLUMNS}, "is_current": False})
    out = pd.DataFrame(rows, columns=REGISTRY_COLUMNS)
    out["as_of_date"] = pd.to_datetime(out["as_of_date"]).dt.date
    return out.sort_values(["as_of_date", "model_version"], kind="mergesort").reset_index(drop=True)


def model_for_months(registry: pd.DataFrame, month_end_dates: Sequence[Any]) -> dict[Any, str]:
    """The model version used for each month end: the latest fitted on or before it, else the earliest."""
    fits = sorted(
        ((pd.Timestamp(d), v) for d, v in zip(registry["as_of_date"], registry["model_version"], strict=True)),
        key=lambda x: (x[0], x[1]),
    )
    if not fits:
        raise ValueError("the registry is empty")
    out = {}
    for month in month_end_dates:
        stamp = pd.Timestamp(month)
        usable = [v for d, v in fits if d.to_period("M") <= stamp.to_period("M")]
        out[month] = usable[-1] if usable else fits[0][1]
    return out


def assign_history(monthly: pd.DataFrame, registry: pd.DataFrame) -> pd.DataFrame:
    """Cluster id of every customer-month under the model recorded for that month (see :func:`model_for_months`)."""
    if len(monthly) == 0:
        columns = {"customer_id": "string", "month_end_date": "datetime64[ns]", "cluster_id": "int64"}
        return _empty({**columns, "model_version": "string"})
    entries = {e["model_version"]: e for e in _entries(registry)}
    months = sorted(pd.unique(monthly["month_end_date"]))
    chosen = model_for_months(registry, months)
    parts = []
    for month in months:
        rows = monthly[monthly["month_end_date"] == month]
        version = chosen[month]
        parts.append(
            pd.DataFrame(
                {
                    "customer_id": rows["customer_id"].to_numpy(),
                    "month_end_date": rows["month_end_date"].to_numpy(),
                    "cluster_id": assign_with_model(entries[version], rows).astype("int64"),
                    "model_version": version,
                }
            )
        )
    out = pd.concat(parts, ignore_index=True)
    return out.sort_values(["customer_id", "month_end_date"], kind="mergesort").reset_index(drop=True)


def persona_table(registry: pd.DataFrame) -> pd.DataFrame:
    """One row per recorded model and cluster: persona names, size, share, median AUM and distinguishing features."""
    rows = []
    for record in registry.to_dict("records"):
        for persona in json.loads(record["personas_json"]):
            rows.append(
                {
                    "model_version": record["model_version"],
                    "cluster_id": int(persona["cluster_id"]),
                    "persona_name": persona["persona_name"],
                    "persona_name_zh": persona.get("persona_name_zh"),
                    "customer_count": int(persona["customer_count"]),
                    "customer_share": float(persona["customer_share"]),
                    "median_aum_amount": persona.get("median_value_amount"),
                    "top_features": persona["top_features"],
                    "top_features_json": persona["top_features_json"],
                    "is_current_model": bool(record["is_current"]),
                }
            )
    if not rows:
        return _empty(
            {
                "model_version": "string",
                "cluster_id": "int64",
                "persona_name": "string",
                "persona_name_zh": "string",
                "customer_count": "int64",
                "customer_share": "float64",
                "median_aum_amount": "float64",
                "top_features": "string",
                "top_features_json": "string",
                "is_current_model": "bool",
            }
        )
    out = pd.DataFrame(rows).sort_values(["model_version", "cluster_id"], kind="mergesort").reset_index(drop=True)
    # text even when every Chinese name is null (a feature without a Chinese phrase), so the column keeps its type
    out["persona_name_zh"] = out["persona_name_zh"].astype("string")
    return out


def drift_table(monthly: pd.DataFrame, registry: pd.DataFrame, policy: DriftPolicy | ConfigLike | None) -> pd.DataFrame:
    """PSI of every feature for every month against the training data of the model used for that month."""
    if len(monthly) == 0:
        return _empty(
            {
                "model_version": "string",
                "month_end_date": "datetime64[ns]",
                "feature_name": "string",
                "psi": "float64",
                "drift_status": "string",
                "is_feature_flagged": "bool",
                "mean_psi": "float64",
                "max_psi": "float64",
                "is_refit_required": "bool",
                "refit_reasons": "string",
            }
        )
    entries = {e["model_version"]: e for e in _entries(registry)}
    months = sorted(pd.unique(monthly["month_end_date"]))
    chosen = model_for_months(registry, months)
    rows = []
    for month in months:
        version = chosen[month]
        report = drift_report(
            entries[version]["drift_reference"], monthly[monthly["month_end_date"] == month], policy=policy
        )
        for feature in report.features.to_dict("records"):
            rows.append(
                {
                    "model_version": version,
                    "month_end_date": month,
                    "feature_name": feature["feature"],
                    "psi": float(feature["psi"]),
                    "drift_status": feature["status"],
                    "is_feature_flagged": bool(feature["is_flagged"]),
                    "mean_psi": report.mean_psi,
                    "max_psi": report.max_psi,
                    "is_refit_required": report.refit_required,
                    "refit_reasons": "; ".join(report.reasons),
                }
            )
    out = pd.DataFrame(rows)
    return out.sort_values(["month_end_date", "feature_name"], kind="mergesort").reset_index(drop=True)


def in_parts(
    parts: Iterable[Any],
    fetch_part: Callable[[Any], pd.DataFrame],
    build: Callable[[pd.DataFrame], pd.DataFrame],
    sort_by: Sequence[str],
    *,
    empty: pd.DataFrame,
) -> pd.DataFrame:
    """``build`` applied to one part of the rows at a time (``fetch_part(part)``), the results concatenated and sorted.

    For tables whose rows for one part depend only on that part's rows: the months of :func:`assign_history` and
    :func:`drift_table`, the customers of :func:`~.tiers.effective_tier_history`. Gives the same table as ``build``
    on all rows at once while only one part is held in memory (at 1M customers, one month is 1M rows of the 12M;
    docs/bench.md). ``empty`` is a frame with no rows and the columns ``fetch_part`` gives: with no parts, the
    table is ``build(empty)`` (no rows, with the columns and types ``build`` gives them).
    """
    results = [build(fetch_part(part)) for part in sorted(parts)]
    if not results:
        return build(empty)
    out = pd.concat(results, ignore_index=True) if len(results) > 1 else results[0]
    return out.sort_values(list(sort_by), kind="mergesort").reset_index(drop=True)


def per_month(
    monthly: Any,
    customers: Any,
    attributes: Sequence[str],
    build: Callable[[pd.DataFrame], pd.DataFrame],
    sort_by: Sequence[str],
) -> pd.DataFrame:
    """:func:`in_parts` over the months of ``monthly``, a DuckDB relation with ``month_end_date``: each month's
    rows are fetched on their own, with the customer attributes (``attributes`` of ``customers``, a DuckDB relation
    on the same connection, one row per ``customer_id``) joined on, and built (:func:`clustering_frame`).

    DuckDB does the join and the (customer, month) order: in pandas, the merge and the sort on text ids cost most of
    the clustering and drift models' time at 1M customers (docs/bench.md). Raises ``ValueError`` when a customer
    has more than one row in ``customers``."""
    extra = [c for c in attributes if c not in monthly.columns]
    rows = monthly
    if extra:
        people = customers.project(", ".join(["customer_id", *extra]))
        total, missing, distinct = people.aggregate(
            "count(*), count(*) - count(customer_id), count(distinct customer_id)"
        ).fetchall()[0]
        if missing:
            raise ValueError(f"customers: {missing} rows without a customer_id")
        if total != distinct:
            raise ValueError(f"customers: {total - distinct} rows repeat a customer_id; one row per customer expected")
        rows = monthly.join(people, "customer_id", how="left")

    def fetch(part: Any) -> pd.DataFrame:
        return clustering_frame(part.order("customer_id, month_end_date").df(), None, attributes)

    months = [row[0] for row in monthly.project("month_end_date").distinct().fetchall()]
    return in_parts(
        months,
        lambda month: fetch(rows.filter(f"month_end_date = date '{month}'")),
        build,
        sort_by,
        empty=fetch(rows.limit(0)),
    )


def per_customer_share(
    relation: Any,
    rows_per_part: int,
    build: Callable[[pd.DataFrame], pd.DataFrame],
    sort_by: Sequence[str],
) -> pd.DataFrame:
    """:func:`in_parts` over shares of the customers of ``relation``, a DuckDB relation with ``customer_id``, for a
    ``build`` that runs along each customer's history (the value-tier hysteresis of int_segment_tiers_monthly).

    ``ceil(rows / rows_per_part)`` shares by ``hash(customer_id) % parts``: about ``rows_per_part`` rows in memory at
    a time, and every row of a customer (all its months) in the same share. No rows: ``build`` of the relation's
    empty frame."""
    if rows_per_part < 1:
        raise ValueError(f"rows_per_part must be at least 1, got {rows_per_part}")
    rows = relation.aggregate("count(*)").fetchall()[0][0]
    parts = math.ceil(rows / rows_per_part)
    return in_parts(
        range(parts),
        lambda part: relation.filter(f"hash(customer_id) % {parts} = {part}").df(),
        build,
        sort_by,
        empty=relation.limit(0).df(),
    )


def as_float(values: pd.Series) -> np.ndarray:
    """A numeric column (decimals included) as float64, missing as NaN."""
    return pd.to_numeric(values, errors="coerce").astype("float64").to_numpy()


def clustering_frame(monthly: pd.DataFrame, customers: pd.DataFrame | None, attributes: Sequence[str]) -> pd.DataFrame:
    """Monthly behaviour rows with the customer attributes (``attributes`` of ``customers``) joined on, in
    (customer_id, month_end_date) order: a table's row order is not part of its content (the profile lets DuckDB
    write rows in any order), and the k-means sample and initialisation depend on the row order. ``customers``
    None: ``monthly`` already carries the attributes (:func:`per_month` joins them in DuckDB); rows that already
    come in order are not sorted again."""
    keep = ["customer_id", *[c for c in attributes if c not in monthly.columns]]
    if len(keep) > 1:
        if customers is None:
            raise ValueError(f"clustering_frame: no customers given for the attributes {keep[1:]}")
        monthly = monthly.merge(customers[keep], on="customer_id", how="left", validate="many_to_one")
    ids = monthly["customer_id"]
    in_order = ids.is_monotonic_increasing and ids.is_unique
    frame = monthly if in_order else monthly.sort_values(["customer_id", "month_end_date"], kind="mergesort")
    frame = frame.reset_index(drop=True)
    frame["month_end_date"] = pd.to_datetime(frame["month_end_date"]).dt.date
    for column in frame.columns:
        # text (codes such as occupation or kyc_risk_level, used as categorical or ordinal features) stays text;
        # numbers, including DuckDB decimals, become floats
        text = column in ("customer_id", "month_end_date") or pd.api.types.is_string_dtype(frame[column])
        if not text and not pd.api.types.is_bool_dtype(frame[column]):
            frame[column] = as_float(frame[column])
    return frame
