"""``bankseg bench``: time every stage of the warehouse on a generated bank of N customers.

Each stage runs in its own child process, so its wall time, CPU time (user + system of the child and of every
process it waited for, from ``os.wait4``) and peak resident memory (``ru_maxrss`` of the child) are its own:

``generate``
    ``bankseg generate --customers N --seed S --months 12`` into ``<work>/banks/n<N>-s<S>-m12/``. The bank is
    reused when that folder is complete (same size, seed and months); the figures of the run that wrote it are
    reported, marked ``reused``.
``build_<layer>``
    ``dbt build --select <layer> --resource-type seed model snapshot`` per layer, in dependency order
    (:data:`LAYERS`). Customer marts feed segmentation and segmentation feeds the KPI models, so the layers are
    staging (seeds + staging), intermediate (customers + behaviour), marts_customer (customer marts + the metrics
    time spine), segmentation (``tag:segmentation``: its Python and SQL models, intermediate and marts, plus the
    snapshot of segments) and kpi (intermediate and marts). :func:`assign_layers` proves on the manifest that
    every seed, model and snapshot is in exactly one layer and that no layer reads a later one.
``build_tests``
    ``dbt test``: every data test and unit test. The layer stages plus this one are one full ``dbt build``
    with all tests; the sum is reported as ``full build (sum)``.
``docs``
    ``dbt docs generate``.
``incremental_day<k>``
    Before the build, the landing copy of the run is put back ``days`` days: the transactions and card
    transactions of the last ``days`` days, plus a few postings dated two and three days before each of them
    (late arrivals inside the look-back window), are held back (:func:`hold_back_parts`, which gives exactly
    :func:`bankseg.landing_ops.hold_back` on the whole table, one part file at a time). Each daily run writes
    one day's delivery as a new part file and runs ``dbt build`` (all tests included): the four large base tables
    run incrementally (macro landing_increment: the new file and the loaded rows it can change), everything else
    is rebuilt.
``full_refresh`` (verification, not part of the totals)
    ``dbt build --full-refresh`` of seeds, models and snapshot (no tests) into a second warehouse on the same,
    complete landing. Every table of the staging, intermediate and marts schemas must have the same row count and
    checksum (sum of ``hash(row)``) in both, except the models downstream of the segmentation model registry,
    which keeps earlier fits on purpose (as in tests/python/test_incremental.py).
``publish``
    ``bankseg publish`` of the marts for BI tools.
``overhead_dbt`` / ``overhead_duckdb``
    The overhead of dbt over DuckDB. Both sides start from a fresh warehouse holding only the seeds and the
    outputs of the Python models, copied from the built warehouse (untimed). ``overhead_dbt`` is
    ``dbt run`` of every SQL model (the Python models excluded); ``overhead_duckdb`` is one DuckDB connection
    with the profile's settings running the compiled SQL of that ``dbt run`` (``run_results.json``) in
    dependency order, as ``create table ... as`` or ``create view ... as`` per the model's materialisation
    (incremental models in their full-refresh form). The ratio compares the two wall times (process start,
    parse and the landing-contract hook included on the dbt side), and also dbt's own ``elapsed_time``.

Everything of a run lives under ``<work>/runs/n<N>-s<S>-m12/`` (landing copy as hard links, warehouses, DuckDB
temp dir, dbt target and logs, the serving folder); nothing under the project's own ``target/``, ``logs/`` or
``warehouse/`` is touched. The default work folder is ``<project>/bench/``, ignored by git through its own
``.gitignore``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

SCHEMA_VERSION = 1
MONTHS = 12
DEFAULT_SEED = 42
ROOT = Path(__file__).resolve().parents[2]
DEFAULT_WORK_DIR = ROOT / "bench"
BIN = Path(sys.executable).parent
DB_NAME = "bankseg.duckdb"  # every warehouse of a run has this name: compiled SQL names the database by file stem


class BenchError(Exception):
    """A stage failed or the benchmark cannot run; the message names the stage and its log."""


# ---- measuring one stage -------------------------------------------------------------------------------------


@dataclass
class StageResult:
    """What one stage cost: measured on its own child process."""

    name: str
    command: list[str]
    wall_s: float
    user_s: float
    sys_s: float
    max_rss_mb: float
    returncode: int
    load_before: list[float]
    load_after: list[float]
    log: str | None = None
    reused: bool = False
    dbt: dict | None = None  # summary of the stage's run_results.json, for dbt stages
    info: dict = field(default_factory=dict)

    @property
    def cpu_s(self) -> float:
        return self.user_s + self.sys_s

    def to_json(self) -> dict:
        d = asdict(self)
        d["cpu_s"] = round(self.cpu_s, 3)
        return d


# A child's ru_maxrss starts at the resident size of the process that forked it (Linux records the high-water
# mark of the old address space at exec), so children are not forked from this process, which may hold pyarrow
# tables and DuckDB: a small launcher (``python -S``, about 10 MB) started on first use forks them and reports
# their wall time and resource usage.
_LAUNCHER_CODE = r"""
import json, os, subprocess, sys, time
for line in sys.stdin:
    job = json.loads(line)
    out = open(job["log"], "w") if job["log"] else subprocess.DEVNULL
    start = time.perf_counter()
    try:
        proc = subprocess.Popen(job["command"], env=job["env"], cwd=job["cwd"], stdout=out, stderr=subprocess.STDOUT)
        _, status, ru = os.wait4(proc.pid, 0)
        code, usage = os.waitstatus_to_exitcode(status), [ru.ru_utime, ru.ru_stime, ru.ru_maxrss]
    except OSError as exc:
        if job["log"]:
            out.write(f"cannot start {job['command'][0]}: {exc}\n")
        code, usage = 127, [0.0, 0.0, 0]
    wall = time.perf_counter() - start
    if job["log"]:
        out.close()
    print(json.dumps({"returncode": code, "wall": wall, "usage": usage}), flush=True)
