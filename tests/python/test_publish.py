"""Publishing the marts for BI tools (bankseg.publish): versions, atomic switch, retention, failures, comments,
relative paths, and a reader in another process that never sees an error or a half-written table while the
build file is rewritten and republished."""

from __future__ import annotations

import argparse
import errno
import json
import os
import shutil
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import duckdb
import pytest

from bankseg import publish as pub
from bankseg.publish import PublishError, connect, publish

MARTS = ("dim_branches", "fct_orders", "fct_orders_summary")


def _orders_sql(generation: int) -> str:
    rows = 200 + 37 * generation
    return f"""
        select
            i::integer as order_id,
            'b' || (i % 5)::varchar as branch_code,
            ((i * {generation}) % 997 + {generation} / 100)::decimal(18, 2) as order_amount,
            date '2025-01-01' + (i % 365)::integer as order_date,
            i * 0.5 + {generation} as score,
            case when i % 7 = 0 then null else 'note ''' || i::varchar || ''' 客户' end as note
        from range({rows}) as r(i)
    """


def _build_marts(con: duckdb.DuckDBPyConnection, generation: int, pause: float = 0.0) -> None:
    """What a dbt build does to the marts: replace them one by one (the build file is locked meanwhile)."""
    con.execute("create schema if not exists marts")
    con.execute(f"create or replace table marts.fct_orders as {_orders_sql(generation)}")
    time.sleep(pause)
    con.execute(
        "create or replace table marts.dim_branches as "
        f"select 'b' || i::varchar as branch_code, 'Branch ' || i::varchar || ' gen {generation}' as branch_name "
        "from range(5) as r(i)"
    )
    time.sleep(pause)
    con.execute(
        "create or replace view marts.fct_orders_summary as "
        "select branch_code, count(*) as order_count, sum(order_amount) as order_amount "
        "from marts.fct_orders group by branch_code"
    )
    con.execute("comment on table marts.fct_orders is 'One row per order; the customer''s amount in CNY.'")
    con.execute("comment on column marts.fct_orders.order_id is 'The order key.'")
    con.execute("comment on column marts.fct_orders.order_amount is 'Order amount (CNY), 金额.'")
    con.execute("comment on table marts.dim_branches is 'One row per branch.'")
    con.execute("comment on column marts.dim_branches.branch_code is 'Branch code from ref_branches.'")
    con.execute("comment on view marts.fct_orders_summary is 'Orders per branch.'")
    time.sleep(pause)


def make_warehouse(path: Path, generation: int = 1) -> Path:
    """A small hand-made build file: marts (two tables and a view), a snapshot and a staging table."""
    con = duckdb.connect(str(path))
    try:
        _build_marts(con, generation)
        con.execute("create schema if not exists snapshots")
        con.execute("create or replace table snapshots.snap_branches as select * from marts.dim_branches")
        con.execute("create schema if not exists staging")
        con.execute("create or replace table staging.stg_orders as select * from marts.fct_orders")
    finally:
        con.close()
    return path


def rebuild(path: Path, generation: int, pause: float = 0.0) -> None:
    con = duckdb.connect(str(path))
    try:
        _build_marts(con, generation, pause)
    finally:
        con.close()


def checksums(con: duckdb.DuckDBPyConnection, prefix: str = "marts") -> dict[str, list]:
    """Row count and an order-independent checksum of every row, per mart."""
    out = {}
    for name in MARTS:
        count, total = con.execute(
            f"select count(*), coalesce(sum(hash(t)), 0)::varchar from {prefix}.{name} as t"
        ).fetchone()
        out[name] = [count, total]
    return out


def build_checksums(path: Path) -> dict[str, list]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return checksums(con)
    finally:
        con.close()


def write_run_results(path: Path, invocation_id: str, statuses: dict[str, str] | None = None) -> Path:
    statuses = statuses or {"model.bankseg.fct_orders": "success", "model.bankseg.dim_branches": "success"}
    results = [
        {
            "unique_id": uid,
            "status": status,
            "relation_name": f'"wh"."marts"."{uid.split(".")[-1]}"' if uid.startswith("model.") else None,
        }
        for uid, status in statuses.items()
    ]
    path.write_text(
        json.dumps(
            {
                "metadata": {"invocation_id": invocation_id, "generated_at": "2026-11-29T00:00:00Z"},
                "args": {"which": "build"},
                "results": results,
            }
        )
    )
    return path


def version_dirs(out: Path) -> list[str]:
    return sorted(p.name for p in (out / "versions").iterdir() if not p.name.startswith("."))


