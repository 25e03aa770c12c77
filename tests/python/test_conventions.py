"""House conventions checked on the dbt manifest and catalog (our stand-in for dbt-project-evaluator).

`make test` builds a small generated bank and writes its manifest and catalog to BANKSEG_TEST_TARGET; run
alone, the fixture parses the project into a temporary target (catalog checks then need a built warehouse
and are skipped with the reason).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from bankseg.contract import CONTRACT

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def target_dir(tmp_path_factory) -> Path:
    given = os.environ.get("BANKSEG_TEST_TARGET")
    if given and (Path(given) / "manifest.json").exists():
        return Path(given)
    tmp = tmp_path_factory.mktemp("target")
    env = {**os.environ, "DBT_PROJECT_DIR": str(ROOT), "DBT_PROFILES_DIR": str(ROOT)}
    dbt = Path(sys.executable).with_name("dbt")
    subprocess.run([str(dbt), "parse", "--target-path", str(tmp)], cwd=ROOT, env=env, check=True)
    return tmp


@pytest.fixture(scope="module")
def manifest(target_dir) -> dict:
    return json.loads((target_dir / "manifest.json").read_text())


@pytest.fixture(scope="module")
def catalog(target_dir) -> dict:
    path = target_dir / "catalog.json"
    if not path.exists():
        pytest.skip(f"no catalog at {path}: run `make test` (it builds the test warehouse and its docs)")
    return json.loads(path.read_text())


def project_models(manifest: dict) -> list[dict]:
    return [n for n in manifest["nodes"].values() if n["resource_type"] == "model" and n["package_name"] == "bankseg"]


def layer(node: dict) -> str:
    return node["original_file_path"].split("/")[1]


def test_every_model_and_column_is_described(manifest):
    missing = []
    for node in project_models(manifest):
        if not node["description"].strip():
            missing.append(f"{node['name']}: no description")
        for col in node["columns"].values():
            if not col["description"].strip():
                missing.append(f"{node['name']}.{col['name']}: no description")
    assert missing == []


def test_every_built_column_is_documented(manifest, catalog):
    """A column that exists in the warehouse but not in the YAML is undocumented, whatever the YAML says."""
    missing = []
    for node in project_models(manifest):
        built = catalog["nodes"].get(node["unique_id"])
        if built is None:
            missing.append(f"{node['name']}: not in the catalog (not built?)")
            continue
        documented = {c.lower() for c in node["columns"]}
        missing += [f"{node['name']}.{c}" for c in built["columns"] if c.lower() not in documented]
    assert missing == []


def test_every_source_table_and_column_is_described(manifest):
    missing = []
    for src in manifest["sources"].values():
        if not src["description"].strip():
            missing.append(src["unique_id"])
        missing += [f"{src['unique_id']}.{c}" for c, v in src["columns"].items() if not v["description"].strip()]
    assert missing == []


def test_sources_yaml_matches_the_landing_contract():
    """The Python landing contract and the documented sources list the same columns in the same order."""
    for system, tables in CONTRACT.items():
        path = ROOT / "models" / "staging" / system / f"_{system}__sources.yml"
        assert path.exists(), f"{path} missing"
        doc = yaml.safe_load(path.read_text())
        (source,) = [s for s in doc["sources"] if s["name"] == system]
        documented = {t["name"]: [c["name"] for c in t.get("columns", [])] for t in source["tables"]}
        assert set(documented) == set(tables), f"{system}: tables differ"
        for table, cols in tables.items():
            assert documented[table] == [c for c, _ in cols], f"{system}.{table}: columns differ from contract"


def test_every_model_has_a_primary_key_test(manifest):
    tested: dict[str, set[str]] = {}
    for node in manifest["nodes"].values():
        if node["resource_type"] != "test":
            continue
        meta = node.get("test_metadata") or {}
        name = meta.get("name")
        attached = node.get("attached_node")
        if not attached:
            continue
        kinds = tested.setdefault(attached, set())
        if name in ("unique", "not_null"):
            kinds.add(f"{name}:{node.get('column_name')}")
        elif name == "unique_combination_of_columns":
            kinds.add("composite")
    missing = []
    for node in project_models(manifest):
        if node["name"].startswith("base_") or node["name"].endswith("__quarantine"):
            continue  # views of raw rows (no key by design) and the quarantine (tested on its composite key)
        kinds = tested.get(node["unique_id"], set())
        has_single = any(k.startswith("unique:") and f"not_null:{k.split(':', 1)[1]}" in kinds for k in kinds)
        if not (has_single or "composite" in kinds):
            missing.append(node["name"])
    assert missing == []


def test_quarantine_models_have_a_key_test(manifest):
    models = [n for n in project_models(manifest) if n["name"].endswith("__quarantine")]
    tests = {
        n.get("attached_node")
        for n in manifest["nodes"].values()
        if n["resource_type"] == "test"
        and (n.get("test_metadata") or {}).get("name") == "unique_combination_of_columns"
    }
    assert models and all(m["unique_id"] in tests for m in models)


PREFIXES = {"staging": ("stg_", "base_"), "intermediate": ("int_",), "marts": ("dim_", "fct_", "mart_")}


def test_layer_naming_prefixes(manifest):
    wrong = [
        n["original_file_path"]
        for n in project_models(manifest)
        if not n["name"].startswith(PREFIXES.get(layer(n), ("",)))
    ]
    assert wrong == []


def test_sources_are_read_only_in_staging(manifest):
    wrong = [n["name"] for n in project_models(manifest) if n["sources"] and layer(n) != "staging"]
    assert wrong == []


def test_staging_models_never_depend_on_staging_models(manifest):
    """stg_ models read base_ models (and seeds) only; base_ models read sources, seeds and, for orphan
    checks only, the accepted keys of a parent base_ model."""
    nodes = manifest["nodes"]
    wrong = []
    for node in project_models(manifest):
        if layer(node) != "staging":
            continue
        for parent in node["depends_on"]["nodes"]:
            parent_node = nodes.get(parent, {})
            name = parent_node.get("name", "")
            if parent_node.get("resource_type") == "seed" or parent.startswith("source."):
                continue
            if node["name"].startswith("stg_") and not name.startswith("base_"):
                wrong.append(f"{node['name']} -> {name}")
            if node["name"].startswith("base_") and not name.startswith("base_"):
                wrong.append(f"{node['name']} -> {name}")
    assert wrong == []


def test_no_hard_coded_relation_names(manifest):
    """Models reach other relations through ref() and source() only: no `from/join <schema>.<table>`."""
    pattern = re.compile(r"\b(from|join)\s+\"?(reference|staging|intermediate|marts|main)\"?\.", re.IGNORECASE)
    wrong = []
    for node in project_models(manifest):
        code = re.sub(r"\{#.*?#\}", "", node["raw_code"], flags=re.DOTALL)
        code = re.sub(r"--[^\n]*", "", code)
        wrong += [f"{node['name']}: {m.group(0)}" for m in pattern.finditer(code)]
    assert wrong == []


def test_marts_are_public_contracted_tables_without_pii(manifest):
    wrong = []
    for node in project_models(manifest):
        if layer(node) != "marts":
            continue
        cfg = node["config"]
        if node.get("access") != "public":
            wrong.append(f"{node['name']}: access {node.get('access')}")
        if not cfg.get("contract", {}).get("enforced"):
            wrong.append(f"{node['name']}: contract not enforced")
        if cfg.get("materialized") not in ("table", "incremental"):
            wrong.append(f"{node['name']}: materialized {cfg.get('materialized')}")
        wrong += [f"{node['name']}.{c}: pii" for c, v in node["columns"].items() if v.get("meta", {}).get("pii")]
    assert wrong == []


def test_staging_and_intermediate_are_protected(manifest):
    wrong = [
        n["name"]
        for n in project_models(manifest)
        if layer(n) in ("staging", "intermediate") and n.get("access") != "protected"
    ]
    assert wrong == []


def test_pii_columns_are_tagged(manifest):
    wrong = []
    for node in project_models(manifest):
        for name, col in node["columns"].items():
            if col.get("meta", {}).get("pii") and "pii" not in col.get("tags", []):
                wrong.append(f"{node['name']}.{name}")
    assert wrong == []


def test_exposures_depend_on_tables(manifest):
    nodes = manifest["nodes"]
    wrong = []
    for exp in manifest.get("exposures", {}).values():
        for parent in exp["depends_on"]["nodes"]:
            mat = nodes.get(parent, {}).get("config", {}).get("materialized")
            if mat not in ("table", "incremental"):
                wrong.append(f"{exp['name']} -> {parent} ({mat})")
    assert wrong == []
