"""The Spark build of a small bank agrees with its DuckDB build (make test-spark; README "Engines").

`make test-spark` builds the same generated bank with `dbt build --selector spark` twice: on a local Spark session
(dbt-spark, method session) and on DuckDB. These tests read the tables Spark wrote (Parquet files under the Spark
warehouse folder, read here with DuckDB, so no second JVM is needed) and compare them with the DuckDB build: the same
tables, the same row count and values in every staging and intermediate table, the same quarantined rows per landing
table and reason, and the same resolved customers with the same customer ids.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import duckdb
import pytest

pytestmark = pytest.mark.spark

SPARK_WAREHOUSE = os.environ.get("BANKSEG_SPARK_WAREHOUSE")
COMPARE_DUCKDB = os.environ.get("BANKSEG_SPARK_COMPARE_DUCKDB")
RUN_RESULTS = os.environ.get("BANKSEG_SPARK_RUN_RESULTS")


@pytest.fixture(scope="module")
def builds():
    if not (SPARK_WAREHOUSE and COMPARE_DUCKDB and Path(SPARK_WAREHOUSE).is_dir() and Path(COMPARE_DUCKDB).exists()):
        pytest.skip("no Spark build: run make test-spark")
    con = duckdb.connect(COMPARE_DUCKDB, read_only=True)
    yield con, Path(SPARK_WAREHOUSE)
    con.close()


def spark_tables(warehouse: Path, schema: str) -> list[str]:
    """The tables Spark materialised in a schema (a folder of Parquet files each; views have none)."""
    folder = warehouse / f"{schema}.db"
    return sorted(p.name for p in folder.iterdir() if p.is_dir() and any(p.glob("*.parquet")))


def spark_sql(con: duckdb.DuckDBPyConnection, warehouse: Path, schema: str, table: str, sql: str) -> list[tuple]:
    """Run `sql` with `t` bound to a Spark table's Parquet files."""
    files = str(warehouse / f"{schema}.db" / table / "*.parquet")
    return con.execute(f"with t as (select * from read_parquet('{files}')) {sql}").fetchall()


def duckdb_tables(con: duckdb.DuckDBPyConnection, schema: str) -> list[str]:
    return [
        r[0]
        for r in con.execute(
            "select table_name from information_schema.tables where table_schema = ? and table_type = 'BASE TABLE' "
            "order by 1",
            [schema],
        ).fetchall()
    ]


@pytest.mark.parametrize("schema", ["staging", "intermediate"])
def test_spark_materialises_the_same_tables(builds, schema):
    con, warehouse = builds
    assert spark_tables(warehouse, schema) == duckdb_tables(con, schema)


@pytest.mark.parametrize("schema", ["staging", "intermediate"])
def test_every_table_has_the_same_row_count(builds, schema):
    con, warehouse = builds
    differences = {}
    for table in duckdb_tables(con, schema):
        spark = spark_sql(con, warehouse, schema, table, "select count(*) from t")[0][0]
        local = con.execute(f"select count(*) from {schema}.{table}").fetchone()[0]
        if spark != local:
            differences[table] = {"spark": spark, "duckdb": local}
    assert not differences


