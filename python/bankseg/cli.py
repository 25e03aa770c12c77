"""The ``bankseg`` command line.

Every sub-command validates its arguments itself and exits non-zero with a
message that names the bad argument; argparse errors (unknown option, missing
value) exit with status 2.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


class CliError(Exception):
    """A user error: printed as ``bankseg: error: <message>`` with exit status 2."""


def _positive_int(name: str):
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{name} must be a whole number, got {text!r}") from None
        if value <= 0:
            raise argparse.ArgumentTypeError(f"{name} must be positive, got {value}")
        return value

    return parse


def _rate(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"--dirt-rate must be a number, got {text!r}") from None
    if not 0.0 <= value <= 0.5:
        raise argparse.ArgumentTypeError(f"--dirt-rate must be between 0 and 0.5, got {value}")
    return value


def _writable_dir(path: Path, option: str) -> Path:
    """Create ``path`` if needed and prove it is writable, or raise CliError."""
    try:
        path.mkdir(parents=True, exist_ok=True)
        probe = path / ".bankseg-write-test"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        raise CliError(f"{option} {path}: cannot write there ({exc.strerror or exc})") from None
    return path


def _clear_landing(out: Path) -> None:
    """Remove the landing tables and ground truth a previous run wrote, and nothing else.

    A smaller bank writes fewer part files; stale parts from a bigger one must not be read with them.
    """
    import shutil

    from bankseg.contract import table_dir, tables

    for system, table in tables():
        folder = table_dir(out, system, table)
        if folder.is_dir():
            shutil.rmtree(folder)
    if (out / "ground_truth").is_dir():
        shutil.rmtree(out / "ground_truth")


def cmd_generate(args: argparse.Namespace) -> int:
    from bankseg.generator import generate_bank

    out = _writable_dir(Path(args.out), "--out")
    _clear_landing(out)
    summary = generate_bank(
        customers=args.customers,
        seed=args.seed,
        out=out,
        months=args.months,
        end_date=args.end_date,
        dirt_rate=args.dirt_rate,
        overlap=args.overlap,
        progress=not args.quiet,
    )
    for line in summary.lines():
        print(line)
    return 0


def cmd_summary(args: argparse.Namespace) -> int:
    from bankseg.summary import summarize

    try:
        summary = summarize(args.warehouse)
    except FileNotFoundError as exc:
        raise CliError(f"--warehouse {args.warehouse}: {exc}") from None
    docs = Path(args.docs) if args.docs else None
    if docs is not None and not docs.exists():
        raise CliError(f"--docs {docs}: not found; run `dbt docs generate` first")
    for line in summary.lines(docs):
        print(line)
    return 0


def _run_evaluation(evaluate, args: argparse.Namespace) -> int:
    """Run ``evaluate(warehouse, data)`` for an ``evaluate`` sub-command and print its JSON."""
    from bankseg.evaluate import to_json

    warehouse = Path(args.warehouse)
    if not warehouse.exists():
        raise CliError(f"--warehouse {warehouse}: no such file; build the warehouse first (make build)")
    try:
        result = evaluate(warehouse, Path(args.data))
    except FileNotFoundError as exc:
        raise CliError(f"--data {args.data}: {exc}") from None
    print(to_json(result))
    return 0


def cmd_evaluate_identity(args: argparse.Namespace) -> int:
    from bankseg.evaluate import evaluate_identity

    return _run_evaluation(evaluate_identity, args)


def cmd_evaluate_segments(args: argparse.Namespace) -> int:
    from bankseg.evaluate_segments import evaluate_segments

    return _run_evaluation(evaluate_segments, args)


def cmd_evaluate_campaigns(args: argparse.Namespace) -> int:
    from bankseg.evaluate_campaigns import evaluate_campaigns

    return _run_evaluation(evaluate_campaigns, args)


def _default_warehouse() -> str:
    import os

    return os.environ.get("BANKSEG_DUCKDB_PATH", "warehouse/bankseg.duckdb")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="bankseg",
        description="Customer 360 and segmentation warehouse for a retail bank (dbt + DuckDB).",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    gen = sub.add_parser(
        "generate",
        help="write a synthetic bank's raw source-system extracts (Parquet landing files)",
        description="Generate a synthetic bank: landing files per source system plus ground_truth/.",
    )
    gen.add_argument("--customers", type=_positive_int("--customers"), required=True, help="number of real people")
    gen.add_argument("--seed", type=int, default=42, help="random seed (same seed, same bytes); default 42")
    gen.add_argument("--out", required=True, help="landing folder to write (created if missing)")
    gen.add_argument("--months", type=_positive_int("--months"), default=24, help="months of history; default 24")
    gen.add_argument(
        "--end-date", default="2025-12-31", help="last day of the extracts (YYYY-MM-DD); default 2025-12-31"
    )
    gen.add_argument(
        "--dirt-rate", type=_rate, default=0.03, help="share of rows given each kind of dirt; default 0.03"
    )
    gen.add_argument(
        "--overlap",
        type=float,
        default=1.0,
        help="how much the planted archetypes overlap: 1.0 default, larger is harder",
    )
    gen.add_argument("--quiet", action="store_true", help="no progress display")
    gen.set_defaults(func=cmd_generate)

    summ = sub.add_parser(
        "summary",
        help="print what a built warehouse holds: relations per layer, row counts, quarantined rows",
    )
    summ.add_argument("--warehouse", required=True, help="DuckDB warehouse file to read (read-only)")
    summ.add_argument("--docs", help="path of the generated dbt docs (target/index.html) to report")
    summ.set_defaults(func=cmd_summary)

    ev = sub.add_parser("evaluate", help="compare the warehouse with a generated bank's planted truth (JSON)")
    ev_sub = ev.add_subparsers(dest="what", metavar="WHAT", required=True)
    for name, help_text, func in (
        ("identity", "pairwise precision and recall of identity resolution", cmd_evaluate_identity),
        ("segments", "clusters vs planted archetypes (ARI), tiers vs planted value and churn", cmd_evaluate_segments),
        (
            "campaigns",
            "campaign uplift intervals vs the planted uplift, churn vs the planted churn",
            cmd_evaluate_campaigns,
        ),
    ):
        ev_what = ev_sub.add_parser(name, help=help_text)
        ev_what.add_argument("--data", required=True, help="the generated bank's folder (holds ground_truth/)")
        ev_what.add_argument(
            "--warehouse",
            default=_default_warehouse(),
            help="DuckDB warehouse file (default: $BANKSEG_DUCKDB_PATH or warehouse/bankseg.duckdb)",
        )
        ev_what.set_defaults(func=func)

    # commands whose modules register themselves (each module owns its arguments)
    from bankseg.bench import add_cli as add_bench_cli
    from bankseg.importers.bank_marketing import add_cli as add_bank_marketing_cli
    from bankseg.importers.berka import add_cli as add_berka_cli
    from bankseg.publish import add_cli as add_publish_cli
    from bankseg.report import add_cli as add_report_cli

    imp = sub.add_parser("import", help="convert a public or bank-specific data set into landing files")
    imp_sub = imp.add_subparsers(dest="source", metavar="SOURCE", required=True)
    add_berka_cli(imp_sub)
    add_bank_marketing_cli(imp_sub)
    add_publish_cli(sub)
    add_report_cli(sub)
    add_bench_cli(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except CliError as exc:
        print(f"bankseg: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
