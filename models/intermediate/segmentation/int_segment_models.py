"""Model registry: one row per clustering fit (python/bankseg/segmentation/marts.py: fit_registry).

Thin: fetch the as-of month's behaviour and the customer attributes, the earlier registry rows (this table,
when it exists, so cluster ids stay stable against the previous model), fit, return the registry table.
"""

import json

from bankseg.segmentation.marts import clustering_frame, fit_registry


def _previous_registry(dbt, session):
    this = dbt.this
    tables = session.sql(
        "select table_schema, table_name from information_schema.tables where table_schema = '"
        + str(this.schema).replace("'", "''")
        + "'"
    ).fetchall()
    found = any(name == this.identifier for _, name in tables)
    if not found:
        return None
    return session.sql(f"select * from {this}").df()


def model(dbt, session):
    dbt.config(materialized="table")
    spec = json.loads(dbt.config.get("segmentation_features"))
    attributes = json.loads(dbt.config.get("segmentation_customer_attributes"))
    params = json.loads(dbt.config.get("segmentation_params"))
    profile = json.loads(dbt.config.get("segmentation_profile_features"))
    profile_columns = [*profile["heavy_tailed"], *profile["numeric"], *profile["bounded"], *profile["ordinal"]]
    columns = [
        c
        for c in [*spec["heavy_tailed"], *spec["numeric"], *spec["bounded"], *spec["ordinal"], *spec["categorical"]]
        if c not in attributes
    ]
    # aum_amount: the value figure of the personas, read even when it is not a clustering feature
    extra = [] if "aum_amount" in columns else ["aum_amount"]
    monthly = (
        dbt.ref("fct_customer_features_monthly")
        .filter("is_as_of_month")
        .project(", ".join(["customer_id", "month_end_date", *columns, *extra]))
        .df()
    )
    # profile columns (described, not clustered on) come from dim_customers like the attributes
    readable = list(dict.fromkeys([*attributes, *[c for c in profile_columns if c not in columns]]))
    customers = dbt.ref("dim_customers").project(", ".join(["customer_id", *readable])).df()
    frame = clustering_frame(monthly, customers, readable)
    as_of_date = frame["month_end_date"].max()
    fixed_k = params["fixed_k"]
    return fit_registry(
        frame,
        spec,
        as_of_date=as_of_date,
        previous_registry=_previous_registry(dbt, session),
        k_range=range(int(params["k_range"][0]), int(params["k_range"][1]) + 1),
        fixed_k=None if fixed_k is None else int(fixed_k),
        seeds=[int(s) for s in params["seeds"]],
        sample_size=int(params["sample_size"]),
        random_state=int(params["random_state"]),
        n_init=int(params["n_init"]),
        selection_n_init=int(params["selection_n_init"]),
        min_stability=float(params["min_stability"]),
        silhouette_tolerance=None if params["silhouette_tolerance"] is None else float(params["silhouette_tolerance"]),
        drift_bins=int(params["drift_bins"]),
        n_threads=int(params["n_threads"]),
        profile_features=profile,
    )