"""
_launcher: subprocess.Popen | None = None


def _launch(command: Sequence[str], env: Mapping[str, str] | None, cwd: Path | str | None, log: Path | None) -> dict:
    global _launcher
    if _launcher is None or _launcher.poll() is not None:
        _launcher = subprocess.Popen(
            [sys.executable, "-S", "-c", _LAUNCHER_CODE], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
    job = {
        "command": [str(c) for c in command],
        "env": dict(env) if env is not None else dict(os.environ),
        "cwd": str(cwd) if cwd is not None else None,
        "log": str(log) if log is not None else None,
    }
    assert _launcher.stdin is not None and _launcher.stdout is not None
    _launcher.stdin.write(json.dumps(job) + "\n")
    _launcher.stdin.flush()
    line = _launcher.stdout.readline()
    if not line:
        raise BenchError(f"the stage launcher died running {job['command'][0]}")
    return json.loads(line)


def measure(
    name: str,
    command: Sequence[str],
    *,
    env: Mapping[str, str] | None = None,
    cwd: Path | str | None = None,
    log: Path | None = None,
) -> StageResult:
    """Run ``command`` as a child process and measure it.

    Wall time is taken around the child's life; user and system CPU time and peak RSS come from the child's
    resource usage as returned by ``os.wait4`` (they include grandchildren the child waited for). The child is
    forked by a small launcher process, so its peak RSS does not start at this process's size. Output goes to
    ``log`` (or is discarded). The result carries the return code; it does not raise on failure.
    """
    load_before = list(os.getloadavg())
    done = _launch(command, env, cwd, log)
    user, system, maxrss_kb = done["usage"]
    return StageResult(
        name=name,
        command=[str(c) for c in command],
        wall_s=round(done["wall"], 3),
        user_s=round(user, 3),
        sys_s=round(system, 3),
        max_rss_mb=round(maxrss_kb / 1024, 1),  # kilobytes on Linux
        returncode=done["returncode"],
        load_before=[round(x, 2) for x in load_before],
        load_after=[round(x, 2) for x in os.getloadavg()],
        log=str(log) if log is not None else None,
    )


def _log_tail(stage: StageResult, lines: int = 30) -> str:
    if stage.log is None or not Path(stage.log).exists():
        return ""
    return "\n".join(Path(stage.log).read_text(errors="replace").splitlines()[-lines:])


def _check(stage: StageResult) -> StageResult:
    if stage.returncode != 0:
        raise BenchError(f"stage {stage.name} failed (exit {stage.returncode}; log {stage.log}):\n{_log_tail(stage)}")
    return stage


# ---- the layers of the build ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Layer:
    """A slice of the DAG built by one ``dbt build --select``: a union of dbt selectors."""

    name: str
    selectors: tuple[str, ...]
    description: str


LAYERS: tuple[Layer, ...] = (
    Layer(
        "staging",
        ("resource_type:seed", "path:models/staging"),
        "seeds + staging (base views and tables, stg_ tables and views)",
    ),
    Layer(
        "intermediate",
        ("path:models/intermediate/customers", "path:models/intermediate/behaviour"),
        "identity resolution, profile, behaviour (incl. the incremental transaction models)",
    ),
    Layer(
        "marts_customer",
        ("path:models/marts/customer", "path:models/marts/metrics"),
        "dim_customers, fct_customer_features_monthly, the metrics time spine",
    ),
    Layer(
        "segmentation",
        ("tag:segmentation", "resource_type:snapshot"),
        "Python models (tiers, clusters, registry, personas, drift), segmentation marts, snapshot",
    ),
    Layer("kpi", ("path:models/intermediate/kpi", "path:models/marts/kpi"), "KPI intermediate models and marts"),
)

BUILT_TYPES = ("seed", "model", "snapshot")


def _matches(node: Mapping, selector: str) -> bool:
    """The subset of dbt's selector methods the layers use, evaluated on a manifest node."""
    method, _, value = selector.partition(":")
    if method == "resource_type":
        return node["resource_type"] == value
    if method == "path":
        path = node.get("original_file_path", "")
        return path == value or path.startswith(value.rstrip("/") + "/")
    if method == "tag":
        return value in node.get("tags", [])
    raise ValueError(f"unsupported selector {selector!r}")


def assign_layers(manifest: Mapping, layers: Sequence[Layer] = LAYERS) -> dict[str, str]:
    """Map every seed, model and snapshot of ``manifest`` to its layer; prove the layers are a build order.

    Raises BenchError naming the node when a node is in no layer or in two, or when a node depends on a node of
    a later layer (building the layers in order would read a table not built yet).
    """
    nodes = manifest["nodes"]
    order = {layer.name: i for i, layer in enumerate(layers)}
    assigned: dict[str, str] = {}
    problems = []
    for uid, node in nodes.items():
        if node["resource_type"] not in BUILT_TYPES:
            continue
        hits = [layer.name for layer in layers if any(_matches(node, s) for s in layer.selectors)]
        if len(hits) != 1:
            problems.append(f"{uid} is in {len(hits)} layers {hits}")
            continue
        assigned[uid] = hits[0]
    for uid, layer in assigned.items():
        for parent in nodes[uid].get("depends_on", {}).get("nodes", []):
            if parent in assigned and order[assigned[parent]] > order[layer]:
                problems.append(f"{uid} (layer {layer}) depends on {parent} (later layer {assigned[parent]})")
    if problems:
        raise BenchError("the build layers are not a dependency order:\n  " + "\n  ".join(sorted(problems)))
    return assigned


def topological_order(manifest: Mapping, uids: Iterable[str]) -> list[str]:
    """``uids`` ordered so that every node comes after the nodes of ``uids`` it depends on (ties by id)."""
    todo = set(uids)
    nodes = manifest["nodes"]
    parents = {u: {p for p in nodes[u].get("depends_on", {}).get("nodes", []) if p in todo} for u in todo}
    done: list[str] = []
    ready = sorted(u for u, ps in parents.items() if not ps)
    placed: set[str] = set()
    while ready:
        u = ready.pop(0)
        done.append(u)
        placed.add(u)
        newly = [v for v, ps in parents.items() if v not in placed and v not in ready and u in ps and ps <= placed]
        ready = sorted(ready + newly)
    if len(done) != len(todo):
        raise BenchError(f"dependency cycle among {sorted(todo - placed)[:5]}")
    return done


def history_dependent(manifest: Mapping) -> set[str]:
    """Relation names downstream of the segmentation model registry (it keeps earlier fits on purpose)."""
    nodes, children = manifest["nodes"], manifest.get("child_map", {})
    todo = [uid for uid, n in nodes.items() if n["name"] == "int_segment_models"]
    seen: set[str] = set()
    while todo:
        uid = todo.pop()
        if uid in seen:
            continue
        seen.add(uid)
        todo += [c for c in children.get(uid, []) if c.startswith(("model.", "snapshot."))]
    return {nodes[u]["name"] for u in seen if u in nodes}


# ---- holding back the last days of the transaction feeds -----------------------------------------------------


@dataclass(frozen=True)
class Feed:
    system: str
    table: str
    key: str
    ts: str = "transaction_ts"


FEEDS = (
    Feed("core_banking", "transactions", "transaction_id"),
    Feed("cards", "card_transactions", "card_transaction_id"),
)


