"""Publish the marts for BI tools: immutable Parquet versions plus a read-only serving database, swapped atomically.

A DuckDB file has one writer, and a writer locks every other process out, so a BI tool pointed at the build file
(``warehouse/bankseg.duckdb``) breaks for the whole of every ``dbt build``. ``publish`` copies the public marts out
of the build file after a successful build into a new version folder, and only then points ``current`` at it::

    <out>/
      current -> versions/<version>        relative symlink, replaced atomically (os.replace of a temp symlink)
      current.json                         manifest of the current version, replaced atomically
      versions/<version>/
        <table>.parquet                    one file per published table (zstd), table and column descriptions
                                           in the Parquet key-value metadata
        serving.duckdb                     (DuckDB 1.0 storage format, so older BI drivers open it too)
                                           schema ``marts`` of views over those files, with the build catalog's
                                           table and column comments, plus ``main.bankseg_publish`` and
                                           ``main.bankseg_published_tables``
        manifest.json                      version, time, row counts, source warehouse, dbt invocation

The views read ``'<version>/<table>.parquet'``: a path relative to the ``versions`` folder, so the whole ``<out>``
folder can be mounted anywhere. DuckDB resolves relative paths against the ``file_search_path`` setting (or the
working directory), so a reader sets ``file_search_path`` to ``<out>/versions`` (``connect`` does). Because each
serving database names its own version's files, a connection opened on ``current/serving.duckdb`` reads one
consistent version for as long as it stays open, whatever is published meanwhile.

Guarantees:

- a version folder is complete before ``current`` points at it: it is written under ``versions/.staging/``,
  every view is read back and its row count checked against the build file, files are fsynced, then the folder
  is renamed into place and the symlink swapped;
- a failed publish (an exception, a full disk, a table missing, a locked or failed build) removes what it wrote
  and leaves ``current`` and ``current.json`` on the last good version;
- retention keeps the newest ``keep`` versions and never deletes the one ``current`` points at; an older version
  is deleted only once it has been superseded for ``grace_seconds``, because a reader holding it reads its Parquet
  files by path at every query (the open ``serving.duckdb`` survives deletion on Linux, its Parquet files do not).
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import json
import os
import shutil
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb

SERVING_DB = "serving.duckdb"
MANIFEST = "manifest.json"
CURRENT = "current"
CURRENT_JSON = "current.json"
VERSIONS = "versions"
STAGING = ".staging"
LOCK_FILE = ".publish.lock"
DEFAULT_SCHEMAS = ("marts",)
# The serving database is written in DuckDB's 1.0 storage format, so BI tools whose DuckDB JDBC/ODBC driver lags
# behind the warehouse's DuckDB (any driver from 1.0 on) can open it; the build file itself needs DuckDB 2.0.
SERVING_STORAGE_VERSION = "v1.0.0"
DEFAULT_KEEP = 3
DEFAULT_GRACE_SECONDS = 900.0
# dbt result statuses that mean the build did not succeed (a skipped node sits downstream of a failure).
FAILED_STATUSES = frozenset({"error", "fail", "runtime error", "skipped"})


class PublishError(Exception):
    """Publishing failed; ``current`` still points at the last good version."""


@dataclass
class _Column:
    name: str
    data_type: str
    comment: str | None


@dataclass
class _Table:
    schema: str
    name: str
    kind: str
    comment: str | None
    columns: list[_Column] = field(default_factory=list)
    rows: int = 0

    @property
    def key(self) -> str:
        return f"{self.schema}.{self.name}"

    @property
    def file(self) -> str:
        return f"{self.name}.parquet"


def _sql_str(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _utc_now() -> datetime:
    return datetime.now(UTC)


def _new_version_id(now: datetime) -> str:
    """A folder name that sorts in publish order: 2026-11-29T22-48-44.123456Z."""
    return now.strftime("%Y-%m-%dT%H-%M-%S.%fZ")


def _fsync_path(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_json_atomic(path: Path, payload: dict) -> None:
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    with open(tmp, "w", encoding="utf-8") as fh:
        json.dump(payload, fh, indent=2, ensure_ascii=False, default=str)
        fh.write("\n")
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    _fsync_path(path.parent)


@contextlib.contextmanager
def _publish_lock(out: Path) -> Iterator[None]:
    """One publisher at a time per output folder (an advisory lock the OS releases if the process dies)."""
    with open(out / LOCK_FILE, "a") as fh:
        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise PublishError(f"another publish into {out} is running (lock {out / LOCK_FILE})") from None
        try:
            yield
        finally:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


def read_run_results(path: Path | str) -> dict:
    """The invocation id, command and failed nodes of a dbt ``run_results.json``."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise PublishError(f"run results {path}: no such file") from None
    except (OSError, ValueError) as exc:
        raise PublishError(f"run results {path}: cannot read it ({exc})") from None
    meta = data.get("metadata", {})
    failed = sorted(
        f"{r.get('unique_id')} ({r.get('status')})"
        for r in data.get("results", [])
        if str(r.get("status", "")).lower() in FAILED_STATUSES
    )
    relations = sorted({r["relation_name"] for r in data.get("results", []) if r.get("relation_name")})
    return {
        "invocation_id": meta.get("invocation_id"),
        "generated_at": meta.get("generated_at"),
        "command": (data.get("args") or {}).get("which"),
        "failed": failed,
        "relations": relations,
    }


