"""Feature drift: PSI per feature and month against the training data of the model used for that month.

Thin: fetch the registry and the drift policy, then the monthly behaviour with the customer attributes one month at a
time (per_month); call drift_table.
"""

import json

from bankseg.segmentation.marts import drift_table, per_month


def model(dbt, session):
    dbt.config(materialized="table")
    spec = json.loads(dbt.config.get("segmentation_features"))
    attributes = json.loads(dbt.config.get("segmentation_customer_attributes"))
    policy = json.loads(dbt.config.get("segmentation_drift_policy"))
    columns = [
        c
        for c in [*spec["heavy_tailed"], *spec["numeric"], *spec["bounded"], *spec["ordinal"], *spec["categorical"]]
        if c not in attributes
    ]
    monthly = dbt.ref("fct_customer_features_monthly").project(", ".join(["customer_id", "month_end_date", *columns]))
    customers = dbt.ref("dim_customers").project(", ".join(["customer_id", *attributes]))
    registry = dbt.ref("int_segment_models").project("model_version, as_of_date, entry_json").df()
    return per_month(
        monthly,
        customers,
        attributes,
        lambda frame: drift_table(frame, registry, policy),
        ["month_end_date", "feature_name"],
    )
