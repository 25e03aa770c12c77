"""Effective value tiers per customer and month end: hysteresis over the raw tiers of the SQL model
int_segment_tier_scores_monthly (python/bankseg/segmentation/tiers.py: effective_tier_history).

Thin: fetch the tier config seed, then the raw tiers a share of the customers at a time (per_customer_share: about
var('segmentation_rows_per_part') rows in memory, not the whole history); call effective_tier_history.
"""

from bankseg.segmentation.marts import per_customer_share
from bankseg.segmentation.tiers import effective_tier_history

RAW_COLUMNS = "customer_id, month_end_date, recency_score, frequency_score, monetary_score, rfm_score, raw_tier_code"


def model(dbt, session):
    dbt.config(materialized="table")
    # a statement of its own: dbt finds the config keys a Python model reads only in simple calls
    rows_per_part = int(dbt.config.get("rows_per_part"))
    raw = dbt.ref("int_segment_tier_scores_monthly").project(RAW_COLUMNS)
    config = dbt.ref("ref_segment_tier_config").project("parameter, value").df()
    return per_customer_share(
        raw, rows_per_part, lambda frame: effective_tier_history(frame, config), ["customer_id", "month_end_date"]
    )