def _prefix_dates(values) -> list[str | None]:
    import pyarrow.compute as pc

    trimmed = pc.utf8_ltrim_whitespace(values)
    pref = pc.utf8_slice_codeunits(trimmed, 0, 10)
    ok = pc.match_substring_regex(trimmed, r"^\d{4}-\d{2}-\d{2}")
    return pc.if_else(ok, pref, None)


def _parts(raw: Path, feed: Feed) -> list[Path]:
    from bankseg import contract

    return sorted(contract.table_dir(raw, feed.system, feed.table).glob("*.parquet"))


def data_last_day(raw: Path, feeds: Sequence[Feed] = FEEDS) -> dt.date:
    """:func:`bankseg.landing_ops.last_day` over every part of the feeds, without parsing every row in Python."""
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    from bankseg.landing_ops import parse_day

    best: dt.date | None = None
    for feed in feeds:
        for part in _parts(raw, feed):
            ts = pq.read_table(part, columns=[feed.ts]).column(feed.ts)
            pref = _prefix_dates(ts)
            # rows without a YYYY-MM-DD prefix: parse each (they are the dirt)
            for text in pc.filter(ts, pc.is_null(pref)).to_pylist():
                d = parse_day(text)
                if d is not None and (best is None or d > best):
                    best = d
            # rows with a prefix parse to that date or to nothing: try the latest prefixes first
            for p in sorted({p for p in pc.unique(pref).to_pylist() if p is not None}, reverse=True):
                if best is not None and p <= best.isoformat():
                    break
                rows = pc.filter(ts, pc.equal(pref, p)).to_pylist()
                if any(parse_day(t) is not None for t in rows):
                    best = dt.date.fromisoformat(p)
                    break
    if best is None:
        raise BenchError(f"no parseable transaction day in {raw}")
    return best


def latest_extract(raw: Path, feeds: Sequence[Feed] = FEEDS) -> dt.datetime | None:
    """The newest parseable ``extracted_at`` in the feeds' landing parts."""
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    best: dt.datetime | None = None
    for feed in feeds:
        for part in _parts(raw, feed):
            col = pq.read_table(part, columns=["extracted_at"]).column("extracted_at")
            ok = pc.match_substring_regex(col, r"^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}$")
            top = pc.max(pc.filter(col, pc.fill_null(ok, False))).as_py()
            if top is not None:
                try:
                    value = dt.datetime.fromisoformat(top)
                except ValueError:
                    continue
                if best is None or value > best:
                    best = value
    return best


def delivery_stamps(days: Sequence[dt.date], latest: dt.datetime | None, hour: int = 6) -> list[str]:
    """``extracted_at`` of the daily deliveries of ``days`` (oldest first): each the morning after its day and
    after every extract already loaded, one day apart.

    The generated landing already holds late extracts (up to about nine days after its last day), and a real
    daily extract is newer than everything loaded before it; a delivery stamped earlier than the newest loaded
    extract minus the look-back would be skipped by the incremental models, by design.
    """
    from bankseg.landing_ops import daily_extract_time

    stamps = []
    for k, day in enumerate(sorted(days), start=1):
        stamp = dt.datetime.fromisoformat(daily_extract_time(day, hour))
        if latest is not None:
            stamp = max(stamp, dt.datetime.combine(latest.date() + dt.timedelta(days=k), dt.time(hour)))
        stamps.append(stamp.strftime("%Y-%m-%d %H:%M:%S"))
    return stamps


def hold_back_parts(raw: Path, feed: Feed, day: dt.date, **options):
    """Hold back ``day`` (and late rows) of one landing table, rewriting only the part files that change.

    Gives exactly :func:`bankseg.landing_ops.hold_back` on the concatenation of the parts: the rows it could
    hold back (dated ``day`` or a late day, rows without a ``YYYY-MM-DD`` prefix, and every row sharing a key
    with those) are gathered from all parts, ``hold_back`` runs on them, and each part loses its held-back rows
    (the file is replaced, never written through: the landing copy is made of hard links). Returns the
    ``HeldBack`` of the gathered rows; its ``later`` table is the delivery (in the contract's columns).
    """
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    from bankseg import contract
    from bankseg.landing_ops import hold_back

    late_days = tuple(options.get("late_days", (2, 3)))
    wanted = {(day - dt.timedelta(days=n)).isoformat() for n in (0, *late_days)}
    parts = _parts(raw, feed)
    # pass 1: keys of candidate rows
    keys: set = set()
    for part in parts:
        t = pq.read_table(part, columns=[feed.key, feed.ts])
        pref = _prefix_dates(t.column(feed.ts))
        cand = pc.or_(pc.is_null(pref), pc.is_in(pref, pa.array(sorted(wanted))))
        keys.update(k for k in pc.filter(t.column(feed.key), cand).to_pylist() if k is not None)
    key_arr = pa.array(sorted(keys), type=pa.string())
    # pass 2: the candidate rows plus every row sharing their keys, tagged with (part, row)
    gathered = []
    for i, part in enumerate(parts):
        t = pq.read_table(part).cast(contract.schema(feed.system, feed.table))
        pref = _prefix_dates(t.column(feed.ts))
        cand = pc.or_(
            pc.fill_null(pc.is_in(t.column(feed.key), key_arr), False),
            pc.fill_null(pc.or_(pc.is_null(pref), pc.is_in(pref, pa.array(sorted(wanted)))), False),
        )
        sel = t.append_column("__part", pa.array([i] * t.num_rows, pa.int32())).append_column(
            "__row", pa.array(range(t.num_rows), pa.int64())
        )
        gathered.append(sel.filter(cand))
    subset = pa.concat_tables(gathered)
    held = hold_back(subset, key_column=feed.key, ts_column=feed.ts, day=day, **options)
    drop = {}
    for p, r in zip(held.later.column("__part").to_pylist(), held.later.column("__row").to_pylist(), strict=True):
        drop.setdefault(p, []).append(r)
    for i, rows in drop.items():
        part = parts[i]
        t = pq.read_table(part).cast(contract.schema(feed.system, feed.table))
        mask = pc.invert(pc.is_in(pa.array(range(t.num_rows), pa.int64()), pa.array(rows, pa.int64())))
        kept = t.filter(mask)
        part.unlink()  # a hard link to the generated bank: replace, never write through
        contract.write_table(raw, feed.system, feed.table, kept, file_name=part.name)
    later = held.later.drop_columns(["__part", "__row"])
    earlier = held.earlier.drop_columns(["__part", "__row"])
    return type(held)(
        earlier=earlier,
        later=later,
        keys=held.keys,
        late_keys=held.late_keys,
        last_day=held.last_day,
        extracted_at=held.extracted_at,
    )


