"""Orchestration: people -> chunks of source-system records -> dirt -> Parquet, plus ground truth.

The population is drawn once; chunks of ``CHUNK_SIZE`` people are then turned
into records independently (own random streams, own part files), in worker
processes when there are several chunks.  Output depends only on the
arguments, never on the number of workers or the wall clock.
"""

from __future__ import annotations

import contextlib
import json
import math
import multiprocessing as mp
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from bankseg import contract
from bankseg.cli import CliError
from bankseg.generator import textfmt as tf
from bankseg.generator.calendar import Calendar
from bankseg.generator.campaigns import Campaign, assign, plan_campaigns, stats
from bankseg.generator.cards import build_cards
from bankseg.generator.context import EXTRACT_SECOND, Ctx, RunConfig, normal_extracted_at
from bankseg.generator.core_banking import build_core, plan_nav
from bankseg.generator.crm import build_crm, campaigns_table
from bankseg.generator.digital import build_digital
from bankseg.generator.dirt import KINDS, DirtLog, Spot, Tab, apply_row_dirt, exact_duplicates
from bankseg.generator.feedback import build_feedback
from bankseg.generator.identity import PERSON_TABLES
from bankseg.generator.kyc import build_kyc
from bankseg.generator.loans import build_loans
from bankseg.generator.people import ARCHETYPE_NAMES, ARCHETYPES, People, format_name, generate_people

GENERATOR_VERSION = "1.0.0"
CHUNK_SIZE = 25_000
MAX_CUSTOMERS = 10_000_000
MAX_WORKERS = 2


class GeneratorArgumentError(CliError, ValueError):
    """A bad argument to :func:`generate_bank` (the CLI prints it as ``bankseg: error: ...``)."""


def _argument_error(message: str) -> GeneratorArgumentError:
    """The error to raise for a bad argument.

    Under ``python -m bankseg.cli`` the CLI module runs as ``__main__`` and its ``CliError`` is a
    different class from ``bankseg.cli.CliError``; the error then also derives from that one, so the
    CLI reports it as a usage error rather than a traceback.
    """
    main = sys.modules.get("__main__")
    spec = getattr(main, "__spec__", None)
    main_cli_error = getattr(main, "CliError", None) if spec is not None and spec.name == "bankseg.cli" else None
    if isinstance(main_cli_error, type) and not issubclass(GeneratorArgumentError, main_cli_error):
        cls = type("GeneratorArgumentError", (GeneratorArgumentError, main_cli_error), {"__module__": __name__})
        return cls(message)
    return GeneratorArgumentError(message)


def _person_spots(system: str, *, email: bool = True, name: bool = True, birth: str | None = "future"):
    s = [Spot("phone_format", "phone")]
    if email:
        s.append(Spot("email_format", "email"))
    if name:
        s += [Spot("name_typo", "full_name"), Spot("whitespace_case", "full_name")]
    if birth:
        s += [Spot("invalid_date", "birth_date", style="date"), Spot("negative_age", "birth_date", style=birth)]
    s.append(Spot("junk_identifier", "phone"))
    if email:
        s.append(Spot("junk_identifier", "email"))
    return s