def _relation_key(relation_name: str) -> str | None:
    """``"db"."marts"."dim_customers"`` -> ``marts.dim_customers``."""
    parts = [p.strip('"') for p in relation_name.split(".")]
    return f"{parts[-2]}.{parts[-1]}" if len(parts) >= 2 else None


def _current_version(out: Path) -> str | None:
    link = out / CURRENT
    if not link.is_symlink():
        return None
    return Path(os.readlink(link)).name


def _read_manifest(folder: Path) -> dict | None:
    try:
        return json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _attach_build(con: duckdb.DuckDBPyConnection, warehouse: Path) -> None:
    try:
        con.execute(f"attach {_sql_str(str(warehouse))} as build (read_only)")
    except duckdb.Error as exc:
        text = str(exc)
        if "lock" in text.lower():
            raise PublishError(
                f"warehouse {warehouse} is locked by another process (is a dbt build still running?): {text}"
            ) from None
        raise PublishError(f"warehouse {warehouse}: cannot open it read-only: {text}") from None


def _discover(con: duckdb.DuckDBPyConnection, schemas: Sequence[str]) -> list[_Table]:
    placeholders = ", ".join("?" for _ in schemas)
    rows = con.execute(
        "select table_schema, table_name, table_type from information_schema.tables "
        f"where table_catalog = 'build' and table_schema in ({placeholders}) order by table_schema, table_name",
        list(schemas),
    ).fetchall()
    comments = dict(
        ((s, n), c)
        for s, n, c in con.execute(
            "select schema_name, table_name, comment from duckdb_tables() where database_name = 'build' "
            "union all select schema_name, view_name, comment from duckdb_views() where database_name = 'build'"
        ).fetchall()
    )
    tables = [_Table(schema=s, name=n, kind=k, comment=comments.get((s, n))) for s, n, k in rows]
    by_key = {(t.schema, t.name): t for t in tables}
    for s, n, col, dtype, comment in con.execute(
        "select schema_name, table_name, column_name, data_type, comment from duckdb_columns() "
        "where database_name = 'build' order by schema_name, table_name, column_index"
    ).fetchall():
        if (s, n) in by_key:
            by_key[(s, n)].columns.append(_Column(col, dtype, comment))
    return tables


def _check_expected(
    tables: list[_Table],
    schemas: Sequence[str],
    warehouse: Path,
    previous: dict | None,
    run_results: dict | None,
    allow_removed: bool,
) -> None:
    present = {t.key for t in tables}
    for schema in schemas:
        if not any(t.schema == schema for t in tables):
            raise PublishError(f"schema {schema!r} has no tables in warehouse {warehouse}; nothing to publish")
    expected: dict[str, str] = {}
    if run_results:
        for relation in run_results["relations"]:
            key = _relation_key(relation)
            if key and key.split(".")[0] in schemas:
                expected[key] = "built by the dbt run"
    if previous and not allow_removed:
        for key in previous.get("tables", {}):
            if key.split(".")[0] in schemas:
                expected.setdefault(key, f"published in version {previous.get('version')}")
    missing = sorted(k for k in expected if k not in present)
    if missing:
        detail = "; ".join(f"{k} ({expected[k]})" for k in missing)
        raise PublishError(
            f"missing from warehouse {warehouse}: {detail}. A failed or partial build? "
            "(a table retired on purpose: publish with allow_removed / --allow-removed)"
        )
    names: dict[str, str] = {}
    for t in tables:
        if t.name in names:
            raise PublishError(f"{t.key} and {names[t.name]} would both be published as {t.file}")
        names[t.name] = t.key


