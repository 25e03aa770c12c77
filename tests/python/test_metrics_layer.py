"""The semantic layer: MetricFlow validates the semantic models and metrics against the built warehouse, and
`mf query` gives the churn rate by tier by month exactly as fct_segment_kpis_monthly holds it.

MetricFlow reads `<project root>/target/semantic_manifest.json` (a fixed path) and opens the warehouse through
the dbt profile read-write, so the test runs it in a private copy: a folder of links to the project's sources
with its own target/, and a copy of the test warehouse.
"""

from __future__ import annotations

import csv
import shutil
import subprocess

import duckdb
import pytest

from _warehouse import (
    BIN,
    ROOT,
    built_bank,  # noqa: F401 - pytest fixture
    dbt_env,
)

PROJECT_ENTRIES = ("dbt_project.yml", "profiles.yml", "models", "macros", "seeds", "snapshots", "tests", "analyses")
WHERE_TIER = "{{ Dimension('segment_kpi__segment_type') }} = 'tier'"


@pytest.fixture(scope="module")
def mf_project(built_bank, tmp_path_factory):  # noqa: F811 - fixture argument
    tmp = tmp_path_factory.mktemp("metricflow")
    root = tmp / "project"
    root.mkdir()
    for name in PROJECT_ENTRIES:
        if (ROOT / name).exists():
            (root / name).symlink_to(ROOT / name)
    warehouse = tmp / "warehouse.duckdb"
    shutil.copyfile(built_bank.warehouse, warehouse)
    env = {**dbt_env(built_bank.raw_dir, warehouse), "DBT_PROJECT_DIR": str(root), "DBT_PROFILES_DIR": str(root)}
    env.pop("DBT_TARGET_PATH", None)
    subprocess.run(
        [str(BIN / "dbt"), "parse", "--log-path", str(tmp / "logs")], cwd=root, env=env, check=True, capture_output=True
    )
    assert (root / "target" / "semantic_manifest.json").exists()
    return root, env, warehouse


def run_mf(project, *args: str) -> subprocess.CompletedProcess:
    root, env, _ = project
    return subprocess.run([str(BIN / "mf"), *args], cwd=root, env=env, capture_output=True, text=True, timeout=600)


def test_semantic_models_and_metrics_validate_against_the_warehouse(mf_project):
    result = run_mf(mf_project, "validate-configs")
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "Successfully validated metrics against data warehouse" in output
    assert "Breaking issues" not in output


def test_churn_rate_by_tier_by_month_matches_the_kpi_mart(mf_project, tmp_path):
    out = tmp_path / "churn.csv"
    result = run_mf(
        mf_project,
        "query",
        "--metrics",
        "churn_rate",
        "--group-by",
        "metric_time__month,segment_kpi__tier_code",
        "--where",
        WHERE_TIER,
        "--csv",
        str(out),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    with out.open() as handle:
        rows = list(csv.DictReader(handle))
    got = {
        (row["metric_time__month"][:7], row["segment_kpi__tier_code"]): (
            float(row["churn_rate"]) if row["churn_rate"] not in ("", "None") else None
        )
        for row in rows
    }
    _, _, warehouse = mf_project
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        expected_rows = con.execute(
            """
            select strftime(month_end_date, '%Y-%m'), segment_code,
                   sum(churned_customer_count)::double / nullif(sum(start_customer_count), 0)
            from marts.fct_segment_kpis_monthly
            where segment_type = 'tier'
            group by all
            """
        ).fetchall()
    finally:
        con.close()
    expected = {(month, tier): rate for month, tier, rate in expected_rows}
    assert set(got) == set(expected)
    assert len(expected) >= 12 * 5  # a year of months, every tier
    for key, rate in expected.items():
        if rate is None:
            assert got[key] is None, key
        else:
            assert got[key] == pytest.approx(rate, rel=1e-9, abs=1e-12), key
    assert any(rate for rate in expected.values()), "no month with churn: the comparison would prove nothing"