#: (system, table) -> row-level dirt of that table
DIRT_PLAN: dict[tuple[str, str], list[Spot]] = {
    ("core_banking", "parties"): [
        *_person_spots("core_banking", birth="onboarding"),
        Spot("whitespace_case", "city"),
        Spot("unknown_code", "occupation_code", codes=("77", "00", "X1")),
    ],
    ("core_banking", "deposit_accounts"): [
        Spot("unknown_code", "status_code", codes=("Z", "X")),
        Spot("invalid_date", "open_date", style="date"),
    ],
    ("core_banking", "balances"): [Spot("orphan_fk", "account_id")],
    ("core_banking", "transactions"): [
        Spot("whitespace_case", "description"),
        Spot("invalid_date", "transaction_ts", style="ts"),
        Spot("unknown_code", "channel_code", codes=("XX9", "ZZ")),
        Spot("wrong_sign_amount", "amount"),
        Spot("orphan_fk", "account_id"),
        Spot("late_arriving", "extracted_at"),
    ],
    ("core_banking", "investment_holdings"): [Spot("unknown_code", "product_code", codes=("WM9", "WM0"))],
    ("loans", "borrowers"): _person_spots("loans"),
    ("loans", "applications"): [
        Spot("unknown_code", "channel_code", codes=("XX9",)),
        Spot("invalid_date", "application_date", style="date"),
    ],
    ("loans", "loan_accounts"): [
        Spot("unknown_code", "status_code", codes=("Z", "OVD")),
        Spot("invalid_date", "disbursement_date", style="date"),
    ],
    ("loans", "repayments"): [Spot("orphan_fk", "loan_id"), Spot("invalid_date", "paid_date", style="date")],
    ("cards", "cardholders"): _person_spots("cards"),
    ("cards", "card_accounts"): [
        Spot("unknown_code", "status_code", codes=("Z",)),
        Spot("invalid_date", "open_date", style="date"),
    ],
    ("cards", "card_transactions"): [
        Spot("whitespace_case", "merchant_city"),
        Spot("invalid_date", "transaction_ts", style="ts"),
        Spot("unknown_code", "merchant_category_code", codes=("0000", "9999")),
        Spot("wrong_sign_amount", "amount"),
        Spot("orphan_fk", "card_account_id"),
        Spot("late_arriving", "extracted_at"),
    ],
    ("digital", "users"): [
        *_person_spots("digital", name=False, birth=None),
        Spot("unknown_code", "status_code", codes=("Z",)),
        Spot("invalid_date", "registered_at", style="ts"),
    ],
    ("digital", "events"): [
        Spot("orphan_fk", "user_id"),
        Spot("unknown_code", "event_type", codes=("CLICK", "XX9")),
        Spot("invalid_date", "event_ts", style="ts"),
        Spot("late_arriving", "extracted_at"),
    ],
    ("crm", "contacts"): _person_spots("crm"),
    ("crm", "campaign_contacts"): [],
    ("crm", "responses"): [],
    ("feedback", "respondents"): _person_spots("feedback", birth=None),
    ("feedback", "surveys"): [
        Spot("invalid_date", "survey_date", style="date"),
        Spot("unknown_code", "channel_code", codes=("XX9",)),
    ],
    ("feedback", "complaints"): [
        Spot("invalid_date", "opened_at", style="ts"),
        Spot("unknown_code", "category", codes=("MISC",)),
    ],
    ("kyc", "subjects"): _person_spots("kyc", email=False),
    ("kyc", "assessments"): [
        Spot("invalid_date", "assessment_date", style="date"),
        Spot("unknown_code", "risk_level", codes=("C9", "C0")),
    ],
}
#: tables that get exact duplicate rows
DUPLICATED = {
    ("core_banking", "parties"), ("core_banking", "balances"), ("core_banking", "transactions"),
    ("core_banking", "investment_holdings"), ("loans", "repayments"), ("cards", "card_transactions"),
    ("digital", "events"), ("crm", "campaign_contacts"),
}  # fmt: skip


# --------------------------------------------------------------------------- summary


@dataclass
class GenerationSummary:
    out: Path
    customers: int
    seed: int
    months: int
    start_date: str
    end_date: str
    rows: dict[str, int]
    dirt: dict[str, int]
    elapsed_seconds: float
    disk_bytes: int
    files: int
    workers: int = 1
    campaigns: list[dict] = field(default_factory=list)
    phase_seconds: dict[str, float] = field(default_factory=dict)

    def lines(self) -> list[str]:
        total = sum(self.rows.values())
        out = [
            f"generated a synthetic bank of {self.customers:,} customers (seed {self.seed}, {self.months} months "
            f"{self.start_date}..{self.end_date}) in {self.out}",
        ]
        width = max(len(k) for k in self.rows)
        for k, v in self.rows.items():
            out.append(f"  {k:<{width}} {v:>14,} rows")
        dirt = ", ".join(f"{k} {v:,}" for k, v in self.dirt.items() if v)
        out.append(f"  dirt: {dirt or 'none'}")
        out.append(
            f"  {total:,} rows in {self.files} files, {self.disk_bytes / 1e6:,.1f} MB on disk, "
            f"{self.elapsed_seconds:,.1f} s with {self.workers} worker{'s' if self.workers > 1 else ''}"
        )
        if self.phase_seconds:
            out.append(
                "  seconds: " + ", ".join(f"{k.replace('_', ' ')} {v:,.1f}" for k, v in self.phase_seconds.items())
            )
        return out


