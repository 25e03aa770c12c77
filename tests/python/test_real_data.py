"""Figures that must hold on the public bank data sets, on the warehouses `make test-real-data` builds.

- UCI Bank Marketing (bank-full.csv): the marts' overall conversion is exactly 5,289 / 45,211, and every
  segment's conversion equals a direct count of `y` in the CSV rows of the segment's members.
- Berka: every client, account, loan, card and transaction is accounted for (landed or quarantined, and in
  staging accepted or quarantined); the bad loans of the clients, classified by the tier they held on the as-of
  date (or as not yet customers), add up to 76 of 682 loans.

- UCI bank-additional sample: builds end to end with nobody to cluster; conversion exactly the file's 451 / 4,119.

Environment (set by the Makefile): BANKSEG_REAL_BM_RAW / BANKSEG_REAL_BM_DB, BANKSEG_REAL_BMA_DB,
BANKSEG_REAL_BERKA_RAW / BANKSEG_REAL_BERKA_DB, BANKSEG_SHARED_DATA (the folder holding berka/ and
bank_marketing/).
"""

from __future__ import annotations

import csv
import os
from pathlib import Path

import duckdb
import pandas as pd
import pytest

pytestmark = pytest.mark.real_data


def _path(name: str) -> Path:
    value = os.environ.get(name)
    if not value:
        pytest.fail(f"{name} is not set: run these tests with `make test-real-data`")
    path = Path(value)
    if not path.exists():
        pytest.fail(f"{name}={path} does not exist: run `make test-real-data`")
    return path


def _query(db: Path, sql: str) -> pd.DataFrame:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql).df()
    finally:
        con.close()


# ---- UCI Bank Marketing -----------------------------------------------------------------------------------------


def _csv_outcomes() -> pd.DataFrame:
    path = _path("BANKSEG_SHARED_DATA") / "bank_marketing" / "bank-full.csv"
    with path.open(newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter=";"))
    # data row n (1-based) is the party P-BANK-FULL-<n>, as the importer keys it (docs/bank_marketing.md)
    return pd.DataFrame({"line": range(1, len(rows) + 1), "y": [r["y"] for r in rows]})


def test_bank_full_overall_conversion_is_exactly_the_csvs():
    db = _path("BANKSEG_REAL_BM_DB")
    overall = _query(
        db,
        "select contacted_count, contacted_converted_count, conversion_rate from marts.fct_campaign_performance "
        "where segment_type = 'all'",
    )
    assert len(overall) == 1
    row = overall.iloc[0]
    assert (int(row["contacted_count"]), int(row["contacted_converted_count"])) == (45211, 5289)
    assert float(row["conversion_rate"]) == pytest.approx(5289 / 45211, abs=1e-9)
    truth = _csv_outcomes()
    assert (len(truth), int((truth["y"] == "yes").sum())) == (45211, 5289)


def test_bank_full_conversion_per_segment_equals_a_direct_count_from_the_csv():
    db = _path("BANKSEG_REAL_BM_DB")
    raw = _path("BANKSEG_REAL_BM_RAW")
    rows = pd.read_parquet(raw / "bank_marketing" / "client_rows.parquet", columns=["line_number", "party_id"])
    truth = _csv_outcomes().rename(columns={"line": "data_row"})
    # line_number counts the header: data row = line_number - 1
    rows["data_row"] = rows["line_number"] - 1
    members = _query(
        db,
        """
        with treated as (
            select identity.system_key as party_id, members.tier_code, members.cluster_code
            from intermediate.int_kpi_campaign_members as members
            inner join intermediate.int_customer_identity_map as identity
                on members.customer_id = identity.customer_id and identity.source_system = 'core_banking'
            where not members.is_control_group
        )
        select party_id, 'tier' as segment_type, tier_code as segment_code from treated
        union all
        select party_id, 'cluster' as segment_type, cluster_code as segment_code from treated
        """,
    )
    joined = members.merge(rows, on="party_id", how="left").merge(truth, on="data_row", how="left")
    assert joined["y"].notna().all(), "every campaign member maps back to its CSV row"
    direct = (
        joined.assign(converted=joined["y"].eq("yes"))
        .groupby(["segment_type", "segment_code"])["converted"]
        .agg(["size", "sum"])
        .reset_index()
    )
    mart = _query(
        db,
        "select segment_type, segment_code, contacted_count, contacted_converted_count "
        "from marts.fct_campaign_performance where segment_type <> 'all'",
    )
    compared = mart.merge(direct, on=["segment_type", "segment_code"], how="outer", indicator=True)
    assert (compared["_merge"] == "both").all(), compared[compared["_merge"] != "both"]
    assert (compared["contacted_count"] == compared["size"]).all()
    assert (compared["contacted_converted_count"] == compared["sum"]).all()
    for segment_type in ("tier", "cluster"):
        part = compared[compared["segment_type"] == segment_type]
        assert int(part["contacted_count"].sum()) == 45211
        assert int(part["contacted_converted_count"].sum()) == 5289