def delivery_part_name(k: int) -> str:
    """File name of the k-th daily delivery (sorted after the generated parts)."""
    return f"part-9{k:03d}.parquet"


# ---- fingerprints, row counts, machine -----------------------------------------------------------------------


KEY_TABLES = (
    "staging.stg_core_banking__transactions",
    "staging.stg_cards__card_transactions",
    "intermediate.int_transactions_enriched",
    "intermediate.int_card_transactions_enriched",
    "intermediate.int_customer_identity_map",
    "marts.dim_customers",
    "marts.fct_customer_features_monthly",
    "marts.fct_customer_segments",
    "marts.fct_segment_kpis_monthly",
    "marts.fct_campaign_performance",
)


def fingerprints(warehouse: Path, schemas: Sequence[str] = ("staging", "intermediate", "marts")) -> dict[str, dict]:
    """Row count and checksum (sum of the row hashes, order-independent) of every table in ``schemas``."""
    import duckdb

    out = {}
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rels = con.execute(
            "select schema_name, table_name from duckdb_tables() where database_name = current_database()"
            " and list_contains(?, schema_name) order by all",
            [list(schemas)],
        ).fetchall()
        for schema, table in rels:
            n, checksum = con.execute(
                f'select count(*), coalesce(sum(hash(t)::hugeint), 0) from "{schema}"."{table}" t'
            ).fetchone()
            out[f"{schema}.{table}"] = {"rows": int(n), "checksum": str(checksum)}
    return out


def compare_fingerprints(a: Mapping[str, dict], b: Mapping[str, dict], skip: Iterable[str] = ()) -> dict:
    """Tables equal in row count and checksum, and the differences (``skip``: table names left out)."""
    skip = set(skip)
    names = sorted(set(a) | set(b))
    compared, differences, skipped = [], [], []
    for name in names:
        if name.split(".")[-1] in skip:
            skipped.append(name)
            continue
        compared.append(name)
        if a.get(name) != b.get(name):
            differences.append({"table": name, "incremental": a.get(name), "full_refresh": b.get(name)})
    return {"equal": not differences, "compared": len(compared), "skipped": skipped, "differences": differences}


def table_rows(warehouse: Path, tables: Sequence[str] = KEY_TABLES) -> dict[str, int | None]:
    import duckdb

    out: dict[str, int | None] = {}
    with duckdb.connect(str(warehouse), read_only=True) as con:
        for t in tables:
            try:
                out[t] = int(con.execute(f"select count(*) from {t}").fetchone()[0])
            except duckdb.Error:
                out[t] = None
    return out


def landing_rows(raw: Path) -> dict[str, int]:
    """Rows per landing table, from the Parquet footers."""
    import pyarrow.parquet as pq

    from bankseg import contract

    out = {}
    for system, table in contract.tables():
        parts = sorted(contract.table_dir(raw, system, table).glob("*.parquet"))
        out[f"{system}.{table}"] = sum(pq.ParquetFile(p).metadata.num_rows for p in parts)
    return out


def machine() -> dict:
    from importlib.metadata import version

    import duckdb

    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    return {
        "cores": os.cpu_count(),
        "ram_gb": round(mem / 2**30, 1),
        "os": platform.platform(),
        "python": platform.python_version(),
        "duckdb": duckdb.__version__,
        "dbt_core": version("dbt-core"),
        "dbt_duckdb": version("dbt-duckdb"),
        "load_avg": [round(x, 2) for x in os.getloadavg()],
    }


def settings(temp_dir: Path) -> dict:
    """DuckDB settings the profile reads (profiles.yml defaults where the variable is unset)."""
    return {
        "threads": int(os.environ.get("BANKSEG_THREADS", "2")),  # dbt threads (models run at once)
        "duckdb_threads": os.cpu_count(),  # DuckDB's default; the profile does not set it
        "memory_limit": os.environ.get("BANKSEG_MEMORY_LIMIT", "6GB"),
        "temp_directory": str(temp_dir),
        "preserve_insertion_order": False,
        "dbt_log_level_file": "info",
    }


def summarize_run_results(path: Path) -> dict:
    """Status counts, dbt's elapsed time and per-node timings of a run_results.json."""
    data = json.loads(path.read_text())
    statuses: dict[str, int] = {}
    for r in data["results"]:
        statuses[r["status"]] = statuses.get(r["status"], 0) + 1
    return {"elapsed_s": round(data.get("elapsed_time", 0.0), 3), "statuses": statuses, "nodes": len(data["results"])}


def slowest_nodes(paths: Mapping[str, Path], n: int = 15, kind: str = "model") -> list[dict]:
    """The ``n`` slowest nodes of ``kind`` (``model`` or ``test``) over the run_results of several stages."""
    rows = []
    for stage, path in paths.items():
        if not path.exists():
            continue
        for r in json.loads(path.read_text())["results"]:
            if r["unique_id"].split(".")[0] in (kind, "unit_test" if kind == "test" else kind):
                rows.append({"stage": stage, "node": r["unique_id"], "seconds": round(r["execution_time"], 2)})
    return sorted(rows, key=lambda x: -x["seconds"])[:n]


# ---- the table -----------------------------------------------------------------------------------------------


def format_table(result: Mapping) -> str:
    """A fixed-width table of the stages of a benchmark result, then totals and ratios."""
    head = ("stage", "wall s", "CPU s", "CPU/wall", "peak RSS MB", "load 1m", "note")
    rows = []
    for s in result["stages"]:
        wall, cpu = s["wall_s"], s["user_s"] + s["sys_s"]
        note = []
        if s.get("reused"):
            note.append("reused")
        if s.get("dbt"):
            note.append(f"dbt {s['dbt']['elapsed_s']:.1f}s, {s['dbt']['nodes']} nodes")
        if s.get("info", {}).get("note"):
            note.append(s["info"]["note"])
        rows.append(
            (
                s["name"],
                f"{wall:.1f}",
                f"{cpu:.1f}",
                f"{cpu / wall:.2f}" if wall > 0 else "-",
                f"{s['max_rss_mb']:.0f}",
                f"{s['load_before'][0]:.1f}",
                "; ".join(note),
            )
        )
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(head)]
    aligned = "<>>>>><"

    def fmt(r):
        return "  ".join(
            (c.ljust(w) if a == "<" else c.rjust(w)) for c, w, a in zip(r, widths, aligned, strict=True)
        ).rstrip()

    lines = [f"bankseg bench: {result['customers']:,} customers, {result['months']} months, seed {result['seed']}"]
    lines += [fmt(head), fmt(tuple("-" * w for w in widths))]
    lines += [fmt(r) for r in rows]
    t = result.get("totals", {})
    if t:
        lines.append("")
        if "full_build_s" in t:
            lines.append(
                f"full build with all tests (build_* stages): {t['full_build_s']:.1f} s wall, "
                f"{t['full_build_cpu_s']:.1f} s CPU, peak RSS {t['full_build_peak_rss_mb']:.0f} MB"
                + ("" if t.get("full_build_complete") else " (incomplete)")
            )
        if "incremental_share" in t:
            lines.append(
                f"daily incremental run: {t['incremental_mean_s']:.1f} s = "
                f"{t['incremental_share']:.2f} of the full build"
            )
        if "overhead_ratio" in t:
            elapsed = t.get("overhead_ratio_elapsed")
            lines.append(
                f"dbt run / DuckDB alone: {t['overhead_ratio']:.2f} (wall)"
                + (f", {elapsed:.2f} (dbt elapsed_time)" if elapsed is not None else "")
                + (f", {t['overhead_ratio_cpu']:.2f} (CPU)" if t.get("overhead_ratio_cpu") is not None else "")
            )
    v = result.get("verification")
    if v:
        lines.append(
            f"incremental == full refresh: {'yes' if v['equal'] else 'NO'} "
            f"({v['compared']} tables compared, {len(v['skipped'])} history-dependent skipped)"
        )
    return "\n".join(lines)