def columns(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> list[tuple[str, str]]:
    return con.execute(
        "select column_name, data_type from information_schema.columns where table_schema = ? and table_name = ? "
        "order by ordinal_position",
        [schema, table],
    ).fetchall()


@pytest.mark.parametrize("schema", ["staging", "intermediate"])
def test_every_table_has_the_same_values(builds, schema):
    """Row for row, every column but four kinds agrees exactly. The incremental bookkeeping of the large base tables
    (_rules_hash, _lookup_hash) is an engine's own hash (and a constant on Spark, where they are rebuilt whole). The
    row fingerprint (the quarantine's row_fingerprint, a base table's _row_fingerprint) differs where a raw value is
    null (the null marker '\\x00' is a backslash escape in a Spark string literal). A base table's _original_values
    (JSON of the raw row, on every row of the non-person tables) differs in doubles of 1e7 and more, which Spark's
    to_json writes as 1.002710633E7 and DuckDB as 10027106.33; the quarantine's original_values, the rows a steward
    reads, are compared. Decimals computed from averages may differ by a cent in the last place (DuckDB averages a
    decimal as a double), so numeric columns are compared by their sums, to a cent a row. The landing file of the
    large base tables is a URI on Spark ('file:/...') and a path on DuckDB: compared without the scheme, so the
    landing positions (file and row index) must agree too."""
    con, warehouse = builds
    differences = {}
    for table in duckdb_tables(con, schema):
        cols = columns(con, schema, table)
        numeric = [c for c, t in cols if t.startswith(("DECIMAL", "DOUBLE", "FLOAT"))]
        exact = ", ".join(
            "regexp_replace(_landing_file, '^file:', '') as _landing_file" if c == "_landing_file" else c
            for c, _ in cols
            if c not in numeric
            and c not in ("row_fingerprint", "_row_fingerprint", "_original_values", "_rules_hash", "_lookup_hash")
        )
        spark = f"read_parquet('{warehouse / f'{schema}.db' / table / '*.parquet'}')"
        local = f"{schema}.{table}"
        for left, right in ((local, spark), (spark, local)):
            missing = con.execute(
                f"select count(*) from (select {exact} from {left} except all select {exact} from {right})"
            ).fetchone()[0]
            if missing:
                differences[f"{table}: rows of {left.split('(')[0]} not in the other"] = missing
        for c in numeric:
            sums = [con.execute(f"select coalesce(sum({c}), 0), count(*) from {r}").fetchone() for r in (local, spark)]
            if abs(float(sums[0][0]) - float(sums[1][0])) > 0.01 * sums[0][1]:
                differences[f"{table}.{c} sum"] = (sums[0][0], sums[1][0])
    assert not differences


def spark_quarantine_counts(con, warehouse: Path, model: str) -> list[tuple]:
    """Quarantined rows per table and reason of a quarantine model on Spark. A quarantine view (doc quarantine_view)
    has no files there: its parts are read, the small-feeds table and the <base>_rejected tables of the system."""
    sql = "select source_system, source_table, quarantine_reason, count(*) from t group by all"
    tables = spark_tables(warehouse, "staging")
    if model in tables:
        return spark_sql(con, warehouse, "staging", model, sql)
    system = model.removeprefix("stg_").removesuffix("__quarantine")
    rows = spark_sql(con, warehouse, "staging", f"base_{system}__quarantine_small_feeds", sql)
    prefix = f"base_{system}__"
    for table in tables:
        if table.startswith(prefix) and table.endswith("_rejected"):
            source_table = table.removeprefix(prefix).removesuffix("_rejected")
            rows += spark_sql(
                con,
                warehouse,
                "staging",
                table,
                f"select '{system}', '{source_table}', quarantine_reason, count(*) from t group by all",
            )
    return rows


def test_quarantined_rows_per_table_and_reason_agree(builds):
    con, warehouse = builds
    sql = "select source_system, source_table, quarantine_reason, count(*) from {} group by all"
    quarantine = [
        r[0]
        for r in con.execute(
            "select table_name from information_schema.tables where table_schema = 'staging' "
            "and table_name like '%\\_\\_quarantine' escape '\\' order by 1"
        ).fetchall()
    ]
    assert len(quarantine) == 7
    spark, local = [], []
    for model in quarantine:
        spark += spark_quarantine_counts(con, warehouse, model)
        local += con.execute(sql.format(f"staging.{model}")).fetchall()
    assert sorted(spark) == sorted(local)
    assert sum(r[3] for r in local) > 0


def test_identity_resolution_finds_the_same_customers(builds):
    con, warehouse = builds
    sql = "select count(distinct customer_id), count(*) from {}"
    spark = spark_sql(con, warehouse, "intermediate", "int_customer_identity_map", sql.format("t"))[0]
    local = con.execute(sql.format("intermediate.int_customer_identity_map")).fetchone()
    assert spark == local
    assert local[0] > 0
    # same hashes (SHA-256 of the salted value, md5 of the cluster label) give the same customer ids
    ids = "select customer_id from {} except select customer_id from {}"
    spark_files = str(warehouse / "intermediate.db" / "int_customer_identity_map" / "*.parquet")
    spark_ids = f"read_parquet('{spark_files}')"
    assert con.execute(ids.format(spark_ids, "intermediate.int_customer_identity_map")).fetchall() == []


def test_the_spark_build_ran_every_selected_node(builds):
    if not (RUN_RESULTS and Path(RUN_RESULTS).exists()):
        pytest.skip("no run_results.json of the Spark build")
    results = json.loads(Path(RUN_RESULTS).read_text())["results"]
    failed = [(r["unique_id"], r["status"]) for r in results if r["status"] not in ("success", "pass")]
    assert not failed
    models = [r for r in results if r["unique_id"].startswith("model.")]
    assert len(models) > 50