@pytest.fixture
def warehouse(tmp_path: Path) -> Path:
    return make_warehouse(tmp_path / "build.duckdb")


def test_two_publishes_make_two_versions_and_switch_current(tmp_path: Path, warehouse: Path) -> None:
    out = tmp_path / "serving"
    first = publish(warehouse, out, run_results=write_run_results(tmp_path / "rr1.json", "inv-1"))
    gen1 = build_checksums(warehouse)
    rebuild(warehouse, generation=2)
    second = publish(warehouse, out, run_results=write_run_results(tmp_path / "rr2.json", "inv-2"))
    gen2 = build_checksums(warehouse)

    assert gen1 != gen2
    assert version_dirs(out) == sorted([first["version"], second["version"]])
    assert first["version"] < second["version"]
    # current is a relative symlink to the new version, current.json describes it
    assert os.readlink(out / "current") == f"versions/{second['version']}"
    manifest = json.loads((out / "current.json").read_text())
    assert manifest["version"] == second["version"]
    assert manifest["path"] == f"versions/{second['version']}"
    assert manifest["dbt"] == {"invocation_id": "inv-2", "command": "build", "generated_at": "2026-11-29T00:00:00Z"}
    assert {k: (v["rows"], v["file"]) for k, v in manifest["tables"].items()} == {
        "marts.dim_branches": (5, "dim_branches.parquet"),
        "marts.fct_orders": (274, "fct_orders.parquet"),
        "marts.fct_orders_summary": (5, "fct_orders_summary.parquet"),
    }
    assert all(v["bytes"] > 0 for v in manifest["tables"].values())
    # only the marts are published: the snapshot and staging schemas are not
    with connect(out) as con:
        schemas = {s for (s,) in con.execute("select distinct table_schema from information_schema.tables").fetchall()}
        assert schemas == {"main", "marts"}
        assert con.execute("select version, dbt_invocation_id from main.bankseg_publish").fetchall() == [
            (second["version"], "inv-2")
        ]
        assert checksums(con) == gen2
        # written in DuckDB's 1.0 storage format, so BI drivers older than the warehouse's DuckDB can open it
        (tags,) = con.execute("select tags from duckdb_databases() where database_name = 'serving'").fetchone()
        assert tags == {"storage_version": "v1.0.0+"}
    # the previous version is intact and still readable by name
    with connect(out, version=first["version"]) as con:
        assert checksums(con) == gen1
    # the Parquet files hold the same data
    pq = duckdb.connect()
    for name, (rows, _) in gen2.items():
        (n,) = pq.execute(f"select count(*) from read_parquet('{out}/current/{name}.parquet')").fetchone()
        assert n == rows


def test_snapshot_schema_published_only_when_asked(tmp_path: Path, warehouse: Path) -> None:
    result = publish(warehouse, tmp_path / "serving", schemas=("marts", "snapshots"))
    assert set(result["tables"]) == {f"marts.{m}" for m in MARTS} | {"snapshots.snap_branches"}
    with connect(tmp_path / "serving") as con:
        assert con.execute("select count(*) from snapshots.snap_branches").fetchone() == (5,)


def test_comments_are_carried_to_views_and_parquet(tmp_path: Path, warehouse: Path) -> None:
    out = tmp_path / "serving"
    publish(warehouse, out)
    query_cols = (
        "select table_name, column_name, data_type, comment from duckdb_columns() "
        "where schema_name = 'marts' order by table_name, column_index"
    )
    query_tables = (
        "select table_name, comment from duckdb_tables() where schema_name = 'marts' "
        "union all select view_name, comment from duckdb_views() where schema_name = 'marts' order by 1"
    )
    with duckdb.connect(str(warehouse), read_only=True) as con:
        build_cols, build_tables = con.execute(query_cols).fetchall(), con.execute(query_tables).fetchall()
    with connect(out) as con:
        served_cols = con.execute(query_cols).fetchall()
        served_tables = con.execute(
            "select view_name, comment from duckdb_views() where schema_name = 'marts' order by 1"
        ).fetchall()
    assert served_cols == build_cols
    assert ("fct_orders", "order_amount", "DECIMAL(18,2)", "Order amount (CNY), 金额.") in served_cols
    assert served_tables == build_tables
    assert ("fct_orders", "One row per order; the customer's amount in CNY.") in served_tables
    kv = dict(
        duckdb.connect()
        .execute(f"select decode(key), decode(value) from parquet_kv_metadata('{out}/current/fct_orders.parquet')")
        .fetchall()
    )
    assert kv["bankseg_description"] == "One row per order; the customer's amount in CNY."
    assert json.loads(kv["bankseg_column_descriptions"]) == {
        "order_id": "The order key.",
        "order_amount": "Order amount (CNY), 金额.",
    }


