"""The DuckDB profile gives database-wide settings once, at open, so a build that spills keeps running."""

from __future__ import annotations

import yaml

from _warehouse import ROOT

DATABASE_WIDE = ("memory_limit", "temp_directory", "preserve_insertion_order")


def duckdb_output() -> dict:
    profile = yaml.safe_load((ROOT / "profiles.yml").read_text())
    return profile["bankseg"]["outputs"]["dev"]


def test_database_wide_settings_are_config_options_not_per_cursor_settings():
    # dbt-duckdb runs `SET key = value` for every entry of `settings` on each new cursor (one per model), and
    # DuckDB refuses to set temp_directory again once a query has spilled to it: the 1M-customer benchmark
    # failed on every model after the first spill. `config_options` are given to duckdb.connect once.
    output = duckdb_output()
    assert output["type"] == "duckdb"
    for key in DATABASE_WIDE:
        assert key in output["config_options"], key
        assert key not in (output.get("settings") or {}), key


def test_resources_come_from_env_vars():
    options = duckdb_output()["config_options"]
    assert "BANKSEG_MEMORY_LIMIT" in options["memory_limit"]
    assert "BANKSEG_TEMP_DIR" in options["temp_directory"]
    assert "BANKSEG_THREADS" in duckdb_output()["threads"]
