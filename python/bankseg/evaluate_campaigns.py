"""Compare the KPI marts with the generator's planted truth (``<data>/ground_truth/``).

Models never read the truth; only this module does.

Campaigns (``marts.fct_campaign_performance``, the ``all`` segment row of each campaign) against
``ground_truth/campaigns.parquet``: the generator converts a hold-out control member with probability ``base * r``
and a contacted member with ``base * r + uplift`` (``r`` an individual propensity with mean 1), so the planted
``true_uplift`` is the expected treated-minus-control conversion rate. For each campaign: the estimated uplift,
its 95% interval from the mart, the planted uplift and whether the interval covers it; over campaigns the
coverage share, which should be about 0.95. With a handful of campaigns the covered count of a correct 95%
interval is itself Binomial(n, 0.95), so the report gives the range a correct interval lands in 95% of the time.
The plain Wald interval of the same counts is reported next to the mart's Agresti-Caffo interval, to show why the
mart uses the latter (with small control groups and no control conversion the Wald interval has zero width on
the control side).

Churn: the planted churners (``persons.is_churned``, ``churn_month``) against the customers the warehouse
flags churned (lifecycle, doc block churned_customer) at the as-of date, per customer (precision, recall) and per
month (planted churn months against the months ``fct_segment_kpis_monthly`` counts churners in, with the
detection lag: the warehouse flags a churner once the relationship has been quiet for ``churn_inactivity_days``).
"""

from __future__ import annotations

import math
from pathlib import Path

import duckdb
import pandas as pd

from .evaluate_segments import customer_persons

Z_95 = 1.959964


def uplift_interval(
    contacted: int,
    contacted_converted: int,
    control: int,
    control_converted: int,
    method: str = "agresti_caffo",
    z: float = Z_95,
) -> dict[str, float | None]:
    """Uplift (treated minus control conversion rate) with its normal-approximation confidence interval.

    ``agresti_caffo`` (the mart's method) adds one conversion and one non-conversion to each group and takes the
    Wald interval of the adjusted difference; ``wald`` is the plain interval
    ``d +- z * sqrt(p1 (1 - p1) / n1 + p0 (1 - p0) / n0)``. Bounds are clipped to [-1, 1]. Without members in
    either group, everything is None.
    """
    if method not in ("agresti_caffo", "wald"):
        raise ValueError(f"method {method!r}: expected 'agresti_caffo' or 'wald'")
    if contacted <= 0 or control <= 0:
        return {"uplift": None, "standard_error": None, "ci_lower": None, "ci_upper": None}
    if not (0 <= contacted_converted <= contacted and 0 <= control_converted <= control):
        raise ValueError("conversions must lie between 0 and the group size")
    uplift = contacted_converted / contacted - control_converted / control
    add = 1 if method == "agresti_caffo" else 0
    p1 = (contacted_converted + add) / (contacted + 2 * add)
    p0 = (control_converted + add) / (control + 2 * add)
    se = math.sqrt(p1 * (1 - p1) / (contacted + 2 * add) + p0 * (1 - p0) / (control + 2 * add))
    centre = p1 - p0
    return {
        "uplift": uplift,
        "standard_error": se,
        "ci_lower": max(centre - z * se, -1.0),
        "ci_upper": min(centre + z * se, 1.0),
    }


def binomial_central_range(n: int, p: float = 0.95, level: float = 0.95) -> tuple[int, int]:
    """Smallest and largest count k of Binomial(n, p) outside the (1 - level) / 2 tails: where a correct 95%
    interval's covered count lands with probability ``level``."""
    if n <= 0:
        return (0, 0)
    pmf = [math.comb(n, k) * p**k * (1 - p) ** (n - k) for k in range(n + 1)]
    tail = (1 - level) / 2
    low, acc = 0, 0.0
    for k in range(n + 1):
        acc += pmf[k]
        if acc > tail:
            low = k
            break
    high, acc = n, 0.0
    for k in range(n, -1, -1):
        acc += pmf[k]
        if acc > tail:
            high = k
            break
    return (low, high)