def test_bank_additional_sample_builds_and_converts_as_the_csv_says():
    """The 21-column layout: no balance, so nobody holds a product and nobody is clustered; the campaign's
    conversion is still exactly the file's, every member in the `unknown` segment."""
    db = _path("BANKSEG_REAL_BMA_DB")
    path = _path("BANKSEG_SHARED_DATA") / "bank_marketing" / "bank-additional.csv"
    with path.open(newline="") as handle:
        outcomes = [row["y"] for row in csv.DictReader(handle, delimiter=";")]
    rows = _query(
        db,
        "select segment_type, segment_code, contacted_count, contacted_converted_count "
        "from marts.fct_campaign_performance order by segment_type",
    )
    expected = (len(outcomes), outcomes.count("yes"))
    assert expected == (4119, 451)
    assert [tuple(r) for r in rows.itertuples(index=False)] == [
        ("all", "all", *expected),
        ("cluster", "unknown", *expected),
        ("tier", "unknown", *expected),
    ]
    assert _query(db, "select count(*) as n from marts.dim_segment_models")["n"].iloc[0] == 0


# ---- Berka ---------------------------------------------------------------------------------------------------------

BERKA_ROWS = {"client": 5369, "account": 4500, "loan": 682, "card": 892}


def _asc_rows(name: str) -> int:
    path = _path("BANKSEG_SHARED_DATA") / "berka" / f"{name}.asc"
    with path.open(encoding="utf-8", errors="replace") as handle:
        return sum(1 for line in handle if line.strip()) - 1  # without the header


def test_berka_every_record_is_landed_or_quarantined_and_staged_or_quarantined():
    db = _path("BANKSEG_REAL_BERKA_DB")
    for name, expected in {**BERKA_ROWS, "trans": _asc_rows("trans")}.items():
        assert _asc_rows(name) == expected or name == "trans"
    staged = _query(
        db,
        """
        select 'client' as name, count(*) as n from staging.stg_core_banking__parties
        union all select 'account', count(*) from staging.stg_core_banking__deposit_accounts
        union all select 'loan', count(*) from staging.stg_loans__loan_accounts
        union all select 'card', count(*) from staging.stg_cards__card_accounts
        union all select 'trans', count(*) from staging.stg_core_banking__transactions
        """,
    )
    quarantined = _query(  # rejected rows only: scope 'value' rows are also staged
        db,
        """
        select
            case source_table
                when 'parties' then 'client' when 'deposit_accounts' then 'account' when 'loan_accounts' then 'loan'
                when 'card_accounts' then 'card' when 'transactions' then 'trans'
            end as name,
            count(*) as n
        from (
            select source_table, quarantine_scope from staging.stg_core_banking__quarantine
            union all select source_table, quarantine_scope from staging.stg_loans__quarantine
            union all select source_table, quarantine_scope from staging.stg_cards__quarantine
        ) as rejected
        where
            quarantine_scope = 'row'
            and source_table in ('parties', 'deposit_accounts', 'loan_accounts', 'card_accounts', 'transactions')
        group by all
        """,
    )
    raw = _path("BANKSEG_REAL_BERKA_RAW")
    importer_quarantine = {
        name: len(pd.read_parquet(raw / "quarantine" / f"berka_{name}.parquet"))
        if (raw / "quarantine" / f"berka_{name}.parquet").exists()
        else 0
        for name in ("client", "account", "loan", "card", "trans")
    }
    counts = (
        staged.merge(quarantined, on="name", how="left", suffixes=("_staged", "_quarantined"))
        .fillna(0)
        .set_index("name")
    )
    for name in ("client", "account", "loan", "card", "trans"):
        total = int(counts.loc[name, "n_staged"] + counts.loc[name, "n_quarantined"]) + importer_quarantine[name]
        assert total == _asc_rows(name), f"{name}: staged + quarantined {total} != {_asc_rows(name)} rows"


def test_berka_bad_loans_by_tier_add_up_to_76_of_682():
    db = _path("BANKSEG_REAL_BERKA_DB")
    by_tier = _query(
        db,
        """
        select
            coalesce(segments.tier_code, 'not a customer on the as-of date') as tier_code,
            count(*) as loans,
            count(*) filter (where loans.status in ('delinquent', 'default')) as bad_loans
        from staging.stg_loans__loan_accounts as loans
        inner join intermediate.int_customer_identity_map as identity
            on identity.source_system = 'loans' and identity.system_key = loans.borrower_id
        left join marts.fct_customer_segments as segments
            on identity.customer_id = segments.customer_id and segments.is_as_of_month
        group by all
        """,
    )
    assert int(by_tier["loans"].sum()) == 682
    assert int(by_tier["bad_loans"].sum()) == 76
    assert len(by_tier) >= 2