def _copy_table(con: duckdb.DuckDBPyConnection, table: _Table, target: Path) -> int:
    """Write one table to Parquet; return the rows written."""
    kv = {"bankseg_table": table.key, "bankseg_description": table.comment or ""}
    kv["bankseg_column_descriptions"] = json.dumps(
        {c.name: c.comment for c in table.columns if c.comment}, ensure_ascii=False
    )
    kv_sql = ", ".join(f"{k}: {_sql_str(v)}" for k, v in kv.items())
    (written,) = con.execute(
        f"copy (select * from build.{_ident(table.schema)}.{_ident(table.name)}) to {_sql_str(str(target))} "
        f"(format parquet, compression zstd, kv_metadata {{{kv_sql}}})"
    ).fetchone()
    return int(written)


def _view_sql(con: duckdb.DuckDBPyConnection, table: _Table, version: str, parquet: Path) -> str:
    """A view over the version's Parquet file that keeps the build file's column types exactly."""
    parquet_types = dict(
        (name, dtype)
        for name, dtype, *_ in con.execute(f"describe select * from read_parquet({_sql_str(str(parquet))})").fetchall()
    )
    select = []
    for col in table.columns:
        if col.name not in parquet_types:
            raise PublishError(f"{table.key}: column {col.name} missing from {parquet.name}")
        if parquet_types[col.name] == col.data_type:
            select.append(_ident(col.name))
        else:
            select.append(f"cast({_ident(col.name)} as {col.data_type}) as {_ident(col.name)}")
    source = _sql_str(f"{version}/{table.file}")
    return (
        f"create view {_ident(table.schema)}.{_ident(table.name)} as "
        f"select {', '.join(select)} from read_parquet({source})"
    )


def _build_serving_db(
    folder: Path, search_root: Path, version: str, tables: list[_Table], info: dict, exporter: duckdb.DuckDBPyConnection
) -> None:
    db = folder / SERVING_DB
    con = duckdb.connect(config={"file_search_path": str(search_root)})
    try:
        con.execute(f"attach {_sql_str(str(db))} as serving (storage_version {_sql_str(SERVING_STORAGE_VERSION)})")
        con.execute("use serving")
        # One transaction: hundreds of autocommitted COMMENT statements would each sync the write-ahead log.
        con.execute("begin transaction")
        for schema in sorted({t.schema for t in tables}):
            con.execute(f"create schema {_ident(schema)}")
        for t in tables:
            con.execute(_view_sql(exporter, t, version, folder / t.file))
            if t.comment:
                con.execute(f"comment on view {_ident(t.schema)}.{_ident(t.name)} is {_sql_str(t.comment)}")
            for c in t.columns:
                if c.comment:
                    con.execute(
                        f"comment on column {_ident(t.schema)}.{_ident(t.name)}.{_ident(c.name)} "
                        f"is {_sql_str(c.comment)}"
                    )
        con.execute(
            "create table main.bankseg_publish (version varchar, published_at timestamp, source_warehouse varchar, "
            "dbt_invocation_id varchar, dbt_command varchar)"
        )
        con.execute(
            "insert into main.bankseg_publish values (?, ?, ?, ?, ?)",
            [
                version,
                info["published_at_ts"],
                info["source_warehouse"],
                info["dbt"].get("invocation_id") if info["dbt"] else None,
                info["dbt"].get("command") if info["dbt"] else None,
            ],
        )
        con.execute(
            "create table main.bankseg_published_tables (schema_name varchar, table_name varchar, row_count bigint, "
            "parquet_file varchar, description varchar)"
        )
        con.executemany(
            "insert into main.bankseg_published_tables values (?, ?, ?, ?, ?)",
            [[t.schema, t.name, t.rows, f"{version}/{t.file}", t.comment] for t in tables],
        )
        con.execute("comment on table main.bankseg_publish is 'Which published version this database serves.'")
        con.execute(
            "comment on table main.bankseg_published_tables is "
            "'Every published table of this version with its row count and Parquet file.'"
        )
        con.execute("commit")
        con.execute("checkpoint serving")
        con.execute("use memory")
        con.execute("detach serving")
    finally:
        con.close()
    if db.with_name(db.name + ".wal").exists():
        raise PublishError(f"{db} left a write-ahead log behind; it would not open read-only elsewhere")


