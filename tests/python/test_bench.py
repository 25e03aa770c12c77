"""The benchmark's measuring and reporting pieces (fast), and one small end-to-end run (opt-in).

The end-to-end run builds a 300-customer bank through every stage (layered build, tests, docs, one daily
incremental run, publish, the full-refresh comparison, dbt vs DuckDB alone): about 5 minutes on two shared
cores (eleven dbt invocations of 10-40 s each, mostly fixed cost), so it runs only when ``BANKSEG_BENCH_E2E=1``
is set; ``make test`` stays within its budget.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import os
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from bankseg import bench, contract
from bankseg.landing_ops import hold_back, last_day

# ---- measure ------------------------------------------------------------------------------------------------

_FAKE_STAGE = """
import sys, time
block = bytearray(300 * 2**20)            # 300 MB, touched so it is resident
for i in range(0, len(block), 4096):
    block[i] = 1
t = time.process_time()
while time.process_time() - t < 0.4:      # 0.4 s of CPU
    pass
time.sleep(0.6)                           # 0.6 s of waiting
print("done")
sys.exit(3)
"""


def test_measure_reports_the_child_wall_cpu_memory_and_exit_code(tmp_path):
    log = tmp_path / "fake.log"
    stage = bench.measure("fake", [sys.executable, "-c", _FAKE_STAGE], log=log)
    assert stage.returncode == 3
    assert log.read_text().strip() == "done"
    assert stage.wall_s >= 1.0  # 0.4 s CPU + 0.6 s sleep at least
    assert 0.4 <= stage.user_s + stage.sys_s < 1.0  # the busy loop, not the sleep
    assert stage.cpu_s == pytest.approx(stage.user_s + stage.sys_s)
    assert 300 <= stage.max_rss_mb < 600  # the 300 MB block, not this test process
    assert len(stage.load_before) == 3 and len(stage.load_after) == 3
    with pytest.raises(bench.BenchError, match=r"stage fake failed \(exit 3"):
        bench._check(stage)


def test_measure_counts_only_its_own_child(tmp_path):
    idle = bench.measure("idle", [sys.executable, "-c", "import time; time.sleep(0.3)"])
    assert idle.returncode == 0
    assert idle.user_s + idle.sys_s < 0.3
    assert idle.max_rss_mb < 100


# ---- layers ---------------------------------------------------------------------------------------------------


def _node(uid: str, path: str, parents=(), tags=(), resource_type=None, **config) -> tuple[str, dict]:
    return uid, {
        "resource_type": resource_type or uid.split(".")[0],
        "name": uid.split(".")[-1],
        "original_file_path": path,
        "tags": list(tags),
        "depends_on": {"nodes": list(parents)},
        "config": {"materialized": "table", **config},
        "language": "sql",
        "schema": "s",
        "relation_name": f'"db"."s"."{uid.split(".")[-1]}"',
    }


def _manifest() -> dict:
    return {
        "nodes": dict(
            [
                _node("seed.p.ref", "seeds/ref.csv"),
                _node("model.p.stg", "models/staging/x/stg.sql", ["seed.p.ref"]),
                _node("model.p.int", "models/intermediate/customers/int.sql", ["model.p.stg"]),
                _node("model.p.dim", "models/marts/customer/dim.sql", ["model.p.int"]),
                _node("model.p.seg", "models/intermediate/segmentation/seg.py", ["model.p.dim"], ["segmentation"]),
                _node("model.p.kpi", "models/marts/kpi/kpi.sql", ["model.p.seg", "model.p.stg"]),
                _node("test.p.not_null", "models/staging/x/_models.yml", ["model.p.stg"]),
            ]
        )
    }


def test_assign_layers_maps_each_node_to_one_layer_in_build_order():
    assert bench.assign_layers(_manifest()) == {
        "seed.p.ref": "staging",
        "model.p.stg": "staging",
        "model.p.int": "intermediate",
        "model.p.dim": "marts_customer",
        "model.p.seg": "segmentation",
        "model.p.kpi": "kpi",
    }


def test_assign_layers_rejects_a_backward_dependency_and_an_unplaced_node():
    m = _manifest()
    m["nodes"]["model.p.int"]["depends_on"]["nodes"].append("model.p.kpi")
    with pytest.raises(bench.BenchError, match=r"model.p.int \(layer intermediate\) depends on model.p.kpi"):
        bench.assign_layers(m)
    m = _manifest()
    m["nodes"].update([_node("model.p.loose", "models/marts/other/loose.sql")])
    with pytest.raises(bench.BenchError, match=r"model.p.loose is in 0 layers"):
        bench.assign_layers(m)
    m = _manifest()
    m["nodes"]["model.p.dim"]["tags"] = ["segmentation"]
    with pytest.raises(bench.BenchError, match=r"model.p.dim is in 2 layers"):
        bench.assign_layers(m)


def test_project_manifest_layers_are_a_build_order():
    """The real project: every seed, model and snapshot is in one layer and no layer reads a later one."""
    target = os.environ.get("BANKSEG_TEST_TARGET")
    path = Path(target or "") / "manifest.json"
    if not target or not path.exists():
        pytest.skip("BANKSEG_TEST_TARGET has no manifest.json (run `make test-warehouse` first)")
    manifest = json.loads(path.read_text())
    layers = bench.assign_layers(manifest)
    assert set(layers.values()) == {layer.name for layer in bench.LAYERS}


def test_sql_plan_runs_models_after_their_parents_with_their_materialisation():
    m = _manifest()
    m["nodes"]["model.p.stg"]["config"]["materialized"] = "view"
    run_results = {
        "results": [
            {"unique_id": "model.p.kpi", "compiled_code": "select 3"},
            {"unique_id": "model.p.stg", "compiled_code": "select 1"},
            {"unique_id": "model.p.dim", "compiled_code": "select 2"},
            {"unique_id": "test.p.not_null", "compiled_code": "select 0"},
            {"unique_id": "model.p.int", "compiled_code": "select 4"},
        ]
    }
    plan = bench.sql_plan(m, run_results)
    # model.p.seg (Python) is not in the run: its output is copied in beforehand, kpi only waits for stg
    assert [p["node"] for p in plan] == ["model.p.stg", "model.p.int", "model.p.dim", "model.p.kpi"]
    assert plan[0]["sql"] == 'create or replace view "db"."s"."stg" as (\nselect 1\n)'
    assert plan[3]["sql"].startswith('create or replace table "db"."s"."kpi" as (')


def test_run_plan_executes_the_statements_and_times_each(tmp_path):
    plan = [
        {"node": "model.p.a", "schema": "s", "relation": "s.a", "sql": "create or replace table s.a as (select 1 x)"},
        {
            "node": "model.p.b",
            "schema": "s",
            "relation": "s.b",
            "sql": "create or replace view s.b as (select x + 1 y from s.a)",
        },
    ]
    (tmp_path / "plan.json").write_text(json.dumps(plan))
    conf = {"threads": 1, "memory_limit": "1GB", "temp_directory": str(tmp_path / "tmp")}
    (tmp_path / "conf.json").write_text(json.dumps(conf))
    db = tmp_path / "x.duckdb"
    bench.run_plan(str(tmp_path / "plan.json"), str(db), str(tmp_path / "conf.json"), str(tmp_path / "t.json"))
    timings = json.loads((tmp_path / "t.json").read_text())
    assert [t["node"] for t in timings] == ["model.p.a", "model.p.b"]
    import duckdb

    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("select y from s.b").fetchall() == [(2,)]


# ---- holding back the last day, one part file at a time ------------------------------------------------------


def _transactions(rows: list[tuple[str | None, str | None]]) -> pa.Table:
    sch = contract.schema("core_banking", "transactions")
    data = {}
    for f in sch:
        if f.name == "transaction_id":
            data[f.name] = pa.array([r[0] for r in rows], f.type)
        elif f.name == "transaction_ts":
            data[f.name] = pa.array([r[1] for r in rows], f.type)
        elif f.name == "extracted_at":
            data[f.name] = pa.array(["2025-12-31 21:00:00"] * len(rows), f.type)
        else:
            data[f.name] = pa.nulls(len(rows), f.type)
    return pa.table(data, schema=sch)


PART_A = [
    ("T01", "2025-12-31 09:00:00"),  # last day
    ("T03", "2025-12-30 09:00:00"),  # stays
    ("T04", "2025-12-29 09:00:00"),  # late candidate (two days before)
    ("T09", " 2025-12-28T10:00:00"),  # late candidate, leading blank and T separator
    (None, "2025-12-31 10:00:00"),  # no key, last day
    ("T07", "N/A"),  # no date
    ("T08", "31/12/2025 10:00:00"),  # unparseable
]
PART_B = [
    ("T01", "2025-12-20 09:00:00"),  # shares a held-back key, in another part
    ("T05", "2025-12-29 10:00:00"),
    ("T06", "2025-12-28 09:00:00"),
    ("T10", "2025-13-31 09:00:00"),  # prefix of an impossible date: never the last day
    ("T11", "2025-12-31 25:00:00"),  # last day's prefix, unparseable time: stays
]


def _write_parts(raw: Path) -> list[Path]:
    a = contract.write_table(raw, "core_banking", "transactions", _transactions(PART_A), file_name="part-0000.parquet")
    b = contract.write_table(raw, "core_banking", "transactions", _transactions(PART_B), file_name="part-0001.parquet")
    return [a, b]


def test_data_last_day_equals_last_day_of_the_whole_table(tmp_path):
    _write_parts(tmp_path)
    feed = bench.FEEDS[0]
    whole = pa.concat_tables([_transactions(PART_A), _transactions(PART_B)])
    assert bench.data_last_day(tmp_path, [feed]) == last_day(whole) == dt.date(2025, 12, 31)


def test_hold_back_parts_equals_hold_back_on_the_whole_table(tmp_path):
    raw = tmp_path / "raw"
    parts = _write_parts(raw)
    linked = tmp_path / "original-part-0000.parquet"
    os.link(parts[0], linked)  # the run's landing is hard links: the original must not change
    whole = pa.concat_tables([_transactions(PART_A), _transactions(PART_B)])
    expected = hold_back(whole, key_column="transaction_id", day=dt.date(2025, 12, 31), late_rows_per_day=1)
    got = bench.hold_back_parts(raw, bench.FEEDS[0], dt.date(2025, 12, 31), late_rows_per_day=1)
    assert got.keys == expected.keys == {"T01", "T04", "T06"}
    assert got.late_keys == expected.late_keys
    assert got.extracted_at == expected.extracted_at == "2026-01-01 06:00:00"
    assert sorted(got.later.to_pylist(), key=str) == sorted(expected.later.to_pylist(), key=str)
    remaining = pa.concat_tables([pq.read_table(p) for p in parts])
    assert sorted(remaining.to_pylist(), key=str) == sorted(expected.earlier.to_pylist(), key=str)
    assert pq.read_table(linked).num_rows == len(PART_A)  # written beside, not through, the hard link
    assert bench.delivery_part_name(1) == "part-9001.parquet"


def test_deliveries_are_stamped_after_every_loaded_extract(tmp_path):
    days = [dt.date(2025, 12, 30), dt.date(2025, 12, 31)]
    # nothing loaded: the next morning of each day
    assert bench.delivery_stamps(days, None) == ["2025-12-31 06:00:00", "2026-01-01 06:00:00"]
    # one bulk extract on the evening of the last day: the mornings after it
    assert bench.delivery_stamps(days, dt.datetime(2025, 12, 31, 21)) == [
        "2026-01-01 06:00:00",
        "2026-01-02 06:00:00",
    ]
    # the landing already holds late extracts up to 2026-01-09: the deliveries come after them, a day apart
    assert bench.delivery_stamps(days, dt.datetime(2026, 1, 9, 21)) == [
        "2026-01-10 06:00:00",
        "2026-01-11 06:00:00",
    ]
    rows = _transactions([("T1", "2025-12-31 09:00:00"), ("T2", "2025-12-31 10:00:00"), ("T3", "2025-12-31 11:00:00")])
    stamps = pa.array(["2025-12-31 21:00:00", "2026-01-09 21:00:00", "garbage"])
    rows = rows.set_column(rows.schema.get_field_index("extracted_at"), "extracted_at", stamps)
    contract.write_table(tmp_path, "core_banking", "transactions", rows)
    assert bench.latest_extract(tmp_path, [bench.FEEDS[0]]) == dt.datetime(2026, 1, 9, 21)


# ---- fingerprints and totals ---------------------------------------------------------------------------------


def test_fingerprints_detect_a_changed_row_and_compare_skips_history(tmp_path):
    import duckdb

    dbs = []
    for name, value in (("a", 2), ("b", 3)):
        db = tmp_path / f"{name}.duckdb"
        with duckdb.connect(str(db)) as con:
            con.execute("create schema marts")
            con.execute(f"create table marts.t as select * from (values (1, 'x'), ({value}, 'y')) v(i, s)")
            con.execute("create table marts.same as select 1 as k")
            con.execute(f"create table marts.registry as select {value} as k")
        dbs.append(bench.fingerprints(db, ["marts"]))
    a, b = dbs
    assert a["marts.t"]["rows"] == b["marts.t"]["rows"] == 2
    assert a["marts.t"]["checksum"] != b["marts.t"]["checksum"]
    assert a["marts.same"] == b["marts.same"]
    cmp = bench.compare_fingerprints(a, b, skip={"registry"})
    assert cmp["equal"] is False and cmp["compared"] == 2 and cmp["skipped"] == ["marts.registry"]
    assert [d["table"] for d in cmp["differences"]] == ["marts.t"]
    assert bench.compare_fingerprints(a, a)["equal"] is True


def _stage(name, wall, user, sys_, rss, **extra) -> dict:
    s = bench.StageResult(name, ["x"], wall, user, sys_, rss, 0, [1.5, 1.0, 1.0], [1.0, 1.0, 1.0], **extra)
    return s.to_json()


def _result() -> dict:
    stages = [
        _stage("generate", 10.0, 8.0, 1.0, 900.0, reused=True),
        _stage("build_parse", 20.0, 18.0, 1.0, 300.0),
        _stage("build_staging", 60.0, 50.0, 5.0, 1200.0, dbt={"elapsed_s": 55.5, "statuses": {}, "nodes": 40}),
        _stage("build_tests", 120.0, 100.0, 10.0, 2000.0),
        _stage("incremental_day1", 40.0, 30.0, 2.0, 1500.0, info={"note": "delivers 2025-12-31"}),
        _stage("overhead_dbt", 30.0, 20.0, 1.0, 800.0, dbt={"elapsed_s": 25.0, "statuses": {}, "nodes": 80}),
        _stage("overhead_duckdb", 20.0, 30.0, 1.0, 700.0),
    ]
    result = {
        "schema_version": bench.SCHEMA_VERSION,
        "customers": 10000,
        "seed": 42,
        "months": 12,
        "days": 1,
        "started_at": "2026-11-29T23:00:00+00:00",
        "machine": {
            "cores": 2,
            "ram_gb": 23.4,
            "os": "Linux",
            "python": "3.12.3",
            "duckdb": "2.0.1",
            "dbt_core": "1.11.0",
            "load_avg": [1.0, 1.0, 1.0],
        },
        "settings": {"threads": 2, "memory_limit": "8GB", "temp_directory": "/tmp/x"},
        "layers": [],
        "stages": stages,
        "landing_rows": {},
        "table_rows": {},
        "slowest_models": [],
        "slowest_tests": [],
        "verification": {"equal": True, "compared": 70, "skipped": ["a", "b"], "differences": []},
    }
    result["totals"] = bench.totals(result)
    return result


def test_totals_sum_the_build_stages_and_take_the_ratios():
    t = _result()["totals"]
    assert t["full_build_s"] == 200.0  # parse + staging + tests
    assert t["full_build_cpu_s"] == 184.0
    assert t["full_build_peak_rss_mb"] == 2000.0
    assert t["full_build_complete"] is True
    assert t["incremental_mean_s"] == 40.0 and t["incremental_share"] == 0.2
    assert t["overhead_ratio"] == 1.5 and t["overhead_ratio_elapsed"] == 1.25
    assert t["overhead_ratio_cpu"] == round(21 / 31, 3)


def test_format_table():
    assert bench.format_table(_result()).splitlines() == [
        "bankseg bench: 10,000 customers, 12 months, seed 42",
        "stage             wall s  CPU s  CPU/wall  peak RSS MB  load 1m  note",
        "----------------  ------  -----  --------  -----------  -------  -------------------",
        "generate            10.0    9.0      0.90          900      1.5  reused",
        "build_parse         20.0   19.0      0.95          300      1.5",
        "build_staging       60.0   55.0      0.92         1200      1.5  dbt 55.5s, 40 nodes",
        "build_tests        120.0  110.0      0.92         2000      1.5",
        "incremental_day1    40.0   32.0      0.80         1500      1.5  delivers 2025-12-31",
        "overhead_dbt        30.0   21.0      0.70          800      1.5  dbt 25.0s, 80 nodes",
        "overhead_duckdb     20.0   31.0      1.55          700      1.5",
        "",
        "full build with all tests (build_* stages): 200.0 s wall, 184.0 s CPU, peak RSS 2000 MB",
        "daily incremental run: 40.0 s = 0.20 of the full build",
        "dbt run / DuckDB alone: 1.50 (wall), 1.25 (dbt elapsed_time), 0.68 (CPU)",
        "incremental == full refresh: yes (70 tables compared, 2 history-dependent skipped)",
    ]


def test_validate_result_names_the_bad_field():
    good = _result()
    bench.validate_result(good)
    for mutate, message in (
        (lambda r: r.pop("machine"), "missing 'machine'"),
        (lambda r: r.__setitem__("customers", "10k"), "'customers' should be int"),
        (lambda r: r["stages"][1].pop("max_rss_mb"), r"stage 1 \(build_parse\): missing 'max_rss_mb'"),
        (lambda r: r["stages"][0].__setitem__("wall_s", "slow"), "'wall_s' should be float"),
        (lambda r: r["machine"].pop("duckdb"), "machine: missing 'duckdb'"),
        (lambda r: r["settings"].pop("memory_limit"), "settings: missing 'memory_limit'"),
    ):
        bad = copy.deepcopy(good)
        mutate(bad)
        with pytest.raises(ValueError, match=message):
            bench.validate_result(bad)


def test_cli_rejects_bad_arguments(capsys):
    from bankseg.cli import build_parser

    parser = build_parser()
    if "bench" not in parser._subparsers._group_actions[0].choices:  # the lead wires it into cli.py
        import argparse

        parser = argparse.ArgumentParser(prog="bankseg")
        bench.add_cli(parser.add_subparsers(dest="command"))
    with pytest.raises(SystemExit) as exc:
        parser.parse_args(["bench", "--customers", "0"])
    assert exc.value.code == 2
    assert "--customers must be positive, got 0" in capsys.readouterr().err
    args = parser.parse_args(["bench", "--customers", "300", "--days", "2"])
    assert (args.customers, args.days, args.func) == (300, 2, bench.cmd_bench)


def test_generate_reuses_a_complete_bank_of_the_same_key(tmp_path):
    bank = tmp_path / "banks" / "n5-s1-m12"
    bank.mkdir(parents=True)
    recorded = bench.StageResult("generate", ["bankseg", "generate"], 12.5, 10.0, 1.0, 640.0, 0, [1, 1, 1], [1, 1, 1])
    (bank / ".bench-generated.json").write_text(json.dumps(recorded.to_json()))
    run = bench._Run(
        tmp_path, bank, tmp_path / "run", *(tmp_path / x for x in ("raw", "w.duckdb", "t", "tg", "l", "r"))
    )
    stage = bench._generate(run, 5, 1, reuse=True)
    assert stage.reused is True
    assert (stage.wall_s, stage.cpu_s, stage.max_rss_mb) == (12.5, 11.0, 640.0)


# ---- end to end (opt-in) -------------------------------------------------------------------------------------


@pytest.mark.skipif(os.environ.get("BANKSEG_BENCH_E2E") != "1", reason="set BANKSEG_BENCH_E2E=1 (about 5 minutes)")
def test_bench_end_to_end_300_customers(tmp_path):
    out = tmp_path / "bench.json"
    result = bench.run_bench(300, days=1, out=out, work_dir=tmp_path / "work")
    assert json.loads(out.read_text())["customers"] == 300
    bench.validate_result(result)
    names = [s["name"] for s in result["stages"]]
    assert names == [
        "generate",
        "build_parse",
        *(f"build_{layer.name}" for layer in bench.LAYERS),
        "build_tests",
        "docs",
        "incremental_day1",
        "publish",
        "full_refresh",
        "overhead_dbt",
        "overhead_duckdb",
    ]
    assert all(s["returncode"] == 0 and s["wall_s"] > 0 and s["max_rss_mb"] > 50 for s in result["stages"])
    assert result["totals"]["full_build_complete"] is True
    assert result["verification"]["equal"], result["verification"]["differences"]
    assert result["verification"]["compared"] > 30
    rows = result["table_rows"]
    assert rows["after_full_build"]["marts.dim_customers"] > 0
    delivered = result["held_back"][0]["core_banking.transactions"]["rows"]
    assert delivered > 0
    assert (
        rows["after_incremental"]["intermediate.int_transactions_enriched"]
        > rows["after_full_build"]["intermediate.int_transactions_enriched"]
    )
    assert result["slowest_models"] and result["slowest_tests"]
    assert "bankseg bench: 300 customers" in bench.format_table(result)
    assert (tmp_path / "work" / "banks" / "n300-s42-m12" / ".bench-generated.json").exists()
