"""Value tiers per customer and month end, with hysteresis (python/bankseg/segmentation/tiers.py).

Thin: fetch the monthly features, the relationship start dates and the tier config seed; call tier_history.
"""

from bankseg.segmentation.marts import tier_history

FEATURE_COLUMNS = (
    "customer_id, month_end_date, days_since_last_activity, transaction_count_3m, "
    "cast(debit_amount_3m as double) as debit_amount_3m, cast(aum_amount as double) as aum_amount, lifecycle_status"
)


def model(dbt, session):
    dbt.config(materialized="table")
    features = dbt.ref("fct_customer_features_monthly").project(FEATURE_COLUMNS).df()
    customers = dbt.ref("dim_customers").project("customer_id, relationship_start_date").df()
    config = dbt.ref("ref_segment_tier_config").project("parameter, value").df()
    return tier_history(features, customers, config)