def _verify(folder: Path, search_root: Path, tables: list[_Table]) -> None:
    """Read every view back read-only: it must resolve, have the build file's columns, types and row count."""
    con = duckdb.connect(str(folder / SERVING_DB), read_only=True, config={"file_search_path": str(search_root)})
    try:
        for t in tables:
            rel = f"{_ident(t.schema)}.{_ident(t.name)}"
            (rows,) = con.execute(f"select count(*) from {rel}").fetchone()
            if rows != t.rows:
                raise PublishError(f"{t.key}: the published view has {rows} rows, the warehouse {t.rows}")
            described = [(n, d) for n, d, *_ in con.execute(f"describe {rel}").fetchall()]
            if described != [(c.name, c.data_type) for c in t.columns]:
                raise PublishError(f"{t.key}: the published view's columns differ from the warehouse's")
    finally:
        con.close()


def _export(
    warehouse: Path,
    staging_root: Path,
    version: str,
    schemas: Sequence[str],
    previous: dict | None,
    dbt: dict | None,
    allow_removed: bool,
    now: datetime,
) -> dict:
    folder = staging_root / version
    folder.mkdir(parents=True)
    con = duckdb.connect()
    try:
        _attach_build(con, warehouse)
        tables = _discover(con, schemas)
        _check_expected(tables, schemas, warehouse, previous, dbt, allow_removed)
        for t in tables:
            (t.rows,) = con.execute(f"select count(*) from build.{_ident(t.schema)}.{_ident(t.name)}").fetchone()
            written = _copy_table(con, t, folder / t.file)
            if written != t.rows:
                raise PublishError(f"{t.key}: wrote {written} rows to Parquet, the warehouse holds {t.rows}")
        info = {
            "version": version,
            "published_at": now.isoformat().replace("+00:00", "Z"),
            "published_at_ts": now.replace(tzinfo=None),
            "source_warehouse": str(warehouse),
            "dbt": {k: dbt[k] for k in ("invocation_id", "command", "generated_at")} if dbt else None,
        }
        _build_serving_db(folder, staging_root, version, tables, info, con)
    finally:
        con.close()
    _verify(folder, staging_root, tables)
    manifest = {
        "version": version,
        "published_at": info["published_at"],
        "source_warehouse": info["source_warehouse"],
        "schemas": list(schemas),
        "serving_database": SERVING_DB,
        "file_search_path": VERSIONS,
        "dbt": info["dbt"],
        "tables": {t.key: {"rows": t.rows, "file": t.file, "bytes": (folder / t.file).stat().st_size} for t in tables},
    }
    _write_json_atomic(folder / MANIFEST, manifest)
    for path in folder.iterdir():
        _fsync_path(path)
    _fsync_path(folder)
    return manifest


def _swap_current(out: Path, version: str) -> None:
    link = out / CURRENT
    tmp = out / f".{CURRENT}.tmp-{os.getpid()}"
    if tmp.is_symlink() or tmp.exists():
        tmp.unlink()
    os.symlink(f"{VERSIONS}/{version}", tmp)
    os.replace(tmp, link)
    _fsync_path(out)


def _apply_retention(out: Path, keep: int, grace_seconds: float, now: float) -> tuple[list[str], list[str]]:
    """Delete versions beyond the newest ``keep`` once superseded for ``grace_seconds``; never the current one."""
    versions_dir = out / VERSIONS
    names = sorted(p.name for p in versions_dir.iterdir() if p.is_dir() and not p.name.startswith("."))
    current = _current_version(out)
    removed, kept_in_grace = [], []
    for i, name in enumerate(names[: max(len(names) - keep, 0)]):
        if name == current:
            continue
        successor = versions_dir / names[i + 1]
        superseded_at = successor.stat().st_mtime
        manifest = _read_manifest(successor)
        if manifest and manifest.get("published_at"):
            with contextlib.suppress(ValueError):
                superseded_at = datetime.fromisoformat(manifest["published_at"].replace("Z", "+00:00")).timestamp()
        if now - superseded_at < grace_seconds:
            kept_in_grace.append(name)
            continue
        shutil.rmtree(versions_dir / name, ignore_errors=True)
        if not (versions_dir / name).exists():
            removed.append(name)
    return removed, kept_in_grace


