"""The row reconciliation test (tests/generic/reconciles_with_source.sql) can fail: a raw row that is neither
accepted, quarantined nor an exact duplicate of another raw row makes it fail; an exact duplicate does not."""

from __future__ import annotations

import subprocess

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from _warehouse import BIN, ROOT, dbt_env
from bankseg.contract import table_dir

TEST_SELECTION = "stg_core_banking__deposit_accounts,test_name:reconciles_with_source"


def dbt(tmp_path, raw_dir, target_path, *args):
    return subprocess.run(
        [str(BIN / "dbt"), *args, "--target-path", str(target_path), "--log-path", str(tmp_path / "logs")],
        cwd=ROOT,
        env=dbt_env(raw_dir, tmp_path / "warehouse.duckdb"),
        capture_output=True,
        text=True,
    )


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """A small bank whose core-banking staging models are built once; the tests then only add raw files."""
    tmp = tmp_path_factory.mktemp("reconcile")
    raw, target = tmp / "raw", tmp / "target"
    subprocess.run(
        [str(BIN / "bankseg"), "generate", "--customers", "150", "--seed", "7", "--out", str(raw), "--quiet"],
        check=True,
    )
    result = dbt(
        tmp,
        raw,
        target,
        "build",
        "--select",
        "+stg_core_banking__deposit_accounts",
        "+stg_core_banking__quarantine",
        "--exclude-resource-type",
        "test",
        "--exclude-resource-type",
        "unit_test",
    )
    assert result.returncode == 0, result.stdout[-3000:]
    return tmp, raw, target


def add_raw_file(raw, name, rows: pa.Table):
    pq.write_table(rows, table_dir(raw, "core_banking", "deposit_accounts") / name)


def first_row(raw) -> pa.Table:
    folder = table_dir(raw, "core_banking", "deposit_accounts")
    return pq.read_table(sorted(folder.glob("*.parquet"))[0]).slice(0, 1)


def test_reconciliation_passes_and_counts_an_exact_duplicate(built):
    tmp, raw, target = built
    result = dbt(tmp, raw, target, "test", "--select", TEST_SELECTION)
    assert result.returncode == 0, result.stdout[-3000:]
    assert "PASS reconciles_with_source_stg_core_banking__deposit_accounts" in result.stdout, result.stdout[-3000:]

    add_raw_file(raw, "zz_exact_copy.parquet", first_row(raw))
    try:
        result = dbt(tmp, raw, target, "test", "--select", TEST_SELECTION)
        assert result.returncode == 0, result.stdout[-3000:]
    finally:
        (table_dir(raw, "core_banking", "deposit_accounts") / "zz_exact_copy.parquet").unlink()


def test_reconciliation_fails_on_a_row_the_models_lost(built):
    tmp, raw, target = built
    row = first_row(raw).to_pylist()[0]
    row["account_id"] = "LOST-ACCOUNT-1"
    add_raw_file(raw, "zz_lost_row.parquet", pa.Table.from_pylist([row], schema=first_row(raw).schema))
    try:
        result = dbt(tmp, raw, target, "test", "--select", TEST_SELECTION)
    finally:
        (table_dir(raw, "core_banking", "deposit_accounts") / "zz_lost_row.parquet").unlink()
    assert result.returncode != 0
    assert "FAIL 1 reconciles_with_source_stg_core_banking__deposit_accounts" in result.stdout, result.stdout[-3000:]
