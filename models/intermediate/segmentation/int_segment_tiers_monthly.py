"""Effective value tiers per customer and month end: hysteresis over the raw tiers of the SQL model
int_segment_tier_scores_monthly (python/bankseg/segmentation/tiers.py: effective_tier_history).

Thin: fetch the tier config seed, then the raw tiers a share of the customers at a time (in_parts: about
var('segmentation_rows_per_part') rows in memory, not the whole history); call effective_tier_history.
"""

import math

from bankseg.segmentation.marts import in_parts
from bankseg.segmentation.tiers import effective_tier_history

RAW_COLUMNS = "customer_id, month_end_date, recency_score, frequency_score, monetary_score, rfm_score, raw_tier_code"


def model(dbt, session):
    dbt.config(materialized="table")
    # a statement of its own: dbt finds the config keys a Python model reads only in simple calls
    rows_per_part = int(dbt.config.get("rows_per_part"))
    raw = dbt.ref("int_segment_tier_scores_monthly").project(RAW_COLUMNS)
    config = dbt.ref("ref_segment_tier_config").project("parameter, value").df()
    rows = raw.aggregate("count(*)").fetchall()[0][0]
    parts = max(1, math.ceil(rows / rows_per_part))

    def fetch_part(part):
        # a customer's months stay together: the hysteresis runs along each customer's history
        return raw.filter(f"hash(customer_id) % {parts} = {part}").df()

    return in_parts(
        range(parts),
        fetch_part,
        lambda frame: effective_tier_history(frame, config),
        sort_by=["customer_id", "month_end_date"],
        empty=raw.limit(0).df(),
    )
