"""clustering_frame: the frame the cluster models fit on."""

from decimal import Decimal

import pandas as pd
import pytest

from bankseg.segmentation.marts import clustering_frame


def test_text_attributes_stay_text_and_decimals_become_floats():
    monthly = pd.DataFrame(
        {
            "customer_id": ["C1", "C2"],
            "month_end_date": ["2025-12-31", "2025-12-31"],
            "aum_amount": [Decimal("10.50"), Decimal("0.00")],
            "lifecycle_status": ["active", "churned"],
        }
    )
    customers = pd.DataFrame(
        {"customer_id": ["C1", "C2"], "occupation": ["retired", "business_owner"], "kyc_risk_level": ["C2", None]}
    )
    frame = clustering_frame(monthly, customers, ["occupation", "kyc_risk_level"])
    assert frame["occupation"].tolist() == ["retired", "business_owner"]
    assert frame["kyc_risk_level"].tolist()[0] == "C2"
    assert frame["aum_amount"].tolist() == [10.5, 0.0]
    assert frame["lifecycle_status"].tolist() == ["active", "churned"]


def test_the_frame_does_not_depend_on_the_order_rows_were_fetched_in():
    """DuckDB may return a table's rows in any order; the fit samples and initialises from the frame's order."""
    monthly = pd.DataFrame(
        {
            "customer_id": ["C3", "C1", "C2", "C1"],
            "month_end_date": ["2025-12-31", "2025-12-31", "2025-11-30", "2025-11-30"],
            "aum_amount": [Decimal("3"), Decimal("1"), Decimal("2"), Decimal("0.5")],
        }
    )
    customers = pd.DataFrame({"customer_id": ["C2", "C3", "C1"], "occupation": ["b", "c", "a"]})
    frame = clustering_frame(monthly, customers, ["occupation"])
    shuffled = clustering_frame(monthly.iloc[[3, 0, 2, 1]], customers.iloc[[2, 0, 1]], ["occupation"])
    pd.testing.assert_frame_equal(frame, shuffled)
    pairs = list(zip(frame["customer_id"], frame["aum_amount"], strict=True))
    assert pairs == [("C1", 0.5), ("C1", 1.0), ("C2", 2.0), ("C3", 3.0)]


def test_no_customer_to_cluster_gives_empty_typed_tables_not_an_error():
    """A data set whose people hold no product (the bank-additional campaign file) has nobody to cluster."""
    from bankseg.segmentation.marts import assign_history, drift_table, fit_registry, persona_table

    nobody = pd.DataFrame({"customer_id": pd.Series(dtype="string"), "month_end_date": pd.Series(dtype="object")})
    registry = fit_registry(nobody, {"heavy_tailed": ["aum_amount"]}, as_of_date=None)
    assert len(registry) == 0 and registry["k"].dtype == "int64" and registry["is_current"].dtype == bool
    assert len(assign_history(nobody, registry)) == 0
    assert len(persona_table(registry)) == 0
    assert list(drift_table(nobody, registry, None).columns)[:3] == ["model_version", "month_end_date", "feature_name"]


def test_month_by_month_in_parts_gives_the_tables_of_the_whole_history():
    """The dbt models assign clusters and measure drift one month at a time to hold one month in memory."""
    import datetime as dt

    import numpy as np

    from bankseg.segmentation.marts import assign_history, drift_table, fit_registry, in_parts

    rng = np.random.default_rng(7)
    months = [dt.date(2025, 10, 31), dt.date(2025, 11, 30), dt.date(2025, 12, 31)]
    ids = [f"C{i:03d}" for i in range(90)]
    monthly = pd.DataFrame(
        {
            "customer_id": [c for _ in months for c in ids],
            "month_end_date": [m for m in months for _ in ids],
            "aum_amount": np.exp(rng.normal(np.tile(np.repeat([7.0, 10.0, 13.0], 30), 3), 0.4 + 0.2 * rng.random(270))),
            "age_years": rng.normal(np.tile(np.repeat([25.0, 45.0, 65.0], 30), 3), 3.0),
        }
    )
    spec = {"heavy_tailed": ["aum_amount"], "numeric": ["age_years"]}
    fit = {"k_range": range(2, 5), "seeds": [0, 1], "sample_size": None, "n_init": 2}
    registry = fit_registry(monthly[monthly["month_end_date"] == months[1]], spec, as_of_date=months[1], **fit)
    registry = fit_registry(
        monthly[monthly["month_end_date"] == months[2]], spec, as_of_date=months[2], previous_registry=registry, **fit
    )
    assert len(registry) == 2

    def fetch(month):
        return monthly[monthly["month_end_date"] == month]

    def assign(frame):
        return assign_history(frame, registry)

    by_customer_month = ["customer_id", "month_end_date"]
    shuffled = [months[2], months[0], months[1]]
    whole = assign_history(monthly, registry)
    chunked = in_parts(shuffled, fetch, assign, by_customer_month, empty=monthly.iloc[0:0])
    pd.testing.assert_frame_equal(chunked, whole)
    assert set(whole["model_version"]) == set(registry["model_version"])

    whole = drift_table(monthly, registry, None)
    chunked = in_parts(
        shuffled,
        fetch,
        lambda f: drift_table(f, registry, None),
        ["month_end_date", "feature_name"],
        empty=monthly.iloc[0:0],
    )
    pd.testing.assert_frame_equal(chunked, whole)

    # the dbt models' form: one month of a DuckDB relation at a time, joined to the customer attributes
    import duckdb

    from bankseg.segmentation.marts import clustering_frame, per_month

    con = duckdb.connect()
    relation = con.from_df(monthly)
    customers = pd.DataFrame({"customer_id": ids})
    fetched = per_month(relation, con.from_df(customers), [], assign, by_customer_month)
    pd.testing.assert_frame_equal(fetched, assign(clustering_frame(monthly, customers, [])))

    # no month at all: the table built from the empty frame (no rows, the columns of the table), not an error
    nobody = in_parts([], fetch, assign, by_customer_month, empty=monthly.iloc[0:0])
    pd.testing.assert_frame_equal(nobody, assign(monthly.iloc[0:0]))
    nobody = per_month(relation.limit(0), con.from_df(customers), [], assign, by_customer_month)
    pd.testing.assert_frame_equal(nobody, assign(clustering_frame(monthly.iloc[0:0], customers, [])))
    assert len(nobody) == 0 and list(nobody.columns) == ["customer_id", "month_end_date", "cluster_id", "model_version"]