def campaign_coverage(estimates: pd.DataFrame, truth: pd.DataFrame) -> dict:
    """Per campaign estimate, interval, planted uplift and coverage; the coverage share over campaigns.

    ``estimates``: one row per campaign with ``campaign_id``, ``contacted_count``, ``contacted_converted_count``,
    ``control_count``, ``control_converted_count``, ``uplift``, ``uplift_ci_lower``, ``uplift_ci_upper``.
    ``truth``: ``campaign_id``, ``true_uplift`` (and, optionally, the generator's own counts).
    A planted campaign missing from the warehouse is listed with ``estimated: False``.
    """
    merged = truth.merge(estimates, on="campaign_id", how="left", indicator=True)
    rows = []
    for rec in merged.sort_values("campaign_id").to_dict("records"):
        planted = float(rec["true_uplift"])
        row: dict = {"campaign_id": rec["campaign_id"], "planted_uplift": planted}
        if rec["_merge"] != "both" or pd.isna(rec.get("uplift_ci_lower")):
            row.update({"estimated": False, "covered": None})
            rows.append(row)
            continue
        lower, upper = float(rec["uplift_ci_lower"]), float(rec["uplift_ci_upper"])
        wald = uplift_interval(
            int(rec["contacted_count"]),
            int(rec["contacted_converted_count"]),
            int(rec["control_count"]),
            int(rec["control_converted_count"]),
            method="wald",
        )
        row.update(
            {
                "estimated": True,
                "estimated_uplift": float(rec["uplift"]),
                "ci_lower": lower,
                "ci_upper": upper,
                "covered": bool(lower <= planted <= upper),
                "wald_ci_lower": wald["ci_lower"],
                "wald_ci_upper": wald["ci_upper"],
                "wald_covered": bool(wald["ci_lower"] <= planted <= wald["ci_upper"]),
                "contacted": int(rec["contacted_count"]),
                "contacted_converted": int(rec["contacted_converted_count"]),
                "control": int(rec["control_count"]),
                "control_converted": int(rec["control_converted_count"]),
            }
        )
        for col in ("n_treated", "n_control", "conversions_treated", "conversions_control"):
            if col in rec and not pd.isna(rec[col]):
                row[f"planted_{col}"] = int(rec[col])
        if "observed_uplift" in rec and not pd.isna(rec["observed_uplift"]):
            row["generator_observed_uplift"] = float(rec["observed_uplift"])
        rows.append(row)
    scored = [r for r in rows if r["estimated"]]
    covered = sum(1 for r in scored if r["covered"])
    low, high = binomial_central_range(len(scored))
    return {
        "campaigns": rows,
        "campaign_count": len(rows),
        "estimated_campaign_count": len(scored),
        "covered_count": covered,
        "coverage_share": covered / len(scored) if scored else None,
        "wald_coverage_share": (sum(1 for r in scored if r["wald_covered"]) / len(scored)) if scored else None,
        "expected_covered_range_95": [low, high],
        "is_coverage_plausible": bool(low <= covered <= high) if scored else None,
        "mean_absolute_error": (
            sum(abs(r["estimated_uplift"] - r["planted_uplift"]) for r in scored) / len(scored) if scored else None
        ),
    }