# --------------------------------------------------------------------------- validation


def _validate(customers, seed, months, end_date, dirt_rate, overlap) -> int:
    if isinstance(customers, bool) or not isinstance(customers, int | np.integer) or customers <= 0:
        raise _argument_error(f"--customers must be a positive whole number, got {customers!r}")
    if customers > MAX_CUSTOMERS:
        raise _argument_error(f"--customers must be at most {MAX_CUSTOMERS:,}, got {customers:,}")
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer):
        raise _argument_error(f"--seed must be a whole number, got {seed!r}")
    if isinstance(months, bool) or not isinstance(months, int | np.integer) or not 1 <= months <= 240:
        raise _argument_error(f"--months must be between 1 and 240, got {months!r}")
    try:
        if not isinstance(end_date, str) or len(end_date) != 10 or end_date[4] != "-" or end_date[7] != "-":
            raise ValueError
        end_day = tf.day_of(end_date)
    except ValueError:
        raise _argument_error(f"--end-date must be a date YYYY-MM-DD, got {end_date!r}") from None
    if not tf.day_of("2005-01-01") <= end_day <= tf.day_of("2039-12-31"):
        raise _argument_error(f"--end-date must be between 2005-01-01 and 2039-12-31, got {end_date}")
    if not isinstance(dirt_rate, float | int) or not 0.0 <= float(dirt_rate) <= 0.5 or math.isnan(float(dirt_rate)):
        raise _argument_error(f"--dirt-rate must be between 0 and 0.5, got {dirt_rate!r}")
    if not isinstance(overlap, float | int) or math.isnan(float(overlap)) or not 0.05 <= float(overlap) <= 5.0:
        raise _argument_error(f"--overlap must be between 0.05 and 5, got {overlap!r}")
    return end_day


# --------------------------------------------------------------------------- chunk worker


@dataclass
class ChunkResult:
    chunk: int
    rows: dict[str, int]
    dirt: DirtLog
    system_keys: pa.Table
    campaign_stats: np.ndarray
    files: list[str]
    cpu_seconds: float = 0.0


def _write(out: Path, tab: Tab, table: pa.Table, chunk: int) -> str:
    path = contract.write_table(out, tab.system, tab.name, table, file_name=f"part-{chunk:04d}.parquet")
    return str(path)