def test_a_share_of_the_customers_at_a_time_gives_the_table_of_all_customers_at_once():
    """int_segment_tiers_monthly runs along each customer's history on a share of the customers at a time
    (per_customer_share: about rows_per_part rows in memory): each customer in one share with all its months."""
    import duckdb
    import numpy as np

    from bankseg.segmentation.marts import per_customer_share

    rng = np.random.default_rng(11)
    ids = [f"C{i:03d}" for i in range(60)]
    months = list(pd.date_range("2024-01-31", periods=12, freq="ME").date)
    monthly = pd.DataFrame(
        {
            "customer_id": [c for c in ids for _ in months],
            "month_end_date": [m for _ in ids for m in months],
            "aum_amount": rng.gamma(2.0, 1000.0, len(ids) * len(months)),
        }
    ).sample(frac=1, random_state=2)
    relation = duckdb.connect().from_df(monthly)
    shares = []

    def history(frame):
        # a customer's rows depend on all its months: a customer split between shares would change them
        shares.append(frame)
        frame = frame.sort_values(["customer_id", "month_end_date"], kind="mergesort").reset_index(drop=True)
        by_customer = frame.groupby("customer_id")["aum_amount"]
        return frame.assign(
            aum_to_date=by_customer.cumsum(),
            aum_total=by_customer.transform("sum"),
            month_count=by_customer.transform("size"),
        )

    by_customer_month = ["customer_id", "month_end_date"]
    parted = per_customer_share(relation, 100, history, by_customer_month)
    assert len(shares) == 8  # ceil(720 / 100)
    customers = [set(share["customer_id"]) for share in shares]
    assert sum(1 for c in customers if c) > 1
    assert sum(len(c) for c in customers) == len(set().union(*customers)) == len(ids)
    for share in shares:
        assert (share.groupby("customer_id").size() == len(months)).all()
    assert (parted["month_count"] == len(months)).all()

    shares.clear()
    whole = per_customer_share(relation, len(monthly), history, by_customer_month)
    assert len(shares) == 1
    pd.testing.assert_frame_equal(parted, whole)
    pd.testing.assert_frame_equal(whole, history(relation.df()))

    # no rows: no share to fetch, the table built once from the relation's empty frame, with its columns
    shares.clear()
    nobody = per_customer_share(relation.filter("aum_amount < 0"), 100, history, by_customer_month)
    assert len(shares) == 1 and len(shares[0]) == 0 and len(nobody) == 0
    assert list(nobody.columns) == [*monthly.columns, "aum_to_date", "aum_total", "month_count"]
    pd.testing.assert_frame_equal(nobody, history(relation.limit(0).df()))

    with pytest.raises(ValueError, match="rows_per_part"):
        per_customer_share(relation, 0, history, by_customer_month)


def test_per_month_joins_the_customer_attributes_in_duckdb_like_the_pandas_frame():
    """per_month leaves the join and the order to DuckDB; the frames it builds from equal clustering_frame's."""
    import duckdb

    from bankseg.segmentation.marts import per_month

    monthly = pd.DataFrame(
        {
            "customer_id": ["C3", "C1", "C2", "C1", "C3", "C2", "C4"],
            "month_end_date": pd.to_datetime(
                ["2025-11-30", "2025-12-31", "2025-11-30", "2025-11-30", "2025-12-31", "2025-12-31", "2025-12-31"]
            ).date,
            "aum_amount": [3.0, 1.5, 2.0, 1.0, 3.5, 2.5, 4.0],
        }
    )
    customers = pd.DataFrame({"customer_id": ["C2", "C1", "C3"], "occupation": ["teacher", "farmer", None]})
    con = duckdb.connect()
    seen = []

    def build(frame):
        seen.append(frame)
        return frame

    fetched = per_month(
        con.from_df(monthly), con.from_df(customers), ["occupation"], build, ["customer_id", "month_end_date"]
    )
    expected = clustering_frame(monthly, customers, ["occupation"])
    pd.testing.assert_frame_equal(fetched, expected)
    for frame in seen:  # each month in customer order, the customer without attributes (C4) kept
        assert frame["customer_id"].tolist() == sorted(frame["customer_id"])
    assert fetched.loc[fetched["customer_id"] == "C4", "occupation"].isna().all()

    twice = pd.concat([customers, customers.iloc[[0]]])
    with pytest.raises(ValueError, match="1 rows repeat a customer_id"):
        per_month(con.from_df(monthly), con.from_df(twice), ["occupation"], build, ["customer_id", "month_end_date"])