def churn_comparison(planted: pd.DataFrame, flagged: pd.DataFrame, monthly: pd.DataFrame, events: pd.DataFrame) -> dict:
    """Planted churn against the warehouse's.

    ``planted``: one row per warehouse customer matched to a planted person, with ``customer_id``,
    ``is_churned`` (planted) and ``churn_month`` (planted, a month start or null).
    ``flagged``: ``customer_id``, ``is_churned`` of the warehouse at the as-of date.
    ``monthly``: ``month_end_date``, ``churned_customer_count`` of the warehouse per month (all tiers).
    ``events``: ``customer_id``, ``month_end_date`` of the month the warehouse counted the customer churned.
    """
    frame = planted.merge(flagged, on="customer_id", suffixes=("_planted", "_warehouse"))
    truth = frame["is_churned_planted"].astype(bool)
    predicted = frame["is_churned_warehouse"].astype(bool)
    hits = int((truth & predicted).sum())
    planted_months = pd.to_datetime(planted.loc[planted["is_churned"].astype(bool), "churn_month"]).dt.to_period("M")
    months = pd.to_datetime(monthly["month_end_date"]).dt.to_period("M")
    per_month = []
    for period, count in zip(months, monthly["churned_customer_count"], strict=True):
        per_month.append(
            {
                "month": str(period),
                "warehouse_churned": int(count),
                "planted_churned": int((planted_months == period).sum()),
            }
        )
    lag = events.merge(planted[planted["is_churned"].astype(bool)], on="customer_id")
    lag_months = (
        pd.to_datetime(lag["month_end_date"]).dt.to_period("M") - pd.to_datetime(lag["churn_month"]).dt.to_period("M")
    ).apply(lambda offset: offset.n)
    return {
        "customers_compared": len(frame),
        "planted_churned": int(truth.sum()),
        "warehouse_churned_at_as_of": int(predicted.sum()),
        "precision": hits / int(predicted.sum()) if predicted.any() else 1.0,
        "recall": hits / int(truth.sum()) if truth.any() else 1.0,
        "per_month": per_month,
        "warehouse_churn_events": len(events),
        "warehouse_events_of_planted_churners": len(lag),
        "median_detection_lag_months": float(lag_months.median()) if len(lag) else None,
    }


def evaluate_campaigns(warehouse: Path | str, data: Path | str) -> dict:
    """Campaign uplift intervals against the planted uplift, and churn counts against the generator's."""
    truth_dir = Path(data) / "ground_truth"
    if not (truth_dir / "campaigns.parquet").exists():
        raise FileNotFoundError(f"no ground truth at {truth_dir} (only generated banks have one)")
    truth = pd.read_parquet(truth_dir / "campaigns.parquet")
    persons = pd.read_parquet(truth_dir / "persons.parquet", columns=["person_id", "is_churned", "churn_month"])
    keys = pd.read_parquet(truth_dir / "system_keys.parquet", columns=["system", "system_key", "person_id"])
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        estimates = con.execute(
            """
            select campaign_id, attribution_days, contacted_count, contacted_converted_count, control_count,
                control_converted_count, uplift, uplift_ci_lower, uplift_ci_upper
            from marts.fct_campaign_performance
            where segment_type = 'all'
            """
        ).df()
        identity = con.execute(
            "select source_system as system, system_key, customer_id from intermediate.int_customer_identity_map"
        ).df()
        flagged = con.execute(
            "select customer_id, is_churned from marts.fct_customer_features_monthly where is_as_of_month"
        ).df()
        monthly = con.execute(
            """
            select month_end_date, sum(churned_customer_count) as churned_customer_count
            from marts.fct_segment_kpis_monthly
            where segment_type = 'tier'
            group by month_end_date
            order by month_end_date
            """
        ).df()
        events = con.execute(
            "select customer_id, month_end_date from intermediate.int_kpi_customer_months where is_churned_in_month"
        ).df()
    finally:
        con.close()
    result = campaign_coverage(estimates, truth)
    result["attribution_days"] = int(estimates["attribution_days"].iloc[0]) if len(estimates) else None
    planted = customer_persons(keys, identity).merge(persons, on="person_id")
    result["churn"] = churn_comparison(planted[["customer_id", "is_churned", "churn_month"]], flagged, monthly, events)
    return result


__all__ = [
    "binomial_central_range",
    "campaign_coverage",
    "churn_comparison",
    "evaluate_campaigns",
    "uplift_interval",
]
