"""Feature drift: PSI per feature and month against the training data of the model used for that month."""

import json

from bankseg.segmentation.marts import clustering_frame, drift_table


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
    customers = dbt.ref("dim_customers").project(", ".join(["customer_id", *attributes])).df()
    registry = dbt.ref("int_segment_models").project("model_version, as_of_date, entry_json").df()
    return drift_table(clustering_frame(monthly.df(), customers, attributes), registry, policy)