def test_relative_paths_resolve_wherever_the_folder_is_mounted(tmp_path: Path, warehouse: Path) -> None:
    publish(warehouse, tmp_path / "serving")
    expected = build_checksums(warehouse)
    moved = tmp_path / "mnt" / "bi" / "bankseg"
    moved.parent.mkdir(parents=True)
    shutil.move(tmp_path / "serving", moved)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    probe = textwrap.dedent(
        """
        import json, sys, duckdb
        db, search = sys.argv[1], sys.argv[2]
        config = {"file_search_path": search} if search else {}
        con = duckdb.connect(db, read_only=True, config=config)
        out = {}
        for name in ("dim_branches", "fct_orders", "fct_orders_summary"):
            out[name] = list(con.execute(
                f"select count(*), coalesce(sum(hash(t)), 0)::varchar from marts.{name} as t").fetchone())
        print(json.dumps(out))
        """
    )
    db = str(moved / "current" / "serving.duckdb")
    # another cwd, file_search_path set to the mounted versions folder (what BI tools configure)
    run = subprocess.run(
        [sys.executable, "-c", probe, db, str(moved / "versions")], cwd=elsewhere, capture_output=True, text=True
    )
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout) == expected
    # no setting at all: relative to the working directory, so from inside versions/ it just works
    run = subprocess.run([sys.executable, "-c", probe, db, ""], cwd=moved / "versions", capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout) == expected
    # and from elsewhere without the setting it fails loudly rather than reading something else
    run = subprocess.run([sys.executable, "-c", probe, db, ""], cwd=elsewhere, capture_output=True, text=True)
    assert run.returncode != 0
    assert "No files found" in run.stderr


def test_retention_keeps_newest_and_never_current(tmp_path: Path, warehouse: Path) -> None:
    out = tmp_path / "serving"
    made = []
    for generation in range(1, 5):
        rebuild(warehouse, generation)
        made.append(publish(warehouse, out, keep=2, grace_seconds=0)["version"])
    assert version_dirs(out) == made[-2:]
    assert os.readlink(out / "current") == f"versions/{made[-1]}"
    result = publish(warehouse, out, keep=1, grace_seconds=0)
    assert version_dirs(out) == [result["version"]]
    assert sorted(result["removed_versions"]) == made[-2:]


def test_retention_grace_keeps_recently_superseded_versions(tmp_path: Path, warehouse: Path) -> None:
    out = tmp_path / "serving"
    made = [publish(warehouse, out, keep=1, grace_seconds=3600)["version"] for _ in range(3)]
    assert version_dirs(out) == made
    last = publish(warehouse, out, keep=1, grace_seconds=3600)
    assert last["removed_versions"] == []
    assert last["kept_in_grace"] == made


def test_reader_pinned_to_a_deleted_version_fails_until_it_reconnects(tmp_path: Path, warehouse: Path) -> None:
    """Documents the limit retention works around: the open serving.duckdb survives deletion, its Parquet does not."""
    out = tmp_path / "serving"
    first = publish(warehouse, out, keep=1, grace_seconds=0)["version"]
    old = connect(out)
    assert old.execute("select count(*) from marts.fct_orders").fetchone() == (237,)
    rebuild(warehouse, generation=2)
    publish(warehouse, out, keep=1, grace_seconds=0)
    assert first not in version_dirs(out)
    assert old.execute("select version from main.bankseg_publish").fetchone() == (first,)
    with pytest.raises(duckdb.IOException, match="No files found"):
        old.execute("select count(*) from marts.fct_orders").fetchone()
    old.close()
    with connect(out) as con:
        assert con.execute("select count(*) from marts.fct_orders").fetchone() == (274,)


@pytest.mark.parametrize("stage", ["_copy_table", "_verify", "_swap_current"])
def test_failed_publish_leaves_the_last_good_version(
    tmp_path: Path, warehouse: Path, monkeypatch: pytest.MonkeyPatch, stage: str
) -> None:
    out = tmp_path / "serving"
    good = publish(warehouse, out)["version"]
    current_json = (out / "current.json").read_bytes()
    rebuild(warehouse, generation=2)
    real = getattr(pub, stage)
    calls = []

    def failing(*args, **kwargs):
        calls.append(1)
        if stage != "_copy_table" or len(calls) == 2:  # the disk fills up after the first table
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(*args, **kwargs)

    monkeypatch.setattr(pub, stage, failing)
    with pytest.raises(PublishError, match=rf"No space left on device.*current still points at {good}"):
        publish(warehouse, out)
    assert os.readlink(out / "current") == f"versions/{good}"
    assert (out / "current.json").read_bytes() == current_json
    assert version_dirs(out) == [good]
    assert list((out / "versions" / ".staging").glob("*")) == []
    assert [p.name for p in out.iterdir() if p.name.startswith(".current")] == []
    with connect(out) as con:
        assert con.execute("select count(*) from marts.fct_orders").fetchone() == (237,)
    monkeypatch.undo()
    assert publish(warehouse, out)["tables"]["marts.fct_orders"]["rows"] == 274


