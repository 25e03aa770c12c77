"""Behavioural cluster per customer and month end, each month assigned with the model recorded for it.

Thin: fetch the registry, then the monthly behaviour with the customer attributes one month at a time (per_month:
one month of customers in memory, not the whole history); call assign_history.
"""

import json

from bankseg.segmentation.marts import assign_history, per_month


def model(dbt, session):
    dbt.config(materialized="table")
    spec = json.loads(dbt.config.get("segmentation_features"))
    attributes = json.loads(dbt.config.get("segmentation_customer_attributes"))
    columns = [
        c
        for c in [*spec["heavy_tailed"], *spec["numeric"], *spec["bounded"], *spec["ordinal"], *spec["categorical"]]
        if c not in attributes
    ]
    monthly = dbt.ref("fct_customer_features_monthly").project(", ".join(["customer_id", "month_end_date", *columns]))
    customers = dbt.ref("dim_customers").project(", ".join(["customer_id", *attributes]))
    registry = dbt.ref("int_segment_models").project("model_version, as_of_date, entry_json").df()
    return per_month(
        monthly, customers, attributes, lambda frame: assign_history(frame, registry), ["customer_id", "month_end_date"]
    )