def run_chunk(
    cfg: RunConfig, chunk: int, people: People, campaigns: list[Campaign], nav: np.ndarray, out: str
) -> ChunkResult:
    """Generate, dirty and write every landing table for one chunk of people."""
    cpu0 = time.process_time()
    out_p = Path(out)
    cal = cfg.calendar()
    ctx = Ctx(cfg, chunk, cal, campaigns, nav)
    log = DirtLog()
    act = people.activity_factor(cal)
    asg = assign(ctx.rng("campaigns"), people, campaigns, cal)
    rows: dict[str, int] = {}
    files: list[str] = []
    key_parts: list[pa.Table] = []
    person_ids = person_id_array(people.gidx)

    def finish(tabs: list[Tab], info: dict):
        for tab in tabs:
            spots = DIRT_PLAN.get((tab.system, tab.name), [])
            rng = ctx.rng(f"dirt.{tab.system}.{tab.name}")
            exempt = tab.meta.get("near_dup")
            apply_row_dirt(tab, spots, cfg.dirt_rate, rng, log, ctx, exempt=exempt)
            if (tab.system, tab.name) in DUPLICATED:
                table = exact_duplicates(tab, cfg.dirt_rate, rng, log)
            else:
                table = tab.arrow()
            files.append(_write(out_p, tab, table, chunk))
            rows[f"{tab.system}.{tab.name}"] = table.num_rows
        rec = info.get("records")
        if rec is not None:
            system = tabs[0].system
            _, table, _, _ = next(t for t in PERSON_TABLES if t[0] == system)
            key_parts.append(
                pa.table(
                    {
                        "system": pa.array([system] * len(rec.persons), pa.string()),
                        "table": pa.array([table] * len(rec.persons), pa.string()),
                        "system_key": rec.keys,
                        "person_id": person_ids.take(pa.array(rec.persons)),
                        "is_near_duplicate": pa.array(rec.near_dup),
                    }
                )
            )

    core_tabs, core_info = build_core(ctx, people, asg, act, log)
    finish(core_tabs, core_info)
    del core_tabs
    finish(*build_loans(ctx, people, asg, log))
    finish(*build_cards(ctx, people, asg, act, log))
    finish(*build_digital(ctx, people, act, log))
    finish(*build_crm(ctx, people, asg, log))
    finish(*build_feedback(ctx, people, act, core_info["party_key_of_person"], log))
    finish(*build_kyc(ctx, people, asg, core_info["first_invest_day"], log))
    keys = pa.concat_tables(key_parts)
    cpu = time.process_time() - cpu0
    return ChunkResult(chunk, rows, log, keys, stats(asg, len(campaigns)), files, cpu)


def _run_chunk_args(args) -> ChunkResult:
    return run_chunk(*args)


def _warm_up() -> None:
    """First task of each worker process: pay Arrow's one-off set-up before the chunks arrive."""
    pa.array(["x"], type=pa.string()).take(pa.array([0]))


def person_id_array(gidx: np.ndarray) -> pa.Array:
    return tf.ids("G", np.asarray(gidx) + 1, 9)


# --------------------------------------------------------------------------- ground truth


def _persons_table(people: People, cal: Calendar) -> pa.Table:
    churn_start = cal.month_start[np.maximum(people.churn_month, 0)]
    fade_start = cal.month_start[np.maximum(people.fade_start, 0)]
    roles = ("", "spouse", "parent", "child")
    return pa.table(
        {
            "person_id": person_id_array(people.gidx),
            "archetype": tf.take(ARCHETYPE_NAMES, people.arch),
            "secondary_archetype": tf.take(ARCHETYPE_NAMES, np.where(people.arch2 >= 0, people.arch2, -1)),
            "mix_weight": np.round(people.mix_weight, 4),
            "household_id": tf.with_nulls(tf.ids("HH", np.maximum(people.household, 0) + 1, 8), people.household >= 0),
            "household_role": tf.take(roles, np.where(people.household_role > 0, people.household_role, -1)),
            "is_churned": people.is_churned,
            "churn_month": tf.dates(churn_start, valid=people.is_churned),
            "fade_start_month": tf.dates(fade_start, valid=people.is_churned),
            "surname": people.surname,
            "given_name": people.given,
            "full_name": format_name("core_banking", people.surname, people.given),
            "national_id": people.national_id,
            "birth_date": tf.dates(people.birth_day),
            "gender": tf.take(("male", "female"), np.where(people.male, 0, 1)),
            "phone": people.phone,
            "email": people.email,
            "city": tf.take([c[0] for c in _cities()], people.city),
            "onboarding_date": tf.dates(people.onboarding_day),
            "annual_income": people.annual_income,
            "is_core_customer": people.has_core,
        }
    )


def _cities():
    from bankseg.generator.reference import CITIES

    return CITIES


def _clean(out: Path) -> None:
    """Remove Parquet files a previous run left in the landing table folders and ground truth."""
    for system, table in contract.tables():
        folder = contract.table_dir(out, system, table)
        if folder.is_dir():
            for f in folder.glob("*.parquet"):
                f.unlink()
    gt = out / "ground_truth"
    if gt.is_dir():
        for f in [*gt.glob("*.parquet"), gt / "manifest.json"]:
            if f.exists():
                f.unlink()