REQUIRED = {
    "schema_version": int,
    "customers": int,
    "seed": int,
    "months": int,
    "days": int,
    "started_at": str,
    "machine": dict,
    "settings": dict,
    "layers": list,
    "stages": list,
    "totals": dict,
    "landing_rows": dict,
    "table_rows": dict,
    "slowest_models": list,
    "slowest_tests": list,
}
STAGE_REQUIRED = {
    "name": str,
    "command": list,
    "wall_s": float,
    "user_s": float,
    "sys_s": float,
    "cpu_s": float,
    "max_rss_mb": float,
    "returncode": int,
    "load_before": list,
    "load_after": list,
}


def validate_result(result: Mapping) -> None:
    """Raise ValueError naming the first missing or mistyped field of a benchmark result."""
    for key, typ in REQUIRED.items():
        if key not in result:
            raise ValueError(f"result: missing {key!r}")
        if not isinstance(result[key], typ) or (typ is int and isinstance(result[key], bool)):
            raise ValueError(f"result: {key!r} should be {typ.__name__}, got {type(result[key]).__name__}")
    for i, s in enumerate(result["stages"]):
        for key, typ in STAGE_REQUIRED.items():
            if key not in s:
                raise ValueError(f"stage {i} ({s.get('name')}): missing {key!r}")
            ok = isinstance(s[key], (int, float)) if typ is float else isinstance(s[key], typ)
            if not ok or isinstance(s[key], bool):
                raise ValueError(f"stage {s.get('name')}: {key!r} should be {typ.__name__}")
    for key in ("cores", "ram_gb", "os", "python", "duckdb", "dbt_core", "load_avg"):
        if key not in result["machine"]:
            raise ValueError(f"machine: missing {key!r}")
    for key in ("threads", "memory_limit", "temp_directory"):
        if key not in result["settings"]:
            raise ValueError(f"settings: missing {key!r}")


# ---- DuckDB alone ---------------------------------------------------------------------------------------------


def sql_plan(manifest: Mapping, run_results: Mapping) -> list[dict]:
    """The statements DuckDB alone runs: each SQL model of ``run_results`` in dependency order."""
    compiled = {r["unique_id"]: r.get("compiled_code") for r in run_results["results"]}
    uids = [u for u in compiled if u.startswith("model.") and compiled[u]]
    plan = []
    for uid in topological_order(manifest, uids):
        node = manifest["nodes"][uid]
        kind = "view" if node["config"]["materialized"] == "view" else "table"
        plan.append(
            {
                "node": uid,
                "schema": node["schema"],
                "relation": node["relation_name"],
                "sql": f"create or replace {kind} {node['relation_name']} as (\n{compiled[uid]}\n)",
            }
        )
    return plan


def run_plan(plan_path: str, database: str, settings_path: str, out_path: str) -> None:
    """Child process of ``overhead_duckdb``: run the plan on ``database`` and write per-statement timings."""
    import duckdb

    plan = json.loads(Path(plan_path).read_text())
    conf = json.loads(Path(settings_path).read_text())
    timings = []
    con = duckdb.connect(database)
    # DuckDB's own threads stay at its default (the cores), as in the dbt profile, which sets dbt's threads only
    con.execute(f"set memory_limit = '{conf['memory_limit']}'")
    con.execute(f"set temp_directory = '{conf['temp_directory']}'")
    con.execute("set preserve_insertion_order = false")
    schemas = sorted({p["schema"] for p in plan})
    for s in schemas:
        con.execute(f'create schema if not exists "{s}"')
    for step in plan:
        t0 = time.perf_counter()
        con.execute(step["sql"])
        timings.append({"node": step["node"], "seconds": round(time.perf_counter() - t0, 3)})
    con.close()
    Path(out_path).write_text(json.dumps(timings, indent=1))


def prepare_overhead_db(source: Path, target: Path, manifest: Mapping, uids: Iterable[str]) -> None:
    """A fresh warehouse holding copies of ``uids`` (seeds, Python model outputs) from ``source``."""
    import duckdb

    target.parent.mkdir(parents=True, exist_ok=True)
    if target.exists():
        target.unlink()
    with duckdb.connect(str(target)) as con:
        con.execute(f"attach '{source}' as src (read_only)")
        for uid in sorted(uids):
            node = manifest["nodes"][uid]
            schema, name = node["schema"], node.get("alias") or node["name"]
            con.execute(f'create schema if not exists "{schema}"')
            con.execute(f'create table "{schema}"."{name}" as select * from src."{schema}"."{name}"')


# ---- the run --------------------------------------------------------------------------------------------------


@dataclass
class _Run:
    work: Path
    bank: Path
    run: Path
    raw: Path
    warehouse: Path
    temp: Path
    target: Path
    logs: Path
    results: Path

    def env(self, warehouse: Path | None = None) -> dict[str, str]:
        return {
            **os.environ,
            "DBT_PROJECT_DIR": str(ROOT),
            "DBT_PROFILES_DIR": str(ROOT),
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
            "BANKSEG_RAW_DIR": str(self.raw),
            "BANKSEG_DUCKDB_PATH": str(warehouse or self.warehouse),
            "BANKSEG_TEMP_DIR": str(self.temp),
        }

    def dbt(self, *args: str, target: Path | None = None) -> list[str]:
        return [
            str(BIN / "dbt"),
            *args,
            "--project-dir",
            str(ROOT),
            "--profiles-dir",
            str(ROOT),
            "--target-path",
            str(target or self.target),
            "--log-path",
            str(self.logs),
            "--log-level-file",
            "info",
        ]


