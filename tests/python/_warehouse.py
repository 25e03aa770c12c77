"""A built test warehouse for the tests that check figures on real model output.

`make test` generates a small bank and runs `dbt build` on it before pytest, then points these tests at
it through BANKSEG_TEST_RAW_DIR / BANKSEG_TEST_DUCKDB_PATH. Run alone (plain `pytest`), the fixture
builds its own small bank in a temporary folder (slower, same checks).
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


@dataclass(frozen=True)
class BuiltBank:
    raw_dir: Path
    warehouse: Path


def dbt_env(raw_dir: Path, warehouse: Path) -> dict[str, str]:
    return {
        **os.environ,
        "DBT_PROJECT_DIR": str(ROOT),
        "DBT_PROFILES_DIR": str(ROOT),
        "BANKSEG_RAW_DIR": str(raw_dir),
        "BANKSEG_DUCKDB_PATH": str(warehouse),
        "BANKSEG_TEMP_DIR": str(warehouse.parent / "tmp"),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }


@pytest.fixture(scope="session")
def built_bank(tmp_path_factory) -> BuiltBank:
    raw = os.environ.get("BANKSEG_TEST_RAW_DIR")
    db = os.environ.get("BANKSEG_TEST_DUCKDB_PATH")
    if raw and db and Path(db).exists() and (Path(raw) / "ground_truth").exists():
        return BuiltBank(Path(raw), Path(db))
    tmp = tmp_path_factory.mktemp("bank")
    raw_dir, warehouse = tmp / "raw", tmp / "warehouse.duckdb"
    subprocess.run(
        [
            str(BIN / "bankseg"),
            "generate",
            "--customers",
            "800",
            "--seed",
            "20261129",
            "--out",
            str(raw_dir),
            "--quiet",
        ],
        check=True,
    )
    env = dbt_env(raw_dir, warehouse)
    subprocess.run(
        [str(BIN / "dbt"), "build", "--target-path", str(tmp / "target"), "--log-path", str(tmp / "logs")],
        cwd=ROOT,
        env=env,
        check=True,
    )
    return BuiltBank(raw_dir, warehouse)