def publish(
    warehouse: Path | str,
    out_dir: Path | str,
    schemas: Sequence[str] = DEFAULT_SCHEMAS,
    *,
    keep: int = DEFAULT_KEEP,
    grace_seconds: float = DEFAULT_GRACE_SECONDS,
    run_results: Path | str | None = None,
    allow_failed_build: bool = False,
    allow_removed: bool = False,
) -> dict:
    """Publish every table and view of ``schemas`` in ``warehouse`` as a new version under ``out_dir``.

    Opens the warehouse read-only (fails with a clear message while a build holds it), writes the version under
    ``versions/.staging``, checks it, moves it to ``versions/<version>``, then atomically points ``current`` at it
    and rewrites ``current.json``. Returns the new version's manifest plus ``out_dir``, ``removed_versions``,
    ``kept_in_grace`` and ``seconds``.

    ``run_results`` (a dbt ``run_results.json``) records the dbt invocation; a run with failed, errored or skipped
    nodes is refused unless ``allow_failed_build``. A table that the previous version published, or that the run
    built in ``schemas``, and that the warehouse lacks stops the publish unless ``allow_removed``.

    Raises PublishError; ``current`` then still points at the last good version and nothing half-written is left.
    """
    started = time.perf_counter()
    warehouse = Path(warehouse).resolve()
    out = Path(out_dir).resolve()
    schemas = tuple(schemas)
    if not schemas:
        raise PublishError("no schemas to publish")
    if keep < 1:
        raise PublishError(f"keep must be at least 1 (the current version), got {keep}")
    if grace_seconds < 0:
        raise PublishError(f"grace_seconds must not be negative, got {grace_seconds}")
    if not warehouse.is_file():
        raise PublishError(f"warehouse {warehouse}: no such file; build the warehouse first (make build)")
    link = out / CURRENT
    if link.exists() and not link.is_symlink():
        raise PublishError(f"{link} exists and is not a symlink; move it away before publishing into {out}")
    dbt = read_run_results(run_results) if run_results else None
    if dbt and dbt["failed"] and not allow_failed_build:
        shown = ", ".join(dbt["failed"][:5]) + (" ..." if len(dbt["failed"]) > 5 else "")
        raise PublishError(
            f"run results {run_results} show {len(dbt['failed'])} failed or skipped nodes ({shown}); "
            "not publishing a failed build"
        )

    versions_dir = out / VERSIONS
    staging_root = versions_dir / STAGING
    versions_dir.mkdir(parents=True, exist_ok=True)
    with _publish_lock(out):
        # Under the lock nothing else writes here: anything in staging is left over from a crashed publish.
        shutil.rmtree(staging_root, ignore_errors=True)
        staging_root.mkdir()
        previous_version = _current_version(out)
        previous = _read_manifest(versions_dir / previous_version) if previous_version else None
        now = _utc_now()
        version = _new_version_id(now)
        while (versions_dir / version).exists():  # two publishes within a microsecond
            time.sleep(1e-6)
            now = _utc_now()
            version = _new_version_id(now)
        final = versions_dir / version
        try:
            manifest = _export(warehouse, staging_root, version, schemas, previous, dbt, allow_removed, now)
            os.rename(staging_root / version, final)
            _fsync_path(versions_dir)
            _swap_current(out, version)
        except BaseException as exc:
            shutil.rmtree(staging_root, ignore_errors=True)
            if _current_version(out) != version:
                shutil.rmtree(final, ignore_errors=True)
            if isinstance(exc, PublishError):
                raise PublishError(f"{exc} (current still points at {previous_version or 'nothing'})") from None
            if isinstance(exc, duckdb.Error | OSError):
                raise PublishError(
                    f"publishing {warehouse} into {out} failed: {type(exc).__name__}: {exc} "
                    f"(current still points at {previous_version or 'nothing'})"
                ) from exc
            raise
        shutil.rmtree(staging_root, ignore_errors=True)
        try:
            _write_json_atomic(out / CURRENT_JSON, {**manifest, "path": f"{VERSIONS}/{version}"})
        except OSError as exc:
            raise PublishError(
                f"version {version} is published and current, but {out / CURRENT_JSON} could not be rewritten "
                f"({exc}); it still describes {previous_version or 'nothing'} - read current/{MANIFEST} instead"
            ) from exc
        removed, kept_in_grace = _apply_retention(out, keep, grace_seconds, time.time())
    return {
        **manifest,
        "out_dir": str(out),
        "removed_versions": removed,
        "kept_in_grace": kept_in_grace,
        "seconds": round(time.perf_counter() - started, 3),
    }


