"""An incremental build gives the same warehouse as a full refresh.

The four large base tables (account transactions, balances, card transactions, digital events) are incremental
(macro landing_increment): a run recomputes the rows of landing files not loaded yet and the loaded rows those can
change - rows of a key that occurs again, and rows whose parent look-up changed - and everything below them is
rebuilt from those tables.  The replay below proves it:

  1. generate a small bank;
  2. hold back the transactions and card transactions of the data's last day, plus a few postings dated two and
     three days earlier (late arrivals), re-stamped with a later extract time (bankseg.landing_ops.hold_back), and
     one deposit account that has postings (they are orphans until it arrives);
  3. the later delivery also brings the traps of a real feed: a loaded posting re-delivered with another amount (it
     supersedes the loaded copy), a loaded posting delivered again unchanged (an exact duplicate), and a loaded
     deposit account re-delivered with another currency (its balances and postings are checked again);
  4. warehouse A: `dbt build` on the landing without the later delivery, then write it as a new part file in each
     table folder and `dbt build` again (an incremental run);
  5. warehouse B: `dbt build --full-refresh` on the complete landing;
  6. every table and view of the staging, intermediate and marts schemas is identical in A and B (the landing file
     compared by name: A and B read different folders).

The first build of A and the build of B run side by side: about a minute and a half on two idle cores.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from bankseg import contract
from bankseg.bench import ran_incrementally
from bankseg.landing_ops import HeldBack, daily_extract_time, hold_back, last_day, parse_day

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent

CUSTOMERS = 300
SEED = 20261129
MONTHS = 3
LATER_PART = "part-9000.parquet"
COMPARED_SCHEMAS = ("staging", "intermediate", "marts")
REDELIVERED_AMOUNT = "123.45"
OTHER_CURRENCY = "USD"


@dataclass(frozen=True)
class Feed:
    """A landing table whose later rows are held back, and the models that carry it."""

    system: str
    table: str
    key: str
    staging_model: str
    incremental_model: str  # its incremental base table


FEEDS = (
    Feed(
        "core_banking",
        "transactions",
        "transaction_id",
        "stg_core_banking__transactions",
        "base_core_banking__transactions",
    ),
    Feed(
        "cards",
        "card_transactions",
        "card_transaction_id",
        "stg_cards__card_transactions",
        "base_cards__card_transactions",
    ),
)
INCREMENTAL_BASE_MODELS = {
    "base_core_banking__transactions",
    "base_core_banking__balances",
    "base_cards__card_transactions",
    "base_digital__events",
}


# ---- bankseg.landing_ops (pure functions) --------------------------------------------------------------------


def _landing(rows: list[tuple[str | None, str | None]]) -> pa.Table:
    return pa.table(
        {
            "transaction_id": pa.array([r[0] for r in rows], type=pa.string()),
            "transaction_ts": pa.array([r[1] for r in rows], type=pa.string()),
            "amount": pa.array([float(i) for i in range(len(rows))]),
            "extracted_at": pa.array(["2025-12-31 21:00:00"] * len(rows), type=pa.string()),
        }
    )


def test_parse_day_mirrors_the_staging_formats():
    assert parse_day("2025-12-31 23:59:59") == dt.date(2025, 12, 31)
    assert parse_day(" 2025-12-31T08:00:00 ") == dt.date(2025, 12, 31)
    for bad in (None, "", "N/A", "2025-13-01 10:00:00", "31/12/2025 10:00:00", "2025-02-30 10:00:00"):
        assert parse_day(bad) is None, bad


def test_daily_extract_time_is_the_next_morning():
    assert daily_extract_time(dt.date(2025, 12, 31)) == "2026-01-01 06:00:00"
    assert daily_extract_time(dt.date(2025, 2, 28), hour=21) == "2025-03-01 21:00:00"


def test_last_day_ignores_unparseable_timestamps():
    t = _landing([("a", "2025-12-30 10:00:00"), ("b", "2025-13-31 10:00:00"), ("c", "N/A"), ("d", None)])
    assert last_day(t) == dt.date(2025, 12, 30)
    with pytest.raises(ValueError, match="no parseable transaction_ts"):
        last_day(_landing([("a", "N/A")]))


def test_hold_back_moves_the_last_day_and_a_few_late_rows():
    t = _landing(
        [
            ("T01", "2025-12-31 09:00:00"),  # last day
            ("T02", "2025-12-31 23:00:00"),  # last day
            ("T03", "2025-12-30 09:00:00"),  # one day before: stays
            ("T04", "2025-12-29 09:00:00"),  # two days before: smallest key of its day, held back
            ("T05", "2025-12-29 10:00:00"),  # two days before, not among the first 1
            ("T06", "2025-12-28 09:00:00"),  # three days before: held back
            ("T01", "2025-12-20 09:00:00"),  # another row of a held-back key: held back with it
            (None, "2025-12-31 10:00:00"),  # no key, last day: held back
            (None, "2025-12-29 10:00:00"),  # no key, earlier: stays
            ("T07", "N/A"),  # no date: stays
        ]
    )
    hb = hold_back(t, key_column="transaction_id", late_rows_per_day=1)
    assert hb.last_day == dt.date(2025, 12, 31)
    assert hb.extracted_at == "2026-01-01 06:00:00"
    assert hb.keys == {"T01", "T02", "T04", "T06"}
    assert hb.late_keys == {"T04", "T06"}
    assert hb.later.column("transaction_id").to_pylist() == ["T01", "T02", "T04", "T06", "T01", None]
    assert set(hb.later.column("extracted_at").to_pylist()) == {"2026-01-01 06:00:00"}
    assert hb.earlier.column("transaction_id").to_pylist() == ["T03", "T05", None, "T07"]
    assert hb.earlier.column("extracted_at").to_pylist() == ["2025-12-31 21:00:00"] * 4
    assert hb.earlier.num_rows + hb.later.num_rows == t.num_rows
    assert hb.later.schema == t.schema and hb.earlier.schema == t.schema


def test_hold_back_options():
    t = _landing([("T1", "2025-12-31 09:00:00"), ("T2", "2025-12-30 09:00:00"), ("T3", "2025-12-29 09:00:00")])
    hb = hold_back(t, key_column="transaction_id", day=dt.date(2025, 12, 30), late_days=(), extracted_at="X")
    assert hb.keys == {"T2"} and hb.late_keys == frozenset()
    assert hb.later.column("extracted_at").to_pylist() == ["X"]
    with pytest.raises(KeyError, match="nope"):
        hold_back(t, key_column="nope")
    with pytest.raises(ValueError, match="late_days"):
        hold_back(t, key_column="transaction_id", late_days=(0,))


def _after_latest_extract(tables) -> str:
    """One hour after the latest parseable ``extracted_at`` of ``tables``, as landing text."""
    latest = None
    for table in tables:
        for text in table.column("extracted_at").to_pylist():
            try:
                stamp = dt.datetime.fromisoformat(text) if text else None
            except ValueError:
                stamp = None  # dirt: an unparseable extract time is quarantined in staging
            if stamp is not None and (latest is None or stamp > latest):
                latest = stamp
    return (latest + dt.timedelta(hours=1)).strftime("%Y-%m-%d %H:%M:%S")


# ---- the replay --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Traps:
    """The loaded rows the later delivery changes (step 3 of the module docstring)."""

    held_account: str  # deposit account delivered only later: its earlier postings are orphans until then
    recurrency_account: str  # deposit account re-delivered with OTHER_CURRENCY
    redelivered: str  # posting re-delivered with REDELIVERED_AMOUNT
    repeated: str  # posting delivered again unchanged


@dataclass
class Replay:
    tmp: Path
    held: dict[str, HeldBack]  # landing table -> its held-back rows
    traps: Traps
    warehouse_a: Path
    warehouse_b: Path
    results_a1: dict
    results_a2: dict
    results_b: dict
    manifest: dict
    held_in_a1: dict[str, int]  # staging model -> held-back keys found after the first build of A
    orphans_a1: int  # postings of the held account quarantined as orphans after the first build of A


def _env(raw: Path, warehouse: Path) -> dict[str, str]:
    return {
        **os.environ,
        "DBT_PROJECT_DIR": str(ROOT),
        "DBT_PROFILES_DIR": str(ROOT),
        "BANKSEG_RAW_DIR": str(raw),
        "BANKSEG_DUCKDB_PATH": str(warehouse),
        "BANKSEG_TEMP_DIR": str(warehouse.parent / f"{warehouse.stem}-tmp"),
        "BANKSEG_MEMORY_LIMIT": "2GB",
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }


@dataclass
class _Build:
    name: str
    proc: subprocess.Popen
    output: Path


def _start_build(tmp: Path, name: str, raw: Path, warehouse: Path, target: Path, *extra: str) -> _Build:
    """Start `dbt build` (data tests included, unit tests excluded) in the background."""
    cmd = [
        str(BIN / "dbt"),
        "build",
        "--project-dir",
        str(ROOT),
        "--target-path",
        str(target),
        "--log-path",
        str(tmp / f"logs-{name}"),
        "--log-level-file",
        "info",  # the SQL of ~800 nodes at debug level costs seconds; the console output is kept beside
        "--exclude-resource-type",
        "unit_test",
        *extra,
    ]
    output = tmp / f"{name}.out"
    with open(output, "w") as out:
        proc = subprocess.Popen(cmd, cwd=tmp, env=_env(raw, warehouse), stdout=out, stderr=subprocess.STDOUT)
    return _Build(name, proc, output)


def _finish_builds(*builds: _Build, timeout: float = 300) -> None:
    """Wait for every build (killing one that outlives ``timeout``), then fail on the first that failed."""
    for build in builds:
        try:
            build.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            build.proc.kill()
            build.proc.wait()
    for build in builds:
        if build.proc.returncode != 0:
            tail = build.output.read_text().splitlines()[-40:]
            pytest.fail(
                f"dbt build {build.name} failed (exit {build.proc.returncode}; output in {build.output}):\n"
                + "\n".join(tail)
            )


def _run_results(target: Path) -> dict[str, dict]:
    data = json.loads((target / "run_results.json").read_text())
    return {r["unique_id"]: r for r in data["results"]}


def _read_landing(raw: Path, system: str, table: str) -> pa.Table:
    folder = contract.table_dir(raw, system, table)
    parts = sorted(folder.glob("*.parquet"))
    return pa.concat_tables([pq.read_table(p) for p in parts]).cast(contract.schema(system, table))


def _write_later_parts(raw: Path, later: dict[tuple[str, str], pa.Table]) -> None:
    for (system, table), rows in later.items():
        contract.write_table(raw, system, table, rows, file_name=LATER_PART)


def _with(table: pa.Table, **values: str) -> pa.Table:
    """``table`` with the given columns set to one value (given as text, cast to the column's type) on every row."""
    for name, value in values.items():
        i = table.schema.get_field_index(name)
        field = table.schema.field(i)
        table = table.set_column(i, field, pa.array([value] * table.num_rows, pa.string()).cast(field.type))
    return table


def _traps(accounts: pa.Table, postings: pa.Table, held_keys: frozenset[str]) -> Traps:
    """Two deposit accounts with several postings each, and two postings of other accounts outside the held-back
    keys, picked deterministically (smallest ids)."""
    counts: dict[str, int] = {}
    for account in postings.column("account_id").to_pylist():
        counts[account] = counts.get(account, 0) + 1
    known = set(accounts.column("account_id").to_pylist())
    busy = sorted(a for a, n in counts.items() if a in known and n >= 3)
    held_account, recurrency_account = busy[:2]
    candidates = sorted(
        t
        for t, a in zip(
            postings.column("transaction_id").to_pylist(), postings.column("account_id").to_pylist(), strict=True
        )
        if t and t not in held_keys and a in busy[2:]
    )
    redelivered, repeated = candidates[0], candidates[-1]
    return Traps(held_account, recurrency_account, redelivered, repeated)


@pytest.fixture(scope="module")
def replay(tmp_path_factory) -> Replay:
    tmp = tmp_path_factory.mktemp("incremental")
    generated = tmp / "generated"
    subprocess.run(
        [
            str(BIN / "bankseg"),
            "generate",
            "--customers",
            str(CUSTOMERS),
            "--seed",
            str(SEED),
            "--months",
            str(MONTHS),
            "--out",
            str(generated),
            "--quiet",
        ],
        check=True,
    )

    # the earlier landing state: every table as generated, less the later delivery
    tables = {feed.table: _read_landing(generated, feed.system, feed.table) for feed in FEEDS}
    accounts = _read_landing(generated, "core_banking", "deposit_accounts")
    day = max(last_day(t) for t in tables.values())
    # the later delivery is newer than every extract already landed (late-arriving dirt rows of the earlier state
    # can carry an extract time days after the last day), as extract times are in a real feed
    stamp = max(daily_extract_time(day), _after_latest_extract([*tables.values(), accounts]))
    held = {
        feed.table: hold_back(tables[feed.table], key_column=feed.key, day=day, extracted_at=stamp) for feed in FEEDS
    }
    postings = held["transactions"].earlier
    traps = _traps(accounts, postings, held["transactions"].keys)
    account_ids = pa.array(accounts.column("account_id").to_pylist())
    is_held_account = pc.fill_null(pc.equal(account_ids, traps.held_account), False)
    posting_ids = postings.column("transaction_id")
    later = {
        ("core_banking", "transactions"): pa.concat_tables(
            [
                held["transactions"].later,
                _with(
                    postings.filter(pc.fill_null(pc.equal(posting_ids, traps.redelivered), False)),
                    amount=REDELIVERED_AMOUNT,
                    extracted_at=stamp,
                ),
                postings.filter(pc.fill_null(pc.equal(posting_ids, traps.repeated), False)),
            ]
        ),
        ("cards", "card_transactions"): held["card_transactions"].later,
        ("core_banking", "deposit_accounts"): pa.concat_tables(
            [
                accounts.filter(is_held_account),
                _with(
                    accounts.filter(pc.fill_null(pc.equal(account_ids, traps.recurrency_account), False)),
                    currency=OTHER_CURRENCY,
                    extracted_at=stamp,
                ),
            ]
        ),
    }
    earlier = {
        ("core_banking", "transactions"): postings,
        ("cards", "card_transactions"): held["card_transactions"].earlier,
        ("core_banking", "deposit_accounts"): accounts.filter(pc.invert(is_held_account)),
    }
    raw_a, raw_b = tmp / "raw_a", tmp / "raw_b"
    shutil.copytree(generated, raw_a, ignore=shutil.ignore_patterns("ground_truth"))
    for (system, table), rows in earlier.items():
        for part in contract.table_dir(raw_a, system, table).glob("*.parquet"):
            part.unlink()
        contract.write_table(raw_a, system, table, rows, file_name="part-0000.parquet")
    # B's landing: the earlier state plus the later delivery, from the start
    shutil.copytree(raw_a, raw_b)
    _write_later_parts(raw_b, later)

    warehouse_a, warehouse_b = tmp / "a.duckdb", tmp / "b.duckdb"
    target_a, target_b = tmp / "target_a", tmp / "target_b"
    a1 = _start_build(tmp, "a1", raw_a, warehouse_a, target_a)
    b = _start_build(tmp, "b", raw_b, warehouse_b, target_b, "--full-refresh")
    _finish_builds(a1, b)
    results_a1 = _run_results(target_a)

    with duckdb.connect(str(warehouse_a), read_only=True) as con:
        held_in_a1 = {}
        for feed in FEEDS:
            keys = sorted(held[feed.table].keys)
            held_in_a1[feed.staging_model] = con.execute(
                f"select count(*) from staging.{feed.staging_model} where {feed.key} in (select unnest(?))", [keys]
            ).fetchone()[0]
        orphans_a1 = con.execute(
            "select count(*) from staging.base_core_banking__transactions"
            " where account_id = ? and not _is_exact_duplicate and _quarantine_reason like '%orphan account_id%'",
            [traps.held_account],
        ).fetchone()[0]

    # the later delivery lands as a new part file beside the earlier ones; A builds again, incrementally
    _write_later_parts(raw_a, later)
    a2 = _start_build(tmp, "a2", raw_a, warehouse_a, target_a)
    _finish_builds(a2)

    return Replay(
        tmp=tmp,
        held=held,
        traps=traps,
        warehouse_a=warehouse_a,
        warehouse_b=warehouse_b,
        results_a1=results_a1,
        results_a2=_run_results(target_a),
        results_b=_run_results(target_b),
        manifest=json.loads((target_a / "manifest.json").read_text()),
        held_in_a1=held_in_a1,
        orphans_a1=orphans_a1,
    )


def _attach(replay: Replay) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute(f"attach '{replay.warehouse_a}' as a (read_only)")
    con.execute(f"attach '{replay.warehouse_b}' as b (read_only)")
    return con


def _relations(con: duckdb.DuckDBPyConnection, db: str) -> set[tuple[str, str]]:
    rows = con.execute(
        "select schema_name, table_name from duckdb_tables()"
        " where database_name = ? and list_contains(?, schema_name)"
        " union all select schema_name, view_name from duckdb_views()"
        " where database_name = ? and list_contains(?, schema_name)",
        [db, list(COMPARED_SCHEMAS), db, list(COMPARED_SCHEMAS)],
    ).fetchall()
    return set(rows)


def _columns(con: duckdb.DuckDBPyConnection, db: str, schema: str, table: str) -> list[tuple[str, str]]:
    return con.execute(
        "select column_name, data_type from duckdb_columns()"
        " where database_name = ? and schema_name = ? and table_name = ? order by column_index",
        [db, schema, table],
    ).fetchall()


def test_landing_states_differ_by_the_later_delivery(replay):
    for feed in FEEDS:
        hb = replay.held[feed.table]
        assert hb.later.num_rows > 0, f"{feed.system}.{feed.table}: nothing held back"
        assert hb.late_keys, f"{feed.system}.{feed.table}: no late-arriving rows held back"
        later_days = {parse_day(t) for t in hb.later.column("transaction_ts").to_pylist()} - {None}
        assert max(later_days) == hb.last_day
        assert min(later_days) < hb.last_day - dt.timedelta(days=1), "the late rows are dated days before"


def _history_dependent(manifest: dict) -> set[str]:
    """Relations that depend on the segmentation model registry, which keeps every earlier fit on purpose.

    The registry decides whether to refit (drift policy) and matches cluster ids to the previous model, so a
    warehouse with a history legitimately differs from one built from scratch; they are compared elsewhere
    (segmentation tests), not here.
    """
    registry = [uid for uid, n in manifest["nodes"].items() if n["name"] == "int_segment_models"]
    children = manifest.get("child_map", {})
    seen: set[str] = set()
    todo = list(registry)
    while todo:
        uid = todo.pop()
        if uid in seen:
            continue
        seen.add(uid)
        todo += [c for c in children.get(uid, []) if c.startswith(("model.", "snapshot."))]
    return {manifest["nodes"][uid]["name"] for uid in seen if uid in manifest["nodes"]}


def test_incremental_build_equals_full_refresh(replay):
    skipped = _history_dependent(replay.manifest)
    with _attach(replay) as con:
        rel_a, rel_b = _relations(con, "a"), _relations(con, "b")
        assert rel_a == rel_b, f"relations only in A: {sorted(rel_a - rel_b)}; only in B: {sorted(rel_b - rel_a)}"
        assert {t for _, t in rel_a} >= INCREMENTAL_BASE_MODELS
        assert INCREMENTAL_BASE_MODELS.isdisjoint(skipped)
        assert skipped.isdisjoint({"dim_customers", "fct_customer_features_monthly", "int_customer_identity_map"})
        problems = []
        for schema, table in sorted(rel_a):
            if table in skipped:
                continue
            name = f"{schema}.{table}"
            cols_a, cols_b = _columns(con, "a", schema, table), _columns(con, "b", schema, table)
            if cols_a != cols_b:
                problems.append(f"{name}: columns differ: A {cols_a} / B {cols_b}")
                continue
            n_a = con.execute(f"select count(*) from a.{name}").fetchone()[0]
            n_b = con.execute(f"select count(*) from b.{name}").fetchone()[0]
            # the landing file by name: A and B read the same files from different folders
            cols = ", ".join(
                "parse_filename(_landing_file) as _landing_file" if c == "_landing_file" else f'"{c}"'
                for c, _ in cols_a
            )
            only_a = f"select {cols} from a.{name} except all select {cols} from b.{name}"
            only_b = f"select {cols} from b.{name} except all select {cols} from a.{name}"
            k_a = con.execute(f"select count(*) from ({only_a})").fetchone()[0]
            k_b = con.execute(f"select count(*) from ({only_b})").fetchone()[0]
            if n_a != n_b or k_a or k_b:
                sample_a = con.execute(f"{only_a} limit 3").fetchall()
                sample_b = con.execute(f"{only_b} limit 3").fetchall()
                problems.append(
                    f"{name}: incremental A has {n_a} rows, full refresh B {n_b}; {k_a} rows only in A "
                    f"(e.g. {sample_a}), {k_b} only in B (e.g. {sample_b})"
                )
    assert not problems, "incremental build differs from the full refresh:\n" + "\n".join(problems)


def _incremental_models(manifest: dict) -> dict[str, str]:
    return {
        uid: node["name"]
        for uid, node in manifest["nodes"].items()
        if node["resource_type"] == "model" and node["config"]["materialized"] == "incremental"
    }


def test_second_build_ran_the_incremental_models_incrementally(replay):
    models = _incremental_models(replay.manifest)
    assert set(models.values()) >= INCREMENTAL_BASE_MODELS
    for uid, name in models.items():
        for label, results, incremental in (
            ("first build of A", replay.results_a1, False),
            ("second build of A", replay.results_a2, True),
            ("full refresh B", replay.results_b, False),
        ):
            r = results.get(uid)
            assert r is not None, f"{name} did not run in the {label}"
            assert r["status"] == "success", f"{name} in the {label}: {r['status']} {r['message']}"
            reads_itself = ran_incrementally(r)
            assert reads_itself == incremental, (
                f"{name} in the {label}: expected {'an incremental' if incremental else 'a full'} run, "
                f"compiled code {'reads' if reads_itself else 'does not read'} {r['relation_name']}"
            )


def test_incremental_run_reads_only_the_files_it_needs(replay):
    """The base tables' incremental run scans the new landing file and the loaded files of changed keys or parents,
    not the whole landing table: the file filter is in the compiled SQL, and a feed without a new file or a changed
    parent reads nothing."""
    by_name = {r["unique_id"].split(".")[-1]: r for r in replay.results_a2.values()}
    tx = by_name["base_core_banking__transactions"]["compiled_code"]
    assert "affected_rows" in tx and f"/{LATER_PART}'" in tx, "the transactions' run is not an incremental one"
    assert "raw_source.filename in (" in tx
    events = by_name["base_digital__events"]["compiled_code"]
    assert re.search(r"as raw_source\s+where false", events), "digital events had nothing new but read files"
    for full in (replay.results_a1, replay.results_b):
        code = next(r["compiled_code"] for r in full.values() if r["unique_id"].endswith(".base_digital__events"))
        assert "raw_source.filename in (" not in code and "affected_rows" not in code


def test_held_back_rows_arrive_in_the_incremental_run(replay):
    with duckdb.connect(str(replay.warehouse_a), read_only=True) as con:
        for feed in FEEDS:
            hb = replay.held[feed.table]
            model = feed.staging_model
            keys = sorted(hb.keys)
            assert replay.held_in_a1[model] == 0, f"{model}: held-back rows already present after the first build"
            accepted, later = con.execute(
                f"select count(*), count(*) filter (where extracted_at = cast(? as timestamp))"
                f" from staging.{model} where {feed.key} in (select unnest(?))",
                [hb.extracted_at, keys],
            ).fetchone()
            accepted_late = con.execute(
                f"select count(*) from staging.{model} where {feed.key} in (select unnest(?))",
                [sorted(hb.late_keys)],
            ).fetchone()[0]
            assert accepted > 0 and accepted_late > 0, f"{model}: staging accepted no held-back (late) rows"
            assert later == accepted, f"{model}: {accepted - later} held-back rows without the later extract time"


def test_the_traps_of_the_later_delivery_took_effect(replay):
    """Each trap changed loaded rows in the incremental run (so the equality above covers its path)."""
    t = replay.traps
    with duckdb.connect(str(replay.warehouse_a), read_only=True) as con:

        def base(where: str, *params) -> list[tuple]:
            return con.execute(
                "select parse_filename(_landing_file), _is_exact_duplicate, coalesce(_quarantine_reason, ''), amount"
                f" from staging.base_core_banking__transactions where {where} order by all",
                list(params),
            ).fetchall()

        # the held account arrived: its postings, orphans after the first build, are no longer orphans
        assert replay.orphans_a1 >= 3
        assert not [r for r in base("account_id = ?", t.held_account) if "orphan account_id" in r[2]]
        # the re-delivered posting supersedes the loaded copy
        rows = base("transaction_id = ?", t.redelivered)
        assert [r[0] for r in rows] == ["part-0000.parquet", LATER_PART]
        assert "duplicate key" in rows[0][2] and "duplicate key" not in rows[1][2]
        assert str(rows[1][3]) == REDELIVERED_AMOUNT
        # the copy delivered again unchanged is the exact duplicate, the loaded copy stays
        rows = base("transaction_id = ?", t.repeated)
        assert [(r[0], r[1]) for r in rows] == [("part-0000.parquet", False), (LATER_PART, True)]
        # the account re-delivered with another currency: its accepted copy is the later one
        currency = con.execute(
            "select currency from staging.stg_core_banking__deposit_accounts where account_id = ?",
            [t.recurrency_account],
        ).fetchall()
        assert currency == [(OTHER_CURRENCY,)]


def test_a_changed_cleaning_var_recomputes_every_row(replay):
    """_rules_hash covers the vars of the cleaning macros: a run with another timestamp_formats recomputes the whole
    base table instead of only new files (it runs last: it rebuilds one table of warehouse A)."""
    formats = "['%Y-%m-%d %H:%M:%S', '%Y-%m-%dT%H:%M:%S', '%d/%m/%Y %H:%M:%S']"
    target = replay.tmp / "target_vars"
    run = subprocess.run(
        [
            str(BIN / "dbt"),
            "run",
            "--project-dir",
            str(ROOT),
            "--target-path",
            str(target),
            "--log-path",
            str(replay.tmp / "logs-vars"),
            "--select",
            "base_digital__events",
            "--vars",
            f"{{timestamp_formats: {formats}}}",
        ],
        cwd=replay.tmp,
        env=_env(replay.tmp / "raw_a", replay.warehouse_a),
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stdout[-3000:]
    assert 'base_digital__events": every row recomputed' in run.stdout
    code = next(iter(_run_results(target).values()))["compiled_code"]
    assert "affected_rows" not in code and "raw_source.filename in (" not in code