def test_missing_mart_is_refused_unless_allowed(tmp_path: Path, warehouse: Path) -> None:
    out = tmp_path / "serving"
    good = publish(warehouse, out)["version"]
    with duckdb.connect(str(warehouse)) as con:
        con.execute("drop view marts.fct_orders_summary")
    with pytest.raises(PublishError, match=r"missing from warehouse .*marts\.fct_orders_summary \(published in"):
        publish(warehouse, out)
    assert os.readlink(out / "current") == f"versions/{good}"
    assert version_dirs(out) == [good]
    result = publish(warehouse, out, allow_removed=True)
    assert set(result["tables"]) == {"marts.dim_branches", "marts.fct_orders"}


def test_mart_built_by_the_run_but_absent_is_refused(tmp_path: Path, warehouse: Path) -> None:
    results = write_run_results(
        tmp_path / "rr.json", "inv", {"model.bankseg.fct_orders": "success", "model.bankseg.fct_churn": "success"}
    )
    with pytest.raises(PublishError, match=r"marts\.fct_churn \(built by the dbt run\)"):
        publish(warehouse, tmp_path / "serving", run_results=results)
    assert not (tmp_path / "serving" / "current").exists()


def test_failed_build_is_not_published(tmp_path: Path, warehouse: Path) -> None:
    results = write_run_results(
        tmp_path / "rr.json",
        "inv",
        {"model.bankseg.fct_orders": "error", "test.bankseg.unique_x": "fail", "model.bankseg.dim_branches": "skipped"},
    )
    with pytest.raises(PublishError, match="show 3 failed or skipped nodes"):
        publish(warehouse, tmp_path / "serving", run_results=results)
    assert publish(warehouse, tmp_path / "serving", run_results=results, allow_failed_build=True)["version"]


def test_empty_schema_and_bad_arguments_are_refused(tmp_path: Path, warehouse: Path) -> None:
    with pytest.raises(PublishError, match="schema 'reporting' has no tables"):
        publish(warehouse, tmp_path / "serving", schemas=("reporting",))
    with pytest.raises(PublishError, match="no such file"):
        publish(tmp_path / "nope.duckdb", tmp_path / "serving")
    with pytest.raises(PublishError, match="keep must be at least 1"):
        publish(warehouse, tmp_path / "serving", keep=0)
    assert not (tmp_path / "serving" / "versions").exists() or version_dirs(tmp_path / "serving") == []


def test_build_in_progress_locks_out_readers_and_publish(tmp_path: Path, warehouse: Path) -> None:
    """The problem this module solves: while a build holds the file, nobody else can open it."""
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb, sys; c = duckdb.connect(sys.argv[1]); print('ready', flush=True); sys.stdin.read()",
            str(warehouse),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "ready"
        with pytest.raises(duckdb.IOException, match="lock"):
            duckdb.connect(str(warehouse), read_only=True)
        with pytest.raises(PublishError, match="locked by another process"):
            publish(warehouse, tmp_path / "serving")
        assert not (tmp_path / "serving" / "current").exists()
    finally:
        holder.stdin.close()
        holder.wait(timeout=30)


