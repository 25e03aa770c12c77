"""The KPI marts recomputed from the tables below them, on the test bank.

Churn rate and campaign conversion are recomputed here from the monthly features, segments, CRM staging tables,
identity map and products, independently of the intermediate kpi models; segment rows must add up to the totals.
"""

from __future__ import annotations

import duckdb
import pandas as pd
import pytest

from _warehouse import built_bank  # noqa: F401 - pytest fixture


@pytest.fixture(scope="module")
def warehouse(built_bank):  # noqa: F811
    con = duckdb.connect(str(built_bank.warehouse), read_only=True)
    yield con
    con.close()


def frame(con: duckdb.DuckDBPyConnection, sql: str) -> pd.DataFrame:
    return con.execute(sql).df()


def test_churn_rate_of_the_busiest_month_matches_a_recount(warehouse):
    kpis = frame(warehouse, "select * from marts.fct_segment_kpis_monthly where segment_type = 'tier'")
    by_month = kpis.groupby("month_end_date")["churned_customer_count"].sum()
    assert by_month.max() > 0, "no churner in the test bank's history"
    month = by_month.idxmax()
    features = frame(
        warehouse, "select customer_id, month_end_date, is_churned from marts.fct_customer_features_monthly"
    )
    segments = frame(warehouse, "select customer_id, month_end_date, tier_code from marts.fct_customer_segments")
    months = sorted(features["month_end_date"].unique())
    previous = months[months.index(month) - 1]
    start = features[features["month_end_date"] == previous].merge(segments, on=["customer_id", "month_end_date"])
    start = start[~start["is_churned"]]
    end = features[features["month_end_date"] == month][["customer_id", "is_churned"]]
    recount = start[["customer_id", "tier_code"]].merge(end, on="customer_id", how="left")
    assert recount["is_churned"].notna().all(), "a customer active at the start vanished by the month end"
    expected = recount.groupby("tier_code").agg(start=("customer_id", "size"), churned=("is_churned", "sum"))
    row = kpis[kpis["month_end_date"] == month].set_index("segment_code")
    for tier, counts in expected.iterrows():
        assert row.loc[tier, "start_customer_count"] == counts["start"], tier
        assert row.loc[tier, "churned_customer_count"] == counts["churned"], tier
        assert row.loc[tier, "churn_rate"] == pytest.approx(counts["churned"] / counts["start"]), tier
        assert row.loc[tier, "retention_rate"] == pytest.approx(1 - counts["churned"] / counts["start"]), tier
    others = row.index.difference(expected.index)
    assert (row.loc[others, "start_customer_count"] == 0).all()


def test_every_seed_tier_has_a_row_every_month_and_clusters_are_not_hard_coded(warehouse):
    kpis = frame(warehouse, "select month_end_date, segment_type, segment_code from marts.fct_segment_kpis_monthly")
    tiers = set(frame(warehouse, "select tier_code from reference.ref_segment_tiers")["tier_code"])
    months = frame(warehouse, "select distinct month_end_date from marts.fct_customer_segments")["month_end_date"]
    for month in months:
        assert set(kpis[(kpis.month_end_date == month) & (kpis.segment_type == "tier")].segment_code) == tiers
    clusters = frame(
        warehouse,
        "select distinct month_end_date, cast(cluster_id as varchar) as segment_code from marts.fct_customer_segments",
    )
    published = kpis[kpis.segment_type == "cluster"][["month_end_date", "segment_code"]]
    assert set(map(tuple, published.values)) == set(map(tuple, clusters.values))


def test_segment_rows_add_up_to_the_bank_totals(warehouse):
    kpis = frame(warehouse, "select * from marts.fct_segment_kpis_monthly")
    totals = frame(
        warehouse,
        """
        select segments.month_end_date, count(*) as customer_count, sum(features.aum_amount) as aum_amount,
            sum(features.product_count) as product_count
        from marts.fct_customer_segments as segments
        inner join marts.fct_customer_features_monthly as features using (customer_id, month_end_date)
        group by segments.month_end_date
        """,
    ).set_index("month_end_date")
    kpis["product_total"] = kpis["products_per_customer"].fillna(0) * kpis["customer_count"]
    columns = ["customer_count", "new_customer_count", "start_customer_count", "churned_customer_count"]
    columns += ["complaint_count", "loan_customer_count", "delinquent_loan_customer_count", "nps_respondent_count"]
    sums = {kind: kpis[kpis.segment_type == kind].groupby("month_end_date") for kind in ("tier", "cluster")}
    for column in columns:
        pd.testing.assert_series_equal(sums["tier"][column].sum(), sums["cluster"][column].sum(), check_names=False)
    for kind in ("tier", "cluster"):
        assert (sums[kind]["customer_count"].sum() == totals["customer_count"]).all(), kind
        assert (sums[kind]["aum_amount"].sum().astype(float) - totals["aum_amount"].astype(float)).abs().max() < 0.01
        assert (sums[kind]["product_total"].sum() - totals["product_count"].astype(float)).abs().max() < 1e-6
    assert kpis["churned_customer_count"].sum() > 0 and kpis["complaint_count"].sum() > 0


