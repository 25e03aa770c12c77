"""Identity resolution against the generator's planted truth, on the test bank (a seed not developed against)."""

from __future__ import annotations

import duckdb
import pandas as pd

from _warehouse import built_bank  # noqa: F401 - pytest fixture
from bankseg.evaluate import evaluate_identity


def test_identity_resolution_meets_precision_and_recall_targets(built_bank):  # noqa: F811
    result = evaluate_identity(built_bank.warehouse, built_bank.raw_dir)
    assert result["records"] > 1000
    assert result["precision"] >= 0.995, result
    assert result["recall"] >= 0.98, result


def test_household_members_sharing_a_phone_are_not_merged(built_bank):  # noqa: F811
    persons = pd.read_parquet(built_bank.raw_dir / "ground_truth" / "persons.parquet")
    keys = pd.read_parquet(built_bank.raw_dir / "ground_truth" / "system_keys.parquet")
    households = persons.dropna(subset=["household_id"]).groupby("household_id").person_id.apply(list)
    households = households[households.map(len) > 1]
    assert len(households) > 0, "the generator planted no shared-phone households"
    con = duckdb.connect(str(built_bank.warehouse), read_only=True)
    try:
        mapped = con.execute(
            "select source_system as system, system_key, customer_id from intermediate.int_customer_identity_map"
        ).df()
    finally:
        con.close()
    keys["system_key"] = keys["system_key"].str.strip().str.upper()
    joined = keys.merge(mapped, on=["system", "system_key"])
    customers_of = joined.groupby("person_id").customer_id.apply(set)
    merged = []
    for members in households:
        seen: dict[str, str] = {}
        for person in members:
            for customer in customers_of.get(person, set()):
                if customer in seen and seen[customer] != person:
                    merged.append((seen[customer], person))
                seen[customer] = person
    assert merged == [], f"{len(merged)} households merged into one customer, e.g. {merged[:3]}"


def test_every_system_key_maps_to_exactly_one_customer(built_bank):  # noqa: F811
    con = duckdb.connect(str(built_bank.warehouse), read_only=True)
    try:
        (dupes,) = con.execute(
            "select count(*) from (select source_system, system_key from intermediate.int_customer_identity_map "
            "group by all having count(distinct customer_id) <> 1)"
        ).fetchone()
        (unmapped,) = con.execute(
            "select count(*) from intermediate.int_identity_records r "
            "left join intermediate.int_customer_identity_map m using (record_key) where m.customer_id is null"
        ).fetchone()
    finally:
        con.close()
    assert (dupes, unmapped) == (0, 0)
