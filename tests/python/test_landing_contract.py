"""A changed extract stops the build with an error naming the file and the column (the on-run-start hook)."""

from __future__ import annotations

import shutil
import subprocess

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from _warehouse import BIN, ROOT, dbt_env
from bankseg.contract import schema, table_dir, write_empty_landing


@pytest.fixture(scope="module")
def target_path(tmp_path_factory):
    """One dbt target folder for the module, so dbt parses the project once (partial parsing)."""
    return tmp_path_factory.mktemp("target")


def run_dbt(tmp_path, raw_dir, target_path):
    env = dbt_env(raw_dir, tmp_path / "warehouse.duckdb")
    return subprocess.run(
        [
            str(BIN / "dbt"),
            "build",
            "--select",
            "+stg_core_banking__parties",
            "--exclude-resource-type",
            "test",
            "--exclude-resource-type",
            "unit_test",
            "--target-path",
            str(target_path),
            "--log-path",
            str(tmp_path / "logs"),
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )


@pytest.fixture()
def landing(tmp_path):
    raw = tmp_path / "raw"
    write_empty_landing(raw)
    return raw


def test_an_empty_landing_builds(tmp_path, landing, target_path):
    result = run_dbt(tmp_path, landing, target_path)
    assert result.returncode == 0, result.stdout[-3000:]
    assert "Landing contract checked" in result.stdout


def test_a_renamed_column_names_the_file_and_both_columns(tmp_path, landing, target_path):
    folder = table_dir(landing, "core_banking", "parties")
    renamed = (
        schema("core_banking", "parties")
        .empty_table()
        .rename_columns(["e_mail" if n == "email" else n for n in schema("core_banking", "parties").names])
    )
    bad_file = folder / "part-0001.parquet"
    pq.write_table(renamed, bad_file)
    result = run_dbt(tmp_path, landing, target_path)
    assert result.returncode != 0
    out = " ".join(result.stdout.split())
    assert str(bad_file) in out
    assert 'lacks column "email"' in out
    assert 'has undocumented column "e_mail"' in out


def test_an_extra_column_is_an_error_not_ignored(tmp_path, landing, target_path):
    folder = table_dir(landing, "core_banking", "parties")
    table = schema("core_banking", "parties").empty_table()
    table = table.append_column("loyalty_tier", pa.array([], type=pa.string()))
    pq.write_table(table, folder / "part-0002.parquet")
    result = run_dbt(tmp_path, landing, target_path)
    assert result.returncode != 0
    assert 'has undocumented column "loyalty_tier"' in " ".join(result.stdout.split())


def test_a_missing_landing_table_is_named(tmp_path, landing, target_path):
    shutil.rmtree(table_dir(landing, "kyc", "assessments"))
    result = run_dbt(tmp_path, landing, target_path)
    assert result.returncode != 0
    out = " ".join(result.stdout.split())
    assert "Landing data missing" in out and "kyc.assessments" in out