def test_conversion_of_the_campaign_with_most_conversions_matches_a_recount(warehouse):
    performance = frame(warehouse, "select * from marts.fct_campaign_performance where segment_type = 'all'")
    row = performance.sort_values(["contacted_converted_count", "campaign_id"], ascending=[False, True]).iloc[0]
    assert row["contacted_converted_count"] > 0
    days = int(row["attribution_days"])
    members = frame(
        warehouse,
        f"""
        select contacts.campaign_contact_id, contacts.is_control_group, contacts.contact_date, map.customer_id,
            campaigns.product_code
        from staging.stg_crm__campaign_contacts as contacts
        inner join staging.stg_crm__campaigns as campaigns using (campaign_id)
        left join intermediate.int_customer_identity_map as map
            on map.source_system = 'crm' and map.system_key = contacts.contact_id
        where contacts.campaign_id = '{row["campaign_id"]}'
        """,
    )
    responses = frame(
        warehouse, "select campaign_contact_id, product_code, product_opened_date from staging.stg_crm__responses"
    )
    products = frame(warehouse, "select customer_id, product_code, open_date from intermediate.int_customer_products")
    window_end = members["contact_date"] + pd.to_timedelta(days, unit="D")
    members["window_end"] = window_end

    def opened_in_window(openings: pd.DataFrame, on: str, date_column: str) -> set[str]:
        joined = members.merge(openings, on=[on, "product_code"])
        inside = (joined[date_column] >= joined["contact_date"]) & (joined[date_column] <= joined["window_end"])
        return set(joined.loc[inside, "campaign_contact_id"])

    converted = opened_in_window(responses, "campaign_contact_id", "product_opened_date")
    converted |= opened_in_window(products.dropna(subset=["customer_id"]), "customer_id", "open_date")
    members["converted"] = members["campaign_contact_id"].isin(converted)
    treated, control = members[~members.is_control_group], members[members.is_control_group]
    assert row["contacted_count"] == len(treated)
    assert row["control_count"] == len(control)
    assert row["contacted_converted_count"] == treated["converted"].sum()
    assert row["control_converted_count"] == control["converted"].sum()
    assert row["conversion_rate"] == pytest.approx(treated["converted"].mean())
    if len(control):
        assert row["uplift"] == pytest.approx(treated["converted"].mean() - control["converted"].mean())


def test_campaign_segment_rows_add_up_to_the_campaign(warehouse):
    performance = frame(warehouse, "select * from marts.fct_campaign_performance")
    counts = ["contacted_count", "contacted_converted_count", "control_count", "control_converted_count"]
    whole = performance[performance.segment_type == "all"].set_index("campaign_id")[counts].sort_index()
    for kind in ("tier", "cluster"):
        summed = performance[performance.segment_type == kind].groupby("campaign_id")[counts].sum().sort_index()
        pd.testing.assert_frame_equal(summed, whole, check_dtype=False)
    costs = performance.groupby(["campaign_id", "segment_type"])["campaign_cost_amount"].sum().astype(float).unstack()
    assert (costs["tier"] - costs["all"]).abs().max() < 0.05


def test_every_segment_lists_every_driver_and_sums_add_up(warehouse):
    drivers = frame(warehouse, "select * from marts.fct_churn_drivers")
    signs = drivers.groupby(["segment_type", "segment_code"]).apply(
        lambda rows: frozenset(zip(rows.driver_type, rows.driver_value, strict=True))
    )
    assert signs.nunique() == 1 and len(signs.iloc[0]) > 5
    assert {"balance_drain", "channel_change", "complaint", "nps_band"} <= {sign[0] for sign in signs.iloc[0]}
    churners = drivers.groupby(["segment_type", "driver_type", "driver_value"])["churned_customer_count"].sum()
    assert churners.nunique() == 1


def test_every_churner_has_exactly_one_nps_band_per_segment(warehouse):
    drivers = frame(warehouse, "select * from marts.fct_churn_drivers where driver_type = 'nps_band'")
    assert len(drivers) > 0
    sums = drivers.groupby(["segment_type", "segment_code"]).agg(
        churned=("churned_with_driver_count", "sum"),
        churned_total=("churned_customer_count", "first"),
        retained=("retained_with_driver_count", "sum"),
        retained_total=("retained_customer_month_count", "first"),
    )
    assert (sums["churned"] == sums["churned_total"]).all()
    assert (sums["retained"] == sums["retained_total"]).all()
    kpis = frame(
        warehouse,
        "select segment_type, sum(churned_customer_count) as churned from marts.fct_segment_kpis_monthly group by 1",
    ).set_index("segment_type")["churned"]
    per_type = sums.groupby(level="segment_type")["churned_total"].sum()
    assert per_type["tier"] == per_type["cluster"] == kpis["tier"] == kpis["cluster"]