def _say(text: str) -> None:
    stamp = time.strftime("%H:%M:%S")
    print(f"[bench {stamp}] {text}", file=sys.stderr, flush=True)


def _dbt_stage(run: _Run, name: str, args: Sequence[str], *, warehouse: Path | None = None) -> StageResult:
    _say(f"{name}: dbt {' '.join(args)}")
    stage = measure(name, run.dbt(*args), env=run.env(warehouse), cwd=run.run, log=run.run / f"{name}.log")
    rr = run.target / "run_results.json"
    if rr.exists() and rr.stat().st_mtime >= time.time() - stage.wall_s - 1:
        shutil.copy(rr, run.results / f"{name}.json")
        stage.dbt = summarize_run_results(rr)
    _say(f"{name}: {stage.wall_s:.1f}s wall, {stage.cpu_s:.1f}s CPU, {stage.max_rss_mb:.0f} MB")
    return _check(stage)


def _generate(run: _Run, customers: int, seed: int, reuse: bool) -> StageResult:
    marker = run.bank / ".bench-generated.json"
    if reuse and marker.exists():
        stage = StageResult(**{k: v for k, v in json.loads(marker.read_text()).items() if k != "cpu_s"})
        stage.reused = True
        _say(f"generate: reusing {run.bank} ({stage.wall_s:.1f}s when generated)")
        return stage
    if run.bank.exists():
        shutil.rmtree(run.bank)
    run.bank.mkdir(parents=True)
    cmd = [str(BIN / "bankseg"), "generate", "--customers", str(customers), "--seed", str(seed)]
    cmd += ["--months", str(MONTHS), "--out", str(run.bank), "--quiet"]
    _say(f"generate: {customers:,} customers")
    stage = _check(measure("generate", cmd, env=run.env(), cwd=run.run, log=run.run / "generate.log"))
    marker.write_text(json.dumps(stage.to_json(), indent=1))
    _say(f"generate: {stage.wall_s:.1f}s wall, {stage.max_rss_mb:.0f} MB")
    return stage


def _link_landing(bank: Path, raw: Path) -> None:
    """The run's landing: hard links to the generated bank (ground truth left out)."""
    if raw.exists():
        shutil.rmtree(raw)
    shutil.copytree(bank, raw, copy_function=os.link, ignore=shutil.ignore_patterns("ground_truth", ".bench-*"))


def run_bench(
    customers: int,
    days: int = 1,
    out: Path | str | None = None,
    work_dir: Path | str = DEFAULT_WORK_DIR,
    reuse: bool = True,
    *,
    seed: int = DEFAULT_SEED,
    verify: bool = True,
    overhead: bool = True,
) -> dict:
    """Run the benchmark and return its result (also written to ``out``, default ``<work>/bench-n<N>.json``).

    ``days`` daily incremental runs are replayed (each one day of transactions plus late postings). ``reuse``
    keeps a generated bank of the same size, seed and months. ``verify`` builds a full refresh to compare with;
    ``overhead`` measures dbt against DuckDB alone.
    """
    if customers <= 0:
        raise BenchError(f"--customers must be positive, got {customers}")
    if days <= 0:
        raise BenchError(f"--days must be positive, got {days}")
    work = Path(work_dir).resolve()
    work.mkdir(parents=True, exist_ok=True)
    if work == DEFAULT_WORK_DIR.resolve() and not (work / ".gitignore").exists():
        (work / ".gitignore").write_text("# benchmark data, warehouses and results: never committed\n*\n")
    key = f"n{customers}-s{seed}-m{MONTHS}"
    run_dir = work / "runs" / key
    if run_dir.exists():
        shutil.rmtree(run_dir)
    run = _Run(
        work=work,
        bank=work / "banks" / key,
        run=run_dir,
        raw=run_dir / "raw",
        warehouse=run_dir / "warehouse" / DB_NAME,
        temp=run_dir / "duckdb-tmp",
        target=run_dir / "target",
        logs=run_dir / "logs",
        results=run_dir / "run_results",
    )
    for d in (run.run, run.warehouse.parent, run.temp, run.results):
        d.mkdir(parents=True, exist_ok=True)
    out_path = Path(out) if out else work / f"bench-n{customers}.json"
    result: dict = {
        "schema_version": SCHEMA_VERSION,
        "customers": customers,
        "seed": seed,
        "months": MONTHS,
        "days": days,
        "started_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "work_dir": str(run.run),
        "machine": machine(),
        "settings": settings(run.temp),
        "layers": [asdict(layer) for layer in LAYERS],
        "stages": [],
        "totals": {},
        "landing_rows": {},
        "table_rows": {},
        "slowest_models": [],
        "slowest_tests": [],
    }
    stages: list[StageResult] = []
    result["_stages"] = stages

    def add(stage: StageResult) -> StageResult:
        stages.append(stage)
        return stage

    build_results: dict[str, Path] = {}
    try:
        add(_generate(run, customers, seed, reuse))
        _link_landing(run.bank, run.raw)
        result["landing_rows"] = landing_rows(run.raw)

        # put the landing back `days` days (untimed preparation)
        t0 = time.perf_counter()
        latest = latest_extract(run.raw)
        last = data_last_day(run.raw)
        held_days = [last - dt.timedelta(days=n) for n in range(days - 1, -1, -1)]  # oldest first
        stamps = dict(zip(held_days, delivery_stamps(held_days, latest), strict=True))
        deliveries: list[dict[Feed, object]] = []
        for day in reversed(held_days):  # newest first: each hold-back works on what the previous one left
            deliveries.insert(
                0, {feed: hold_back_parts(run.raw, feed, day, extracted_at=stamps[day]) for feed in FEEDS}
            )
        result["held_back"] = [
            {
                "day": next(iter(d.values())).last_day.isoformat(),
                "extracted_at": next(iter(d.values())).extracted_at,
                **{
                    f"{f.system}.{f.table}": {"rows": hb.later.num_rows, "late_keys": len(hb.late_keys)}
                    for f, hb in d.items()
                },
            }
            for d in deliveries
        ]
        _say(f"held back {days} day(s) of transactions in {time.perf_counter() - t0:.1f}s")

        # the full build, layer by layer, then the tests
        # `dbt parse` writes the manifest the layers are checked on; counted in the full build (one `dbt build`
        # parses once too), and the layer invocations after it parse partially
        add(_dbt_stage(run, "build_parse", ["parse"]))
        manifest = json.loads((run.target / "manifest.json").read_text())
        layer_of = assign_layers(manifest)
        result["layer_nodes"] = {layer.name: sum(1 for v in layer_of.values() if v == layer.name) for layer in LAYERS}
        for layer in LAYERS:
            args = ["build", "--select", *layer.selectors]
            for rt in BUILT_TYPES:
                args += ["--resource-type", rt]
            add(_dbt_stage(run, f"build_{layer.name}", args))
            build_results[f"build_{layer.name}"] = run.results / f"build_{layer.name}.json"
        add(_dbt_stage(run, "build_tests", ["test"]))
        build_results["build_tests"] = run.results / "build_tests.json"
        _check_complete_build(manifest, build_results)
        result["table_rows"]["after_full_build"] = table_rows(run.warehouse)

        add(_dbt_stage(run, "docs", ["docs", "generate"]))

        # daily incremental runs
        for k, delivery in enumerate(deliveries, start=1):
            from bankseg import contract

            for feed, hb in delivery.items():
                contract.write_table(run.raw, feed.system, feed.table, hb.later, file_name=delivery_part_name(k))
            stage = add(_dbt_stage(run, f"incremental_day{k}", ["build"]))
            stage.info["note"] = f"delivers {delivery[FEEDS[0]].last_day.isoformat()}"
            _check_incremental(manifest, run.results / f"{stage.name}.json")
        result["table_rows"]["after_incremental"] = table_rows(run.warehouse)

        publish_cmd = [str(BIN / "bankseg"), "publish", "--warehouse", str(run.warehouse)]
        publish_cmd += [
            "--out",
            str(run.run / "serving"),
            "--run-results",
            str(run.results / f"incremental_day{days}.json"),
        ]
        _say("publish")
        add(_check(measure("publish", publish_cmd, env=run.env(), cwd=run.run, log=run.run / "publish.log")))

        if verify:
            full = run.run / "full_refresh" / DB_NAME
            full.parent.mkdir(parents=True, exist_ok=True)
            args = ["build", "--full-refresh"] + [x for rt in BUILT_TYPES for x in ("--resource-type", rt)]
            stage = add(_dbt_stage(run, "full_refresh", args, warehouse=full))
            stage.info["note"] = "verification only, no tests"
            key_fp = fingerprints(run.warehouse)
            result["verification"] = compare_fingerprints(key_fp, fingerprints(full), skip=history_dependent(manifest))
            result["verification"]["key_tables"] = {
                t: key_fp.get(t) for t in KEY_TABLES if t.startswith(("intermediate.", "marts."))
            }
            _say(f"incremental == full refresh: {result['verification']['equal']}")

        if overhead:
            result["overhead"] = _overhead(run, manifest, add)
    except BenchError as exc:
        result["error"] = str(exc)
        raise
    finally:
        result["stages"] = [s.to_json() for s in result.pop("_stages")]
        result["totals"] = totals(result)
        result["slowest_models"] = slowest_nodes(build_results)
        result["slowest_models_incremental"] = slowest_nodes(
            {f"incremental_day{k}": run.results / f"incremental_day{k}.json" for k in range(1, days + 1)}
        )
        result["slowest_tests"] = slowest_nodes({"build_tests": run.results / "build_tests.json"}, kind="test")
        result["machine"]["load_avg_end"] = [round(x, 2) for x in os.getloadavg()]
        result["finished_at"] = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        if "error" not in result:
            validate_result(result)
        out_path.parent.mkdir(parents=True, exist_ok=True)
        out_path.write_text(json.dumps(result, indent=1, default=str))
        _say(f"wrote {out_path}")
    return result