def test_cli_publish(tmp_path: Path, warehouse: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from bankseg.cli import CliError

    parser = argparse.ArgumentParser(prog="bankseg")
    pub.add_cli(parser.add_subparsers(dest="command", required=True))
    out = tmp_path / "serving"
    args = parser.parse_args(["publish", "--warehouse", str(warehouse), "--out", str(out), "--keep", "2"])
    assert args.func(args) == 0
    printed = capsys.readouterr().out
    assert f"Current:   {out / 'current' / 'serving.duckdb'}" in printed
    assert "marts.fct_orders" in printed and "237" in printed
    args = parser.parse_args(["publish", "--warehouse", str(tmp_path / "missing.duckdb"), "--out", str(out)])
    with pytest.raises(CliError, match=r"--warehouse .*missing\.duckdb: no such file"):
        args.func(args)
    args = parser.parse_args(["publish", "--warehouse", str(warehouse), "--out", str(out), "--schema", "nope"])
    with pytest.raises(CliError, match="schema 'nope' has no tables"):
        args.func(args)
    with pytest.raises(SystemExit):
        parser.parse_args(["publish", "--out", str(out), "--keep", "0"])


READER = textwrap.dedent(
    """
    import json, sys, time, duckdb
    from pathlib import Path

    out, results, stop = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])
    names = sys.argv[4].split(",")
    n = 0
    with open(results, "w") as fh:
        while not stop.exists():
            mode = "serving" if n % 2 == 0 else "parquet"
            n += 1
            rec = {"mode": mode, "started": time.time()}
            try:
                if mode == "serving":
                    # a fresh read-only connection each time, as a BI tool reconnecting would
                    con = duckdb.connect(
                        str(out / "current" / "serving.duckdb"),
                        read_only=True,
                        config={"file_search_path": str(out / "versions")},
                    )
                    rec["version"] = con.execute("select version from main.bankseg_publish").fetchone()[0]
                    listed = con.execute(
                        "select table_name from information_schema.tables where table_schema = 'marts' order by 1"
                    ).fetchall()
                    rec["listed"] = [t for (t,) in listed]
                    rel = {t: f"marts.{t}" for t in rec["listed"]}
                else:
                    # as docs/bi_access.md says: pin one version (resolve `current` once), because a file
                    # reopened through `current` mid-query can belong to the next version
                    pinned = (out / "current").resolve()
                    con = duckdb.connect()
                    rel = {t: f"read_parquet('{pinned}/{t}.parquet')" for t in names}
                rec["tables"] = {
                    t: list(con.execute(
                        f"select count(*), coalesce(sum(hash(x)), 0)::varchar from {r} as x").fetchone())
                    for t, r in rel.items()
                }
                con.close()
            except Exception as exc:
                rec["error"] = f"{type(exc).__name__}: {exc}"
            rec["ended"] = time.time()
            fh.write(json.dumps(rec) + "\\n")
            fh.flush()
    """
)


def test_reader_never_sees_errors_or_partial_tables_while_the_build_is_rewritten(tmp_path: Path) -> None:
    build = make_warehouse(tmp_path / "build.duckdb", generation=1)
    out = tmp_path / "serving"
    expected: dict[str, dict] = {}
    first = publish(build, out, keep=2, grace_seconds=0)
    expected[first["version"]] = build_checksums(build)
    results, stop = tmp_path / "reads.jsonl", tmp_path / "stop"
    reader = subprocess.Popen(
        [sys.executable, "-c", READER, str(out), str(results), str(stop), ",".join(MARTS)],
        stderr=subprocess.PIPE,
        text=True,
    )
    builds: list[tuple[float, float]] = []
    try:
        deadline = time.time() + 15
        while (not results.exists() or not results.read_text().strip()) and time.time() < deadline:
            time.sleep(0.05)
        for generation in range(2, 7):
            started = time.time()
            rebuild(build, generation, pause=0.25)  # the "dbt build": holds the write lock ~0.75 s
            expected_now = build_checksums(build)
            builds.append((started, time.time()))
            # a version is deleted only once superseded for the grace period: long enough for a read started
            # before the switch to finish (grace 0 would delete files under a running read)
            version = publish(build, out, keep=2, grace_seconds=3)["version"]
            expected[version] = expected_now
    finally:
        stop.touch()
        _, err = reader.communicate(timeout=30)
    assert reader.returncode == 0, err
    reads = [json.loads(line) for line in results.read_text().splitlines()]
    errors = [r["error"] for r in reads if "error" in r]
    assert errors == []
    serving = [r for r in reads if r["mode"] == "serving"]
    parquet = [r for r in reads if r["mode"] == "parquet"]
    assert len(serving) >= 10 and len(parquet) >= 10, (len(serving), len(parquet))
    # the reads spanned several publishes and overlapped the builds
    assert len({r["version"] for r in serving}) >= 3
    during_builds = [r for r in reads if any(s <= r["started"] and r["ended"] <= e for s, e in builds)]
    assert during_builds, "no read happened while the build held the warehouse"
    # a serving connection sees exactly one published version, every table complete
    for r in serving:
        assert r["listed"] == sorted(MARTS)
        assert r["tables"] == expected[r["version"]], r["version"]
    # Parquet readers see, per table, exactly one published version's rows
    for r in parquet:
        for name, value in r["tables"].items():
            assert value in [v[name] for v in expected.values()], (name, value)
    # with the readers gone, retention without grace leaves the newest two
    publish(build, out, keep=2, grace_seconds=0)
    assert len(version_dirs(out)) == 2