class _Progress:
    def __init__(self, enabled: bool, total: int):
        self.enabled = enabled and sys.stderr.isatty()
        self.total = total
        self.t0 = time.perf_counter()

    def show(self, done: int, label: str) -> None:
        if not self.enabled:
            return
        frac = done / max(self.total, 1)
        bar = "#" * int(frac * 30)
        el = time.perf_counter() - self.t0
        eta = el / frac - el if frac > 0 else 0
        sys.stderr.write(f"\r  {label:<24} [{bar:<30}] {done}/{self.total} chunks  {el:6.1f}s  eta {eta:5.0f}s ")
        sys.stderr.flush()

    def close(self) -> None:
        if self.enabled:
            sys.stderr.write("\n")
            sys.stderr.flush()


# --------------------------------------------------------------------------- entry point


def generate_bank(
    customers: int,
    seed: int = 42,
    out: str | Path = "data/raw",
    months: int = 24,
    end_date: str = "2025-12-31",
    dirt_rate: float = 0.03,
    overlap: float = 1.0,
    progress: bool = True,
    workers: int | None = None,
) -> GenerationSummary:
    """Write a synthetic Chinese retail bank's source-system extracts and its ground truth.

    Landing files go to ``<out>/<system>/<table>/part-NNNN.parquet`` (one per chunk of
    ``CHUNK_SIZE`` people) through :func:`bankseg.contract.write_table`; ground truth to
    ``<out>/ground_truth/``.  Same arguments, same bytes.  ``workers`` (default: up to 2,
    one per CPU) only changes the speed.
    """
    t0 = time.perf_counter()
    end_day = _validate(customers, seed, months, end_date, dirt_rate, overlap)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    _clean(out)
    cfg = RunConfig(int(customers), int(seed), int(months), end_day, float(dirt_rate), float(overlap), CHUNK_SIZE)
    cal = cfg.calendar()
    prog = _Progress(progress, math.ceil(customers / CHUNK_SIZE))
    prog.show(0, "drawing the population")
    phases = {}
    n_chunks = math.ceil(customers / CHUNK_SIZE)
    n_workers = workers if workers is not None else min(MAX_WORKERS, os.cpu_count() or 1, n_chunks)
    n_workers = max(1, min(n_workers, n_chunks))
    gt = out / "ground_truth"
    persons_written = False
    results: list[ChunkResult] = []
    with contextlib.ExitStack() as stack:
        pool = None
        if n_workers > 1:
            # start the workers now: they import and warm up while this process draws the population
            pool = stack.enter_context(ProcessPoolExecutor(max_workers=n_workers, mp_context=mp.get_context("spawn")))
            for _ in range(n_workers):
                pool.submit(_warm_up)
        people = generate_people(cfg.customers, cfg.seed, cal, cfg.overlap)
        campaigns = plan_campaigns(cfg.seed, cal)
        nav = plan_nav(cfg.seed, cal.months)
        jobs = [
            (cfg, c, people.slice(c * CHUNK_SIZE, min(customers, (c + 1) * CHUNK_SIZE)), campaigns, nav, str(out))
            for c in range(n_chunks)
        ]
        phases["population"] = time.perf_counter() - t0
        if pool is None:
            for j in jobs:
                results.append(run_chunk(*j))
                prog.show(len(results), "generating chunks")
        else:
            chunk_results = pool.map(_run_chunk_args, jobs)  # every chunk is submitted here
            # the persons table does not depend on the chunks: write it while the workers run
            gt.mkdir(exist_ok=True)
            pq.write_table(_persons_table(people, cal), gt / "persons.parquet", compression="zstd")
            persons_written = True
            for r in chunk_results:
                results.append(r)
                prog.show(len(results), "generating chunks")
        del jobs
    phases["chunks"] = time.perf_counter() - t0 - phases["population"]
    phases["chunk_cpu"] = sum(r.cpu_seconds for r in results)

    # tables written once
    ctx0 = Ctx(cfg, 0, cal, campaigns, nav)
    camp = campaigns_table(ctx0, campaigns)
    files = [str(contract.write_table(out, "crm", "campaigns", camp.arrow()))]
    for r in results:
        files += r.files
    rows: dict[str, int] = {f"{s}.{t}": 0 for s, t in contract.tables()}
    rows["crm.campaigns"] = len(campaigns)
    log = DirtLog()
    for r in results:
        for k, v in r.rows.items():
            rows[k] += v
        log.merge(r.dirt)

    # ground truth
    gt.mkdir(exist_ok=True)
    if not persons_written:
        pq.write_table(_persons_table(people, cal), gt / "persons.parquet", compression="zstd")
    pq.write_table(pa.concat_tables([r.system_keys for r in results]), gt / "system_keys.parquet", compression="zstd")
    cs = np.sum([r.campaign_stats for r in results], axis=0)
    camp_rows = []
    for c in campaigns:
        nt, nc, ct, cc = (int(v) for v in cs[c.idx])
        camp_rows.append(
            {
                "campaign_id": c.campaign_id,
                "product_code": c.product,
                "true_uplift": c.true_uplift,
                "control_rate": c.base_rate,
                "treated_rate": round(c.base_rate + c.true_uplift, 6),
                "n_treated": nt,
                "n_control": nc,
                "conversions_treated": ct,
                "conversions_control": cc,
                "observed_treated_rate": ct / nt if nt else None,
                "observed_control_rate": cc / nc if nc else None,
                "observed_uplift": (ct / nt - cc / nc) if nt and nc else None,
            }
        )
    pq.write_table(pa.Table.from_pylist(camp_rows), gt / "campaigns.parquet", compression="zstd")
    dirt_rows = log.rows()
    pq.write_table(
        pa.table(
            {
                "kind": pa.array([r[0] for r in dirt_rows], pa.string()),
                "system": pa.array([r[1] for r in dirt_rows], pa.string()),
                "table": pa.array([r[2] for r in dirt_rows], pa.string()),
                "column": pa.array([r[3] for r in dirt_rows], pa.string()),
                "row_count": pa.array([r[4] for r in dirt_rows], pa.int64()),
            }
        ),
        gt / "dirt.parquet",
        compression="zstd",
    )
    by_kind = log.by_kind()
    manifest = {
        "generator": "bankseg.generator",
        "generator_version": GENERATOR_VERSION,
        "customers": cfg.customers,
        "seed": cfg.seed,
        "months": cfg.months,
        "start_date": tf.date_text(cal.start),
        "end_date": tf.date_text(cal.end),
        "dirt_rate": cfg.dirt_rate,
        "overlap": cfg.overlap,
        "chunk_size": CHUNK_SIZE,
        "chunks": n_chunks,
        "archetypes": [{"name": a.name, "share": a.share, "description": a.description} for a in ARCHETYPES],
        "extracted_at": {s: normal_extracted_at(s, cal.end) for s in EXTRACT_SECOND},
        "row_counts": rows,
        "dirt_counts": by_kind,
        "dirt_kinds": list(KINDS),
    }
    (gt / "manifest.json").write_text(json.dumps(manifest, indent=2, sort_keys=False) + "\n", encoding="utf-8")
    prog.close()
    written = [*files, *(str(gt / f) for f in ("persons.parquet", "system_keys.parquet", "campaigns.parquet",
                                               "dirt.parquet", "manifest.json"))]  # fmt: skip
    disk = sum(os.path.getsize(f) for f in written)
    n_files = len(written)
    phases["ground_truth"] = time.perf_counter() - t0 - phases["population"] - phases["chunks"]
    phases = {k: phases[k] for k in ("population", "chunks", "ground_truth", "chunk_cpu")}
    return GenerationSummary(
        out=out,
        customers=cfg.customers,
        seed=cfg.seed,
        months=cfg.months,
        start_date=tf.date_text(cal.start),
        end_date=tf.date_text(cal.end),
        rows=rows,
        dirt=by_kind,
        elapsed_seconds=time.perf_counter() - t0,
        disk_bytes=disk,
        files=n_files,
        workers=n_workers,
        campaigns=camp_rows,
        phase_seconds={k: round(v, 2) for k, v in phases.items()},
    )