def connect(out_dir: Path | str, version: str | None = None) -> duckdb.DuckDBPyConnection:
    """Open the published marts read-only: the current version, or ``version``.

    The connection reads one version for as long as it is open; open a new one to see a newer publish.
    """
    out = Path(out_dir).resolve()
    folder = out / VERSIONS / version if version else out / CURRENT
    return duckdb.connect(str(folder / SERVING_DB), read_only=True, config={"file_search_path": str(out / VERSIONS)})


# ---- command line ---------------------------------------------------------------------------------------------


def _keep_arg(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"--keep must be a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"--keep must be at least 1, got {value}")
    return value


def _grace_arg(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"--grace-seconds must be a number, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"--grace-seconds must not be negative, got {value}")
    return value


def cmd_publish(args: argparse.Namespace) -> int:
    """``bankseg publish``: publish the marts and print the new version, its tables and what retention removed."""
    from bankseg.cli import CliError

    warehouse = Path(args.warehouse)
    if not warehouse.is_file():
        raise CliError(f"--warehouse {warehouse}: no such file; build the warehouse first (make build)")
    if args.run_results and not Path(args.run_results).is_file():
        raise CliError(f"--run-results {args.run_results}: no such file")
    try:
        result = publish(
            warehouse,
            Path(args.out),
            schemas=tuple(args.schema or DEFAULT_SCHEMAS),
            keep=args.keep,
            grace_seconds=args.grace_seconds,
            run_results=args.run_results,
            allow_failed_build=args.allow_failed_build,
            allow_removed=args.allow_removed,
        )
    except PublishError as exc:
        raise CliError(str(exc)) from None
    out = Path(result["out_dir"])
    print(f"Published: {out / VERSIONS / result['version']}  ({result['seconds']:.1f} s)")
    print(f"Current:   {out / CURRENT / SERVING_DB}  (read-only; file_search_path={out / VERSIONS})")
    width = max(len(k) for k in result["tables"])
    for key, meta in result["tables"].items():
        print(f"  {key:<{width}}  {meta['rows']:>12,}")
    if result["removed_versions"]:
        print("Removed old versions: " + ", ".join(result["removed_versions"]))
    if result["kept_in_grace"]:
        print("Kept for readers (superseded too recently): " + ", ".join(result["kept_in_grace"]))
    return 0


def add_cli(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register ``bankseg publish`` on the CLI's sub-command parsers."""
    p = subparsers.add_parser(
        "publish",
        help="publish the marts for BI tools: Parquet + a read-only serving database, swapped atomically",
        description=(
            "Copy the public marts of a built warehouse into <out>/versions/<version>/ (Parquet files and a "
            "read-only serving.duckdb of views over them), then point <out>/current at it atomically. "
            "BI tools open <out>/current/serving.duckdb read-only with file_search_path=<out>/versions."
        ),
    )
    p.add_argument(
        "--warehouse",
        default=os.environ.get("BANKSEG_DUCKDB_PATH", "warehouse/bankseg.duckdb"),
        help="the built DuckDB warehouse, opened read-only (default: $BANKSEG_DUCKDB_PATH or warehouse/bankseg.duckdb)",
    )
    p.add_argument("--out", required=True, help="publish folder (created if missing), e.g. warehouse/serving")
    p.add_argument(
        "--schema",
        action="append",
        help="schema to publish; repeat for more (default: marts)",
    )
    p.add_argument(
        "--keep",
        type=_keep_arg,
        default=DEFAULT_KEEP,
        help=f"versions to keep, current included; default {DEFAULT_KEEP}",
    )
    p.add_argument(
        "--grace-seconds",
        type=_grace_arg,
        default=DEFAULT_GRACE_SECONDS,
        help="never delete a version superseded less than this long ago (readers may hold it); "
        f"default {DEFAULT_GRACE_SECONDS:.0f}",
    )
    p.add_argument("--run-results", help="dbt run_results.json of the build, for its invocation id and status")
    p.add_argument("--allow-failed-build", action="store_true", help="publish even if --run-results shows failed nodes")
    p.add_argument(
        "--allow-removed",
        action="store_true",
        help="publish even if a table of the current version is no longer in the warehouse",
    )
    p.set_defaults(func=cmd_publish)
    return p