def _check_complete_build(manifest: Mapping, results: Mapping[str, Path]) -> None:
    """The layer stages plus the test stage ran every seed, model, snapshot, data test and unit test once."""
    ran: dict[str, str] = {}
    for stage, path in results.items():
        for r in json.loads(path.read_text())["results"]:
            if r["unique_id"].startswith("operation."):  # the on-run-start hook runs in every invocation
                continue
            if r["unique_id"] in ran:
                raise BenchError(f"{r['unique_id']} ran in {ran[r['unique_id']]} and again in {stage}")
            ran[r["unique_id"]] = stage
            if r["status"] not in ("success", "pass", "warn"):
                raise BenchError(f"{r['unique_id']} in {stage}: {r['status']} {r.get('message')}")
    want = {u for u, n in manifest["nodes"].items() if n["resource_type"] in (*BUILT_TYPES, "test")}
    want |= set(manifest.get("unit_tests", {}))
    missing = sorted(want - set(ran))
    if missing:
        raise BenchError(f"{len(missing)} nodes did not run in the layered build, e.g. {missing[:5]}")


def ran_incrementally(result: Mapping) -> bool:
    """Whether an incremental model's run result took its is_incremental() branch: the compiled code reads the
    model's own table, or the positions the macro landing_increment took from it (its temporary table
    <model>__increment)."""
    code = result.get("compiled_code") or ""
    relation = result["relation_name"]
    scratch = relation.rsplit(".", 1)[-1].rstrip('"') + '__increment"'
    return relation in code or scratch in code


def _check_incremental(manifest: Mapping, path: Path) -> None:
    """Every incremental model ran incrementally (ran_incrementally)."""
    results = {r["unique_id"]: r for r in json.loads(path.read_text())["results"]}
    for uid, node in manifest["nodes"].items():
        if node["resource_type"] == "model" and node["config"]["materialized"] == "incremental":
            r = results.get(uid)
            if r is None or r["status"] != "success":
                raise BenchError(f"{node['name']} did not run successfully in the incremental build")
            if not ran_incrementally(r):
                raise BenchError(f"{node['name']} ran as a full refresh in the incremental build")


def totals(result: Mapping) -> dict:
    """Full build (sum of the build_* stages), its peak memory, the incremental share, dbt/DuckDB ratio."""
    stages = {s.name if isinstance(s, StageResult) else s["name"]: s for s in result.get("_stages", [])}
    if not stages:
        stages = {s["name"]: s for s in result.get("stages", [])}

    def get(s, key):
        return getattr(s, key) if isinstance(s, StageResult) else s[key]

    out: dict = {}
    build = [s for n, s in stages.items() if n.startswith("build_")]
    if build:
        out["full_build_s"] = round(sum(get(s, "wall_s") for s in build), 1)
        out["full_build_cpu_s"] = round(sum(get(s, "user_s") + get(s, "sys_s") for s in build), 1)
        out["full_build_peak_rss_mb"] = max(get(s, "max_rss_mb") for s in build)
        out["full_build_complete"] = "build_tests" in stages
    daily = [get(s, "wall_s") for n, s in stages.items() if n.startswith("incremental_day")]
    if daily and out.get("full_build_s"):
        out["incremental_mean_s"] = round(sum(daily) / len(daily), 1)
        out["incremental_share"] = round(out["incremental_mean_s"] / out["full_build_s"], 3)
    if "overhead_dbt" in stages and "overhead_duckdb" in stages:
        dbt_s, duck_s = stages["overhead_dbt"], stages["overhead_duckdb"]
        out["overhead_ratio"] = round(get(dbt_s, "wall_s") / get(duck_s, "wall_s"), 3)
        duck_cpu = get(duck_s, "user_s") + get(duck_s, "sys_s")
        if duck_cpu > 0:
            out["overhead_ratio_cpu"] = round((get(dbt_s, "user_s") + get(dbt_s, "sys_s")) / duck_cpu, 3)
        dbt_info = get(dbt_s, "dbt")
        if dbt_info:
            out["overhead_ratio_elapsed"] = round(dbt_info["elapsed_s"] / get(duck_s, "wall_s"), 3)
    return out


