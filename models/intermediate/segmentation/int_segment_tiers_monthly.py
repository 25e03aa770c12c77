"""Effective value tiers per customer and month end: hysteresis over the raw tiers of the SQL model
int_segment_tier_scores_monthly (python/bankseg/segmentation/tiers.py: effective_tier_history).

Thin: fetch the raw tiers and the tier config seed; call effective_tier_history.
"""

from bankseg.segmentation.tiers import effective_tier_history

RAW_COLUMNS = "customer_id, month_end_date, recency_score, frequency_score, monetary_score, rfm_score, raw_tier_code"


def model(dbt, session):
    dbt.config(materialized="table")
    raw = dbt.ref("int_segment_tier_scores_monthly").project(RAW_COLUMNS).df()
    config = dbt.ref("ref_segment_tier_config").project("parameter, value").df()
    return effective_tier_history(raw, config)