def _overhead(run: _Run, manifest: Mapping, add) -> dict:
    """dbt run of the SQL models vs DuckDB alone running their compiled SQL, both from the same copied inputs."""
    nodes = manifest["nodes"]
    python_models = sorted(u for u, n in nodes.items() if n["resource_type"] == "model" and n["language"] == "python")
    copied = [u for u, n in nodes.items() if n["resource_type"] == "seed"] + python_models
    dbt_db = run.run / "overhead_dbt" / DB_NAME
    duck_db = run.run / "overhead_duckdb" / DB_NAME
    _say("overhead: copying seeds and Python model outputs into two fresh warehouses")
    prepare_overhead_db(run.warehouse, dbt_db, manifest, copied)
    prepare_overhead_db(run.warehouse, duck_db, manifest, copied)
    target = run.run / "target_overhead"
    shutil.copytree(run.target, target)  # partial parse state, so both sides start alike
    args = ["run", "--exclude", *(nodes[u]["name"] for u in python_models)]
    _say(f"overhead_dbt: dbt {' '.join(args)}")
    stage = measure(
        "overhead_dbt",
        run.dbt(*args, target=target),
        env=run.env(dbt_db),
        cwd=run.run,
        log=run.run / "overhead_dbt.log",
    )
    _check(stage)
    _say(f"overhead_dbt: {stage.wall_s:.1f}s wall, {stage.cpu_s:.1f}s CPU, {stage.max_rss_mb:.0f} MB")
    shutil.copy(target / "run_results.json", run.results / "overhead_dbt.json")
    stage.dbt = summarize_run_results(target / "run_results.json")
    add(stage)
    run_results = json.loads((target / "run_results.json").read_text())
    plan = sql_plan(manifest, run_results)
    plan_path, conf_path, timings = (run.run / f"overhead_{x}.json" for x in ("plan", "settings", "duckdb_timings"))
    plan_path.write_text(json.dumps(plan, indent=1))
    conf_path.write_text(json.dumps(settings(run.temp)))
    cmd = [
        sys.executable,
        "-m",
        "bankseg.bench",
        "run-plan",
        str(plan_path),
        str(duck_db),
        str(conf_path),
        str(timings),
    ]
    _say(f"overhead_duckdb: {len(plan)} statements")
    stage = add(
        _check(measure("overhead_duckdb", cmd, env=run.env(), cwd=run.run, log=run.run / "overhead_duckdb.log"))
    )
    stage.info["note"] = f"{len(plan)} SQL models, compiled SQL only"
    _say(f"overhead_duckdb: {stage.wall_s:.1f}s wall, {stage.cpu_s:.1f}s CPU, {stage.max_rss_mb:.0f} MB")
    slow = sorted(json.loads(timings.read_text()), key=lambda x: -x["seconds"])[:15]
    return {
        "compared": (
            "dbt run of every SQL model (Python models excluded) vs one DuckDB connection running the same "
            "compiled SQL in dependency order; both start from a fresh warehouse holding the seeds and the "
            "Python models' outputs copied from the built warehouse (untimed)"
        ),
        "sql_models": len(plan),
        "excluded_python_models": [nodes[u]["name"] for u in python_models],
        "slowest_duckdb_statements": slow,
    }


# ---- command line ---------------------------------------------------------------------------------------------


def cmd_bench(args: argparse.Namespace) -> int:
    """``bankseg bench``: run, print the table, exit non-zero when a stage failed."""
    try:
        result = run_bench(
            args.customers,
            days=args.days,
            out=args.out,
            work_dir=args.work_dir,
            reuse=not args.no_reuse,
            seed=args.seed,
            verify=not args.no_verify,
            overhead=not args.no_overhead,
        )
    except BenchError as exc:
        print(f"bankseg: error: {exc}", file=sys.stderr)
        return 1
    print(format_table(result))
    if result.get("verification") and not result["verification"]["equal"]:
        print("bankseg: error: the incremental build differs from the full refresh", file=sys.stderr)
        return 1
    return 0


def add_cli(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register ``bankseg bench`` on the CLI's sub-command parsers."""
    from bankseg.cli import _positive_int

    p = subparsers.add_parser(
        "bench",
        help="time generation, the layered dbt build, docs, daily incremental runs and publishing on N customers",
        description=(
            "Generate (or reuse) a bank of N customers with 12 months of history and time each stage in its own "
            "process: wall time, CPU time, peak memory. Writes JSON and prints a table. See docs/bench.md."
        ),
    )
    p.add_argument("--customers", type=_positive_int("--customers"), required=True, help="number of customers")
    p.add_argument("--days", type=_positive_int("--days"), default=1, help="daily runs to replay; default 1")
    p.add_argument("--out", help="result JSON (default <work-dir>/bench-n<N>.json)")
    p.add_argument("--work-dir", default=str(DEFAULT_WORK_DIR), help=f"work folder; default {DEFAULT_WORK_DIR}")
    p.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"generator seed; default {DEFAULT_SEED}")
    p.add_argument("--no-reuse", action="store_true", help="regenerate the bank even if one of this size exists")
    p.add_argument("--no-verify", action="store_true", help="skip the full-refresh build that checks the incremental")
    p.add_argument("--no-overhead", action="store_true", help="skip the dbt vs DuckDB-alone measure")
    p.set_defaults(func=cmd_bench)
    return p


if __name__ == "__main__":
    if len(sys.argv) == 6 and sys.argv[1] == "run-plan":
        run_plan(*sys.argv[2:6])
    else:
        parser = argparse.ArgumentParser(prog="python -m bankseg.bench")
        add_cli(parser.add_subparsers(dest="command", required=True))
        ns = parser.parse_args()
        sys.exit(ns.func(ns))
