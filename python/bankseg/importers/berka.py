"""Import the PKDD'99 Czech bank data set ("Berka") into the landing format of :mod:`bankseg.contract`.

The data set (``client``, ``account``, ``disp``, ``order``, ``loan``, ``card``, ``district`` and ``trans``
``.asc`` files: ASCII, ``;``-separated, header row, quoted strings, dates as ``YYMMDD``) is described in
``SCHEMA.md`` next to the files and in ``docs/berka.md``.  What lands where:

=============  =====================================================================================
Berka table    landing / reference output
=============  =====================================================================================
client         ``core_banking/parties`` (birth date and gender decoded from ``birth_number``; city is
               the district name; no names, national ids, phones or e-mails exist: they stay null)
account+disp   ``core_banking/deposit_accounts`` (``party_id`` = the OWNER client, product ``CUR03``);
               every disposition (OWNER and DISPONENT, i.e. owner and user) in
               ``reference/berka_dispositions.parquet``; the statement frequency, in English, in
               ``reference/berka_accounts.parquet``
trans          ``core_banking/transactions`` (type -> direction, operation -> channel, k_symbol ->
               counterparty type, everything in English in the description, with the balance after the
               posting) and ``core_banking/balances`` (month-end closing balance per account, derived)
loan           ``loans/loan_accounts`` (status A/B/C/D -> PAID/DEF/CUR/DLQ) and ``loans/borrowers`` (the
               account owner); the A-D status itself in ``reference/berka_loans.parquet``
card           ``cards/card_accounts`` and ``cards/cardholders`` (the client of the card's disposition);
               the card type in ``reference/berka_cards.parquet``
order          not landed: the contract has no standing-order table; ``reference/berka_standing_orders``
district       ``reference/berka_districts.parquet`` (English column names, see ``DISTRICT_COLUMNS``)
=============  =====================================================================================

Every other landing table is written empty (``contract.write_empty_landing``).  Every input row is
landed or quarantined to ``<out>/quarantine/berka_<table>.parquet`` with its reason, file and line; a
file that cannot be read as the documented layout (missing, wrong separator, wrong header) stops the
import with an error naming the file.  ``trans.asc`` is streamed in blocks, so the full 1,056,320-row
original imports in bounded memory.
"""

from __future__ import annotations

import argparse
import calendar
import json
import shutil
import sys
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from bankseg import contract

CURRENCY = "CZK"
#: extract timestamp of every landed row: the data set describes the bank up to 1998-12-31
DEFAULT_EXTRACTED_AT = "1999-01-01 00:00:00"
#: bytes of text per block when streaming trans.asc (about 15,000 postings)
DEFAULT_BLOCK_BYTES = 1 << 20

FILES: dict[str, str] = {
    "district": "district.asc",
    "client": "client.asc",
    "account": "account.asc",
    "disp": "disp.asc",
    "order": "order.asc",
    "loan": "loan.asc",
    "card": "card.asc",
    "trans": "trans.asc",
}

COLUMNS: dict[str, list[str]] = {
    "district": [f"A{i}" for i in range(1, 17)],
    "client": ["client_id", "birth_number", "district_id"],
    "account": ["account_id", "district_id", "frequency", "date"],
    "disp": ["disp_id", "client_id", "account_id", "type"],
    "order": ["order_id", "account_id", "bank_to", "account_to", "amount", "k_symbol"],
    "loan": ["loan_id", "account_id", "date", "amount", "duration", "payments", "status"],
    "card": ["card_id", "disp_id", "type", "issued"],
    "trans": [
        "trans_id",
        "account_id",
        "date",
        "type",
        "operation",
        "amount",
        "balance",
        "k_symbol",
        "bank",
        "account",
    ],
}

# ---------------------------------------------------------------------------------------------------------
# code translations (Czech -> English); the empty code ('' or ' ') is handled by the callers
# ---------------------------------------------------------------------------------------------------------

#: account.frequency: how often statements are issued
FREQUENCY: dict[str, str] = {
    "POPLATEK MESICNE": "monthly",
    "POPLATEK TYDNE": "weekly",
    "POPLATEK PO OBRATU": "after each transaction",
}

#: trans.type -> (landing direction code, English); VYBER is undocumented and is a withdrawal (debit)
TRANS_TYPE: dict[str, tuple[str, str]] = {
    "PRIJEM": ("C", "credit"),
    "VYDAJ": ("D", "withdrawal"),
    "VYBER": ("D", "withdrawal (undocumented code VYBER)"),
}

#: trans.operation -> (English, landing channel code of ref_channels)
OPERATION: dict[str, tuple[str, str]] = {
    "VYBER KARTOU": ("credit card withdrawal", "ATM"),
    "VKLAD": ("cash credit", "BRN"),
    "PREVOD Z UCTU": ("collection from another bank", "TRF"),
    "VYBER": ("cash withdrawal", "BRN"),
    "PREVOD NA UCET": ("remittance to another bank", "TRF"),
}

#: trans/order k_symbol -> (English, landing counterparty type of ref_code_map)
K_SYMBOL: dict[str, tuple[str, str]] = {
    "POJISTNE": ("insurance payment", "FIN"),
    "SLUZBY": ("payment for statement", "INT"),
    "UROK": ("interest credited", "INT"),
    "SANKC. UROK": ("sanction interest if negative balance", "INT"),
    "SIPO": ("household payment", "MER"),
    "DUCHOD": ("old-age pension", "GOV"),
    "UVER": ("loan payment", "FIN"),
    "LEASING": ("leasing", "FIN"),
}

#: k_symbols that are the bank's own charges or credits: no customer channel, whatever the operation says
BANK_POSTINGS = frozenset({"SLUZBY", "UROK", "SANKC. UROK"})

#: disp.type -> role
DISPOSITION_ROLE: dict[str, str] = {"OWNER": "owner", "DISPONENT": "user"}

#: loan.status -> (landing status code of ref_code_map loan_status, English, is bad loan)
LOAN_STATUS: dict[str, tuple[str, str, bool]] = {
    "A": ("PAID", "contract finished, no problems", False),
    "B": ("DEF", "contract finished, loan not paid", True),
    "C": ("CUR", "running contract, OK so far", False),
    "D": ("DLQ", "running contract, client in debt", True),
}

#: card.type -> landing card product of ref_products (no junior product exists: standard card)
CARD_PRODUCT: dict[str, str] = {"junior": "CCS", "classic": "CCS", "gold": "CCG"}

#: Berka accounts are current accounts that may go negative (``SANKC. UROK`` is the interest on a negative
#: balance): ``CUR03``, the current account with overdraft of ref_products (staging accepts its negative
#: balances; an overdrawn account counts as zero in AUM). Berka loans have no product: consumer loan.
DEPOSIT_PRODUCT = "CUR03"
LOAN_PRODUCT = "CON"

#: district.asc column -> (English name, kind); kinds: int, text, share (percent -> fraction), number
DISTRICT_COLUMNS: dict[str, tuple[str, str]] = {
    "A1": ("district_id", "key"),
    "A2": ("district_name", "text"),
    "A3": ("region", "text"),
    "A4": ("inhabitant_count", "int"),
    "A5": ("municipality_under_500_count", "int"),
    "A6": ("municipality_500_1999_count", "int"),
    "A7": ("municipality_2000_9999_count", "int"),
    "A8": ("municipality_over_10000_count", "int"),
    "A9": ("city_count", "int"),
    "A10": ("urban_inhabitant_share", "share"),
    "A11": ("average_salary_amount", "number"),
    "A12": ("unemployment_rate_1995", "share"),
    "A13": ("unemployment_rate_1996", "share"),
    "A14": ("entrepreneurs_per_1000_inhabitants", "int"),
    "A15": ("crime_count_1995", "int"),
    "A16": ("crime_count_1996", "int"),
}
#: the data set's own marker of a value not given (district 69, A12 and A15)
NOT_GIVEN = "?"

QUARANTINE_SCHEMA = pa.schema(
    [
        ("source_file", pa.string()),
        ("line_number", pa.int64()),
        ("reason", pa.string()),
        ("original_values", pa.string()),
    ]
)


class BerkaImportError(ValueError):
    """The input cannot be read as the documented Berka layout (the message names file, line and value)."""


# ---------------------------------------------------------------------------------------------------------
# decoding
# ---------------------------------------------------------------------------------------------------------


def empty(value: str | None) -> bool:
    """True for both spellings of an empty value: null / '' (quoted or not) and blanks (' ')."""
    return value is None or value.strip() == ""


def parse_yymmdd(text: str | None) -> date:
    """Decode a Berka date ``YYMMDD`` (century 19); ``card.issued`` may carry a `` 00:00:00`` suffix.

    Raises ``ValueError`` naming the value when it is not a real date.
    """
    raw = "" if text is None else text.strip()
    if raw.endswith(" 00:00:00"):
        raw = raw[: -len(" 00:00:00")]
    if len(raw) != 6 or not raw.isdigit():
        raise ValueError(f"not a YYMMDD date: {text!r}")
    try:
        return date(1900 + int(raw[:2]), int(raw[2:4]), int(raw[4:]))
    except ValueError:
        raise ValueError(f"not a real date: {text!r}") from None


def decode_birth_number(text: str | None) -> tuple[date, str]:
    """Decode ``client.birth_number`` (``YYMMDD`` for men, ``YY(MM+50)DD`` for women).

    Returns the birth date and the landing gender code (``1`` male, ``2`` female, as ``ref_code_map``).
    Raises ``ValueError`` naming the value when it is not a birth number.
    """
    raw = "" if text is None else text.strip()
    if len(raw) != 6 or not raw.isdigit():
        raise ValueError(f"not a 6-digit birth number: {text!r}")
    month = int(raw[2:4])
    gender = "1"
    if month > 50:
        month -= 50
        gender = "2"
    try:
        return date(1900 + int(raw[:2]), month, int(raw[4:])), gender
    except ValueError:
        raise ValueError(f"birth number is not a real date: {text!r}") from None


def parse_id(text: str | None) -> str:
    """A Berka key: a whole number, returned as its canonical text (leading zeros and blanks removed)."""
    raw = "" if text is None else text.strip()
    if not raw.isdigit():
        raise ValueError(f"not a whole-number id: {text!r}")
    return str(int(raw))


def parse_amount(text: str | None) -> float:
    """A Berka amount (``1234.50``); raises ``ValueError`` naming the value."""
    raw = "" if text is None else text.strip()
    try:
        value = float(raw)
    except ValueError:
        raise ValueError(f"not a number: {text!r}") from None
    if value != value or value in (float("inf"), float("-inf")):
        raise ValueError(f"not a finite number: {text!r}")
    return value


def translate(mapping: dict, value: str | None, what: str):
    """Look ``value`` (stripped) up in ``mapping``; empty -> None; unknown -> ``ValueError`` naming it."""
    if empty(value):
        return None
    key = value.strip()
    if key not in mapping:
        raise ValueError(f"unknown {what} {value!r} (known: {', '.join(sorted(mapping))})")
    return mapping[key]


def month_end(day: date) -> date:
    """Last day of the month of ``day``."""
    return date(day.year, day.month, calendar.monthrange(day.year, day.month)[1])


def _next_month_end(day: date) -> date:
    year, month = (day.year + 1, 1) if day.month == 12 else (day.year, day.month + 1)
    return date(year, month, calendar.monthrange(year, month)[1])


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


# ---------------------------------------------------------------------------------------------------------
# reading and quarantine
# ---------------------------------------------------------------------------------------------------------


@dataclass
class TableCounts:
    """Rows read from one Berka file, landed (``out``) and quarantined; ``derived`` lists extra outputs."""

    rows_in: int = 0
    rows_out: int = 0
    quarantined: int = 0
    reasons: Counter = field(default_factory=Counter)
    derived: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {
            "in": self.rows_in,
            "out": self.rows_out,
            "quarantined": self.quarantined,
            "quarantine_reasons": dict(sorted(self.reasons.items())),
            "derived": dict(self.derived),
        }


class Quarantine:
    """Collects the rejected rows of one Berka table and writes ``quarantine/berka_<table>.parquet``.

    Rows are flushed to the file every ``flush_rows`` so a badly broken large file does not fill memory.
    """

    def __init__(self, out: Path, table: str, counts: TableCounts, flush_rows: int = 50_000) -> None:
        self.path = out / "quarantine" / f"berka_{table}.parquet"
        self.source_file = FILES[table]
        self.counts = counts
        self.flush_rows = flush_rows
        self._rows: list[tuple[int | None, str, str]] = []
        self._writer: pq.ParquetWriter | None = None

    def add(self, line: int | None, reason: str, values: dict | str) -> None:
        original = values if isinstance(values, str) else json.dumps(values, ensure_ascii=False, sort_keys=False)
        self._rows.append((line, reason, original))
        self.counts.quarantined += 1
        # the kind of reason, without the value: "unknown k_symbol 'XYZ' (known: ...)" -> "unknown k_symbol"
        self.counts.reasons[reason.split(":")[0].split(" '")[0].split(" (")[0]] += 1
        if len(self._rows) >= self.flush_rows:
            self._flush()

    def _flush(self) -> None:
        if not self._rows:
            return
        batch = pa.table(
            {
                "source_file": [self.source_file] * len(self._rows),
                "line_number": [r[0] for r in self._rows],
                "reason": [r[1] for r in self._rows],
                "original_values": [r[2] for r in self._rows],
            },
            schema=QUARANTINE_SCHEMA,
        )
        if self._writer is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._writer = pq.ParquetWriter(self.path, QUARANTINE_SCHEMA, compression="zstd")
        self._writer.write_table(batch)
        self._rows = []

    def close(self) -> None:
        self._flush()
        if self._writer is not None:
            self._writer.close()


def _check_header(path: Path, table: str) -> None:
    """Fail with a clear message when the file is missing or its header is not the documented one."""
    if not path.is_file():
        raise BerkaImportError(f"{path}: file not found (the Berka {table} table is required)")
    with path.open("rb") as handle:
        first = handle.readline()
    try:
        header = first.decode("ascii").rstrip("\r\n")
    except UnicodeDecodeError:
        raise BerkaImportError(f"{path}, line 1: header is not ASCII text: {first[:80]!r}") from None
    if not header:
        raise BerkaImportError(f"{path}, line 1: empty file (no header row)")
    names = [n.strip().strip('"') for n in header.split(";")]
    expected = COLUMNS[table]
    if names == expected:
        return
    if len(names) == 1:
        for sep in (",", "\t", "|"):
            if sep in header:
                raise BerkaImportError(
                    f"{path}, line 1: wrong separator: header {header[:120]!r} is split by {sep!r}, "
                    f"the Berka files use ';'"
                )
    raise BerkaImportError(f"{path}, line 1: unexpected header {names} (expected {expected}, separated by ';')")


def read_rows(
    path: Path, table: str, counts: TableCounts, quarantine: Quarantine, block_bytes: int = DEFAULT_BLOCK_BYTES
) -> Iterator[list[tuple[int, dict[str, str]]]]:
    """Stream one Berka file as blocks of ``(line number, {column: raw text})``.

    Every value is read as text (quoted ``""``, unquoted empty and ``" "`` all arrive as strings, so the
    callers treat both spellings of empty alike).  A row with the wrong number of fields (a truncated
    last line, a stray separator) is quarantined with its line number and text.  Line numbers are
    physical lines (the header is line 1); the Berka files have no line breaks inside values.
    """
    _check_header(path, table)
    names = COLUMNS[table]
    invalid_lines: set[int] = set()

    def on_invalid(row) -> str:
        line = row.number
        if line is not None:
            invalid_lines.add(line)
        quarantine.add(
            line,
            f"malformed row: {row.actual_columns} fields instead of {row.expected_columns} "
            "(truncated line or wrong separator)",
            row.text,
        )
        counts.rows_in += 1
        return "skip"

    try:
        reader = pacsv.open_csv(
            path,
            read_options=pacsv.ReadOptions(block_size=block_bytes, use_threads=False),
            parse_options=pacsv.ParseOptions(delimiter=";", quote_char='"', invalid_row_handler=on_invalid),
            convert_options=pacsv.ConvertOptions(
                column_types={n: pa.string() for n in names},
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except (pa.ArrowInvalid, OSError) as exc:
        raise BerkaImportError(f"{path}: unreadable (the files are ASCII text): {exc}") from None

    next_line = 2
    while True:
        try:
            batch = reader.read_next_batch()
        except StopIteration:
            break
        except pa.ArrowInvalid as exc:
            raise BerkaImportError(
                f"{path}: unreadable after line {next_line - 1} (the files are ASCII text): {exc}"
            ) from None
        columns = [batch.column(n).to_pylist() for n in names]
        block = []
        for values in zip(*columns, strict=True):
            while next_line in invalid_lines:
                next_line += 1
            block.append((next_line, dict(zip(names, values, strict=True))))
            next_line += 1
        counts.rows_in += len(block)
        yield block


def _read_all(path: Path, table: str, counts: TableCounts, quarantine: Quarantine):
    for block in read_rows(path, table, counts, quarantine):
        yield from block


# ---------------------------------------------------------------------------------------------------------
# the import
# ---------------------------------------------------------------------------------------------------------


def _clear_outputs(out: Path) -> None:
    """Remove what a previous import wrote (landing tables, Berka quarantine and reference files)."""
    for system, table in contract.tables():
        folder = contract.table_dir(out, system, table)
        if folder.is_dir():
            shutil.rmtree(folder)
    for sub in ("quarantine", "reference"):
        for stale in sorted((out / sub).glob("berka_*.parquet")):
            stale.unlink()


def _write_reference(out: Path, name: str, columns: dict[str, tuple[pa.DataType, list]]) -> Path:
    path = out / "reference" / f"berka_{name}.parquet"
    path.parent.mkdir(parents=True, exist_ok=True)
    table = pa.table({c: pa.array(v, type=t) for c, (t, v) in columns.items()})
    pq.write_table(table, path, compression="zstd")
    return path


def _sort_key(key: str) -> tuple[int, str]:
    return (int(key), key) if key.isdigit() else (sys.maxsize, key)


def import_berka(
    src_dir: Path | str,
    out_dir: Path | str,
    extracted_at: str = DEFAULT_EXTRACTED_AT,
    block_bytes: int = DEFAULT_BLOCK_BYTES,
    progress: Callable[[str], None] | None = None,
    link_email: bool = False,
) -> dict:
    """Convert the Berka files in ``src_dir`` into landing files under ``out_dir``.

    Returns per Berka table the rows read (``in``), landed (``out``), quarantined (with the reasons)
    and the derived outputs (for example the month-end balances derived from ``trans``); ``in = out +
    quarantined`` holds for every table.  Raises :class:`BerkaImportError` for a missing file or a file
    that is not in the documented layout.

    Berka has no names, national ids, phones or e-mails, so identity resolution cannot link a client's
    party to the same client's borrower and cardholder records: by default they stay three customers
    (see docs/berka.md).  ``link_email`` writes a synthetic address ``berka-client-<client_id>@berka.invalid``
    (the reserved ``.invalid`` domain reaches nobody) on all three, and with the same birth date the
    ``email_and_birth_date`` rule then links exactly the records of one client.
    """
    src = Path(src_dir)
    out = Path(out_dir)
    if not src.is_dir():
        raise BerkaImportError(f"{src}: no such folder")
    for table, name in FILES.items():  # fail fast, before anything is written
        _check_header(src / name, table)
    out.mkdir(parents=True, exist_ok=True)
    _clear_outputs(out)
    say = progress or (lambda _msg: None)
    counts = {t: TableCounts() for t in FILES}
    quarantines = {t: Quarantine(out, t, counts[t]) for t in FILES}

    try:
        districts = _import_districts(src, out, counts["district"], quarantines["district"])
        clients = _read_clients(src, counts["client"], quarantines["client"], districts)
        accounts = _read_accounts(src, counts["account"], quarantines["account"], districts)
        dispositions = _import_dispositions(src, out, counts["disp"], quarantines["disp"], clients, accounts)
        owners = {d["account_id"]: d["client_id"] for d in dispositions.values() if d["role"] == "owner"}
        landed_accounts = _land_accounts(out, extracted_at, counts["account"], quarantines["account"], accounts, owners)
        _land_parties(out, extracted_at, counts["client"], clients, districts, dispositions, accounts, link_email)
        _import_orders(src, out, counts["order"], quarantines["order"], landed_accounts)
        _import_loans(
            src, out, extracted_at, counts["loan"], quarantines["loan"], landed_accounts, owners, clients, link_email
        )
        _import_cards(
            src,
            out,
            extracted_at,
            counts["card"],
            quarantines["card"],
            dispositions,
            landed_accounts,
            clients,
            link_email,
        )
        say("streaming trans.asc")
        _import_transactions(
            src, out, extracted_at, counts["trans"], quarantines["trans"], landed_accounts, block_bytes, say
        )
    finally:
        for q in quarantines.values():
            q.close()
    contract.write_empty_landing(out)

    result = {t: c.as_dict() for t, c in counts.items()}
    for table, c in result.items():
        if c["in"] != c["out"] + c["quarantined"]:  # a bug, never data: every row must be accounted for
            raise AssertionError(
                f"berka {table}: {c['in']} rows in but {c['out']} out + {c['quarantined']} quarantined"
            )
    return result


def _import_districts(src: Path, out: Path, counts: TableCounts, quarantine: Quarantine) -> dict[str, dict]:
    path = src / FILES["district"]
    rows: dict[str, dict] = {}
    for line, raw in _read_all(path, "district", counts, quarantine):
        try:
            record: dict = {}
            for col, (name, kind) in DISTRICT_COLUMNS.items():
                value = raw[col].strip()
                if kind == "key":
                    record[name] = parse_id(value)
                elif kind == "text":
                    record[name] = value or None
                elif empty(value) or value == NOT_GIVEN:
                    record[name] = None
                elif kind == "int":
                    if not value.isdigit():
                        raise ValueError(f"{col} ({name}) is not a whole number: {value!r}")
                    record[name] = int(value)
                else:
                    try:
                        number = parse_amount(value)
                    except ValueError as exc:
                        raise ValueError(f"{col} ({name}): {exc}") from None
                    record[name] = round(number / 100, 6) if kind == "share" else number
            if record["district_id"] in rows:
                raise ValueError(f"duplicate district_id {record['district_id']!r}")
            if record["district_name"] is None:
                raise ValueError("missing district name (A2)")
        except ValueError as exc:
            quarantine.add(line, str(exc), raw)
            continue
        rows[record["district_id"]] = record
    ordered = sorted(rows.values(), key=lambda r: int(r["district_id"]))
    types = {"key": pa.string(), "text": pa.string(), "int": pa.int64(), "share": pa.float64(), "number": pa.float64()}
    columns = {name: (types[kind], [r[name] for r in ordered]) for name, kind in DISTRICT_COLUMNS.values()}
    columns["salary_currency"] = (pa.string(), [CURRENCY] * len(ordered))
    _write_reference(out, "districts", columns)
    counts.rows_out = len(ordered)
    return rows


def _read_clients(src: Path, counts: TableCounts, quarantine: Quarantine, districts: dict) -> dict[str, dict]:
    clients: dict[str, dict] = {}
    for line, raw in _read_all(src / FILES["client"], "client", counts, quarantine):
        try:
            client_id = parse_id(raw["client_id"])
            birth_date, gender = decode_birth_number(raw["birth_number"])
            district_id = parse_id(raw["district_id"])
            if district_id not in districts:
                raise ValueError(f"unknown district_id {raw['district_id']!r}")
            if client_id in clients:
                raise ValueError(f"duplicate client_id {raw['client_id']!r}")
        except ValueError as exc:
            quarantine.add(line, str(exc), raw)
            continue
        clients[client_id] = {"birth_date": birth_date, "gender": gender, "district_id": district_id}
    return clients


def _read_accounts(src: Path, counts: TableCounts, quarantine: Quarantine, districts: dict) -> dict[str, dict]:
    accounts: dict[str, dict] = {}
    for line, raw in _read_all(src / FILES["account"], "account", counts, quarantine):
        try:
            account_id = parse_id(raw["account_id"])
            district_id = parse_id(raw["district_id"])
            if district_id not in districts:
                raise ValueError(f"unknown district_id {raw['district_id']!r}")
            frequency = translate(FREQUENCY, raw["frequency"], "statement frequency")
            if frequency is None:
                raise ValueError("missing statement frequency")
            try:
                open_date = parse_yymmdd(raw["date"])
            except ValueError as exc:
                raise ValueError(f"unparseable date: {exc}") from None
            if account_id in accounts:
                raise ValueError(f"duplicate account_id {raw['account_id']!r}")
        except ValueError as exc:
            quarantine.add(line, str(exc), raw)
            continue
        accounts[account_id] = {
            "district_id": district_id,
            "frequency": frequency,
            "open_date": open_date,
            "line": line,
            "raw": raw,
        }
    return accounts


def _import_dispositions(
    src: Path, out: Path, counts: TableCounts, quarantine: Quarantine, clients: dict, accounts: dict
) -> dict[str, dict]:
    dispositions: dict[str, dict] = {}
    owned: set[str] = set()
    for line, raw in _read_all(src / FILES["disp"], "disp", counts, quarantine):
        try:
            disp_id = parse_id(raw["disp_id"])
            client_id = parse_id(raw["client_id"])
            account_id = parse_id(raw["account_id"])
            role = translate(DISPOSITION_ROLE, raw["type"], "disposition type")
            if role is None:
                raise ValueError("missing disposition type")
            if client_id not in clients:
                raise ValueError(f"unknown client_id {raw['client_id']!r} (not an imported client)")
            if account_id not in accounts:
                raise ValueError(f"unknown account_id {raw['account_id']!r} (not an imported account)")
            if disp_id in dispositions:
                raise ValueError(f"duplicate disp_id {raw['disp_id']!r}")
            if role == "owner" and account_id in owned:
                raise ValueError(f"second OWNER of account {account_id}")
        except ValueError as exc:
            quarantine.add(line, str(exc), raw)
            continue
        if role == "owner":
            owned.add(account_id)
        dispositions[disp_id] = {"client_id": client_id, "account_id": account_id, "role": role}
    ordered = sorted(dispositions.items(), key=lambda kv: _sort_key(kv[0]))
    _write_reference(
        out,
        "dispositions",
        {
            "disposition_id": (pa.string(), [k for k, _ in ordered]),
            "party_id": (pa.string(), [d["client_id"] for _, d in ordered]),
            "account_id": (pa.string(), [d["account_id"] for _, d in ordered]),
            "role": (pa.string(), [d["role"] for _, d in ordered]),
        },
    )
    counts.rows_out = len(ordered)
    return dispositions


def _land_accounts(
    out: Path, extracted_at: str, counts: TableCounts, quarantine: Quarantine, accounts: dict, owners: dict[str, str]
) -> dict[str, dict]:
    landed: dict[str, dict] = {}
    for account_id in sorted(accounts, key=_sort_key):
        account = accounts[account_id]
        if account_id not in owners:
            quarantine.add(account["line"], "no OWNER disposition: the account has no owner", account["raw"])
            continue
        landed[account_id] = {**account, "owner": owners[account_id]}
    ids = list(landed)
    contract.write_table(
        out,
        "core_banking",
        "deposit_accounts",
        {
            "account_id": ids,
            "party_id": [landed[a]["owner"] for a in ids],
            "product_code": [DEPOSIT_PRODUCT] * len(ids),
            "currency": [CURRENCY] * len(ids),
            "open_date": [landed[a]["open_date"].isoformat() for a in ids],
            "maturity_date": [None] * len(ids),
            "close_date": [None] * len(ids),
            "status_code": ["A"] * len(ids),
            "branch_code": [None] * len(ids),
            "interest_rate": [None] * len(ids),
            "extracted_at": [extracted_at] * len(ids),
        },
    )
    _write_reference(
        out,
        "accounts",
        {
            "account_id": (pa.string(), ids),
            "owner_party_id": (pa.string(), [landed[a]["owner"] for a in ids]),
            "district_id": (pa.string(), [landed[a]["district_id"] for a in ids]),
            "statement_frequency": (pa.string(), [landed[a]["frequency"] for a in ids]),
            "open_date": (pa.string(), [landed[a]["open_date"].isoformat() for a in ids]),
        },
    )
    counts.rows_out = len(ids)
    return landed


def _land_parties(
    out: Path,
    extracted_at: str,
    counts: TableCounts,
    clients: dict,
    districts: dict,
    dispositions: dict,
    accounts: dict,
    link_email: bool = False,
) -> None:
    # onboarding: the opening date of the first account the client owns or may use
    onboarding: dict[str, date] = {}
    for d in dispositions.values():
        opened = accounts[d["account_id"]]["open_date"]
        if d["client_id"] not in onboarding or opened < onboarding[d["client_id"]]:
            onboarding[d["client_id"]] = opened
    ids = sorted(clients, key=_sort_key)
    none = [None] * len(ids)
    contract.write_table(
        out,
        "core_banking",
        "parties",
        {
            "party_id": ids,
            "full_name": none,
            "national_id": none,
            "birth_date": [clients[c]["birth_date"].isoformat() for c in ids],
            "gender_code": [clients[c]["gender"] for c in ids],
            "occupation_code": none,
            "annual_income": none,
            "income_currency": [CURRENCY] * len(ids),
            "marital_status_code": none,
            "education_code": none,
            "city": [districts[clients[c]["district_id"]]["district_name"] for c in ids],
            "phone": none,
            "email": [link_address(c) for c in ids] if link_email else none,
            "onboarding_date": [onboarding[c].isoformat() if c in onboarding else None for c in ids],
            "home_branch_code": none,
            "extracted_at": [extracted_at] * len(ids),
        },
    )
    counts.rows_out = len(ids)
    counts.derived["clients_without_disposition"] = sum(1 for c in ids if c not in onboarding)


def _import_orders(src: Path, out: Path, counts: TableCounts, quarantine: Quarantine, accounts: dict) -> None:
    rows = []
    seen: set[str] = set()
    for line, raw in _read_all(src / FILES["order"], "order", counts, quarantine):
        try:
            order_id = parse_id(raw["order_id"])
            account_id = parse_id(raw["account_id"])
            if account_id not in accounts:
                raise ValueError(f"unknown account_id {raw['account_id']!r} (not an imported account)")
            amount = parse_amount(raw["amount"])
            if amount <= 0:
                raise ValueError(f"non-positive amount {raw['amount']!r}")
            purpose = translate(K_SYMBOL, raw["k_symbol"], "k_symbol")
            if order_id in seen:
                raise ValueError(f"duplicate order_id {raw['order_id']!r}")
        except ValueError as exc:
            quarantine.add(line, str(exc), raw)
            continue
        seen.add(order_id)
        rows.append(
            (
                order_id,
                account_id,
                raw["bank_to"].strip() or None,
                raw["account_to"].strip() or None,
                amount,
                purpose[0] if purpose else None,
            )
        )
    rows.sort(key=lambda r: _sort_key(r[0]))
    _write_reference(
        out,
        "standing_orders",
        {
            "standing_order_id": (pa.string(), [r[0] for r in rows]),
            "account_id": (pa.string(), [r[1] for r in rows]),
            "recipient_bank_code": (pa.string(), [r[2] for r in rows]),
            "recipient_account": (pa.string(), [r[3] for r in rows]),
            "amount": (pa.float64(), [r[4] for r in rows]),
            "currency": (pa.string(), [CURRENCY] * len(rows)),
            "purpose": (pa.string(), [r[5] for r in rows]),
        },
    )
    counts.rows_out = len(rows)


def _import_loans(
    src: Path,
    out: Path,
    extracted_at: str,
    counts: TableCounts,
    quarantine: Quarantine,
    accounts: dict,
    owners: dict,
    clients: dict,
    link_email: bool = False,
) -> None:
    extract_day = date.fromisoformat(extracted_at[:10])
    loans: dict[str, dict] = {}
    for line, raw in _read_all(src / FILES["loan"], "loan", counts, quarantine):
        try:
            loan_id = parse_id(raw["loan_id"])
            account_id = parse_id(raw["account_id"])
            if account_id not in accounts:
                raise ValueError(f"unknown account_id {raw['account_id']!r} (not an imported account)")
            try:
                granted = parse_yymmdd(raw["date"])
            except ValueError as exc:
                raise ValueError(f"unparseable date: {exc}") from None
            amount = parse_amount(raw["amount"])
            duration = raw["duration"].strip()
            if not duration.isdigit() or int(duration) <= 0:
                raise ValueError(f"duration is not a positive number of months: {raw['duration']!r}")
            payments = parse_amount(raw["payments"])
            if amount <= 0 or payments <= 0:
                raise ValueError(f"non-positive amount or payments: {raw['amount']!r}, {raw['payments']!r}")
            status = translate(LOAN_STATUS, raw["status"], "loan status")
            if status is None:
                raise ValueError("missing loan status")
            if loan_id in loans:
                raise ValueError(f"duplicate loan_id {raw['loan_id']!r}")
        except ValueError as exc:
            quarantine.add(line, str(exc), raw)
            continue
        months = int(duration)
        code = raw["status"].strip()
        if code == "A":
            outstanding = 0.0
        elif code == "B":
            outstanding = None  # finished but not paid: the unpaid amount is not in the data
        else:  # running: what the schedule says is still owed on the extract day (not an observed balance)
            elapsed = (extract_day.year - granted.year) * 12 + extract_day.month - granted.month
            outstanding = round(max(0.0, amount - payments * min(max(elapsed, 0), months)), 2)
        loans[loan_id] = {
            "account_id": account_id,
            "borrower": owners[account_id],
            "granted": granted,
            "amount": amount,
            "months": months,
            "payments": payments,
            "status": code,
            "outstanding": outstanding,
        }
    ids = sorted(loans, key=_sort_key)
    contract.write_table(
        out,
        "loans",
        "loan_accounts",
        {
            "loan_id": ids,
            "application_id": [None] * len(ids),
            "borrower_id": [loans[i]["borrower"] for i in ids],
            "product_code": [LOAN_PRODUCT] * len(ids),
            "principal": [loans[i]["amount"] for i in ids],
            "currency": [CURRENCY] * len(ids),
            "interest_rate": [None] * len(ids),
            "term_months": [loans[i]["months"] for i in ids],
            "disbursement_date": [loans[i]["granted"].isoformat() for i in ids],
            "maturity_date": [_add_months(loans[i]["granted"], loans[i]["months"]).isoformat() for i in ids],
            "status_code": [LOAN_STATUS[loans[i]["status"]][0] for i in ids],
            "outstanding_balance": [loans[i]["outstanding"] for i in ids],
            "extracted_at": [extracted_at] * len(ids),
        },
    )
    borrowers = sorted({loans[i]["borrower"] for i in ids}, key=_sort_key)
    _land_people(out, "loans", "borrowers", "borrower_id", borrowers, clients, extracted_at, link_email)
    _write_reference(
        out,
        "loans",
        {
            "loan_id": (pa.string(), ids),
            "account_id": (pa.string(), [loans[i]["account_id"] for i in ids]),
            "party_id": (pa.string(), [loans[i]["borrower"] for i in ids]),
            "status": (pa.string(), [loans[i]["status"] for i in ids]),
            "status_description": (pa.string(), [LOAN_STATUS[loans[i]["status"]][1] for i in ids]),
            "is_bad_loan": (pa.bool_(), [LOAN_STATUS[loans[i]["status"]][2] for i in ids]),
            "monthly_payment": (pa.float64(), [loans[i]["payments"] for i in ids]),
        },
    )
    counts.rows_out = len(ids)
    counts.derived["loans.borrowers"] = len(borrowers)
    counts.derived["bad_loans"] = sum(1 for i in ids if LOAN_STATUS[loans[i]["status"]][2])


def link_address(client_id: str) -> str:
    """The synthetic e-mail address that links one client's records when ``link_email`` is set."""
    return f"berka-client-{client_id}@berka.invalid"


def _land_people(
    out: Path,
    system: str,
    table: str,
    key: str,
    ids: list[str],
    clients: dict,
    extracted_at: str,
    link_email: bool = False,
) -> None:
    none = [None] * len(ids)
    data = {
        key: ids,
        "full_name": none,
        "national_id": none,
        "birth_date": [clients[c]["birth_date"].isoformat() for c in ids],
        "phone": none,
        "email": [link_address(c) for c in ids] if link_email else none,
        "extracted_at": [extracted_at] * len(ids),
    }
    contract.write_table(out, system, table, data)


def _import_cards(
    src: Path,
    out: Path,
    extracted_at: str,
    counts: TableCounts,
    quarantine: Quarantine,
    dispositions: dict,
    accounts: dict,
    clients: dict,
    link_email: bool = False,
) -> None:
    cards: dict[str, dict] = {}
    for line, raw in _read_all(src / FILES["card"], "card", counts, quarantine):
        try:
            card_id = parse_id(raw["card_id"])
            disp_id = parse_id(raw["disp_id"])
            if disp_id not in dispositions:
                raise ValueError(f"unknown disp_id {raw['disp_id']!r} (not an imported disposition)")
            if dispositions[disp_id]["account_id"] not in accounts:
                raise ValueError(f"disp_id {disp_id}: its account was not imported")
            product = translate(CARD_PRODUCT, raw["type"], "card type")
            if product is None:
                raise ValueError("missing card type")
            try:
                issued = parse_yymmdd(raw["issued"])
            except ValueError as exc:
                raise ValueError(f"unparseable issued: {exc}") from None
            if card_id in cards:
                raise ValueError(f"duplicate card_id {raw['card_id']!r}")
        except ValueError as exc:
            quarantine.add(line, str(exc), raw)
            continue
        disp = dispositions[disp_id]
        cards[card_id] = {
            "disp_id": disp_id,
            "holder": disp["client_id"],
            "account_id": disp["account_id"],
            "type": raw["type"].strip(),
            "product": product,
            "issued": issued,
        }
    ids = sorted(cards, key=_sort_key)
    contract.write_table(
        out,
        "cards",
        "card_accounts",
        {
            "card_account_id": ids,
            "cardholder_id": [cards[i]["holder"] for i in ids],
            "product_code": [cards[i]["product"] for i in ids],
            "credit_limit": [None] * len(ids),
            "current_balance": [None] * len(ids),
            "currency": [CURRENCY] * len(ids),
            "open_date": [cards[i]["issued"].isoformat() for i in ids],
            "close_date": [None] * len(ids),
            "status_code": ["A"] * len(ids),
            "extracted_at": [extracted_at] * len(ids),
        },
    )
    holders = sorted({cards[i]["holder"] for i in ids}, key=_sort_key)
    _land_people(out, "cards", "cardholders", "cardholder_id", holders, clients, extracted_at, link_email)
    _write_reference(
        out,
        "cards",
        {
            "card_id": (pa.string(), ids),
            "disposition_id": (pa.string(), [cards[i]["disp_id"] for i in ids]),
            "account_id": (pa.string(), [cards[i]["account_id"] for i in ids]),
            "party_id": (pa.string(), [cards[i]["holder"] for i in ids]),
            "card_type": (pa.string(), [cards[i]["type"] for i in ids]),
        },
    )
    counts.rows_out = len(ids)
    counts.derived["cards.cardholders"] = len(holders)


class _MonthEndBalances:
    """Closing balance of every account at every month end, from the balance after each posting.

    Postings of one day carry no time and the file's order within a day is not the booking order, so the
    closing balance of a day is found without an order: it is the one "balance after" that is not the
    "balance before" (balance after minus the signed amount) of another posting of that day.  Only the
    latest day of each account and month is kept, and a month is reduced to its closing balance as soon
    as a later month of the account arrives (``trans.asc`` is in date order), so memory holds one number
    per account and month plus the postings of one day per account.
    """

    def __init__(self) -> None:
        # (account, month end) -> open [day, Counter(after cents), Counter(before cents), file-order last after]
        #                          or closed (day, closing balance)
        self.months: dict[tuple[str, date], list | tuple] = {}
        self.latest: dict[str, date] = {}
        self.ambiguous_days = 0
        self.rounded_days = 0
        self.tolerance_cents = 100

    def add(self, account_id: str, day: date, signed: float, after: float) -> None:
        month = month_end(day)
        latest = self.latest.get(account_id)
        if latest is None or month > latest:
            if latest is not None:
                self._close((account_id, latest))
            self.latest[account_id] = month
        key = (account_id, month)
        state = self.months.get(key)
        if isinstance(state, tuple):  # a month already closed: only an out-of-order file gets here
            if day < state[0]:
                return
            if day == state[0]:  # the closed day's postings cannot be re-chained: the file's last one
                self.ambiguous_days += 1
                self.months[key] = (day, after)
                return
            state = None
        if state is None or day > state[0]:
            state = [day, Counter(), Counter(), after]
            self.months[key] = state
        elif day < state[0]:
            return
        state[1][round(after * 100)] += 1
        state[2][round((after - signed) * 100)] += 1
        state[3] = after

    def _close(self, key: tuple[str, date]) -> None:
        state = self.months.get(key)
        if not isinstance(state, list):
            return
        day, afters, befores, last_after = state
        value = self.closing_balance(afters, befores)
        if value is None:  # the day's balances do not chain: take the file's last posting of the day
            self.ambiguous_days += 1
            value = last_after
        self.months[key] = (day, value)

    def closing_balance(self, afters: Counter, befores: Counter) -> float | None:
        """The day's closing balance, or None when the day's postings do not form one chain.

        A posting whose "balance before" is off by up to ``tolerance_cents`` from another's "balance
        after" still chains (the source rounds month-end interest: 0.10 CZK gaps occur); such days are
        counted in ``rounded_days``.
        """
        left_after = afters - befores
        if sum(left_after.values()) == 1:
            return next(iter(left_after)) / 100
        left_before = list((befores - afters).elements())
        candidates = list(left_after.elements())
        pairs = sorted(
            (abs(a - b), i, j)
            for i, a in enumerate(candidates)
            for j, b in enumerate(left_before)
            if abs(a - b) <= self.tolerance_cents
        )
        used_a: set[int] = set()
        used_b: set[int] = set()
        for _gap, i, j in pairs:
            if len(candidates) - len(used_a) == 1:
                break
            if i not in used_a and j not in used_b:
                used_a.add(i)
                used_b.add(j)
        rest = [a for i, a in enumerate(candidates) if i not in used_a]
        if len(rest) != 1:
            return None
        self.rounded_days += 1
        return rest[0] / 100

    def rows(self, last_month_end: date) -> list[tuple[str, date, float]]:
        """One row per account and month end, from its first month with postings to ``last_month_end``."""
        closing: dict[str, dict[date, float]] = {}
        for key in list(self.months):
            self._close(key)
            account_id, month = key
            closing.setdefault(account_id, {})[month] = self.months[key][1]
        rows = []
        for account_id in sorted(closing, key=_sort_key):
            months = closing[account_id]
            current = min(months)
            balance = months[current]
            while current <= last_month_end:
                balance = months.get(current, balance)
                rows.append((account_id, current, balance))
                current = _next_month_end(current)
        return rows


def _import_transactions(
    src: Path,
    out: Path,
    extracted_at: str,
    counts: TableCounts,
    quarantine: Quarantine,
    accounts: dict,
    block_bytes: int,
    say: Callable[[str], None],
) -> None:
    balances = _MonthEndBalances()
    last_day: date | None = None
    part = 0
    for block in read_rows(src / FILES["trans"], "trans", counts, quarantine, block_bytes):
        cols: dict[str, list] = {name: [] for name, _ in contract.CONTRACT["core_banking"]["transactions"]}
        for line, raw in block:
            try:
                trans_id = parse_id(raw["trans_id"])
                account_id = parse_id(raw["account_id"])
                if account_id not in accounts:
                    raise ValueError(f"unknown account_id {raw['account_id']!r} (not an imported account)")
                try:
                    day = parse_yymmdd(raw["date"])
                except ValueError as exc:
                    raise ValueError(f"unparseable date: {exc}") from None
                kind = translate(TRANS_TYPE, raw["type"], "transaction type")
                if kind is None:
                    raise ValueError("missing transaction type")
                operation = translate(OPERATION, raw["operation"], "operation")
                symbol = translate(K_SYMBOL, raw["k_symbol"], "k_symbol")
                amount = parse_amount(raw["amount"])
                if amount < 0:
                    raise ValueError(f"negative amount {raw['amount']!r} (the sign comes from the type)")
                try:
                    after = parse_amount(raw["balance"])
                except ValueError as exc:
                    raise ValueError(f"balance: {exc}") from None
            except ValueError as exc:
                quarantine.add(line, str(exc), raw)
                continue
            direction = kind[0]
            bank_posting = not empty(raw["k_symbol"]) and raw["k_symbol"].strip() in BANK_POSTINGS
            channel = None if (operation is None or bank_posting) else operation[1]
            partner = " ".join(v.strip() for v in (raw["bank"], raw["account"]) if not empty(v))
            description = "; ".join(
                [
                    f"type: {kind[1]}",
                    f"operation: {operation[0] if operation else 'none'}",
                    f"symbol: {symbol[0] if symbol else 'none'}",
                    f"partner: {partner or 'none'}",
                    f"balance after: {after:.2f} {CURRENCY}",
                ]
            )
            cols["transaction_id"].append(trans_id)
            cols["account_id"].append(account_id)
            cols["transaction_ts"].append(f"{day.isoformat()} 00:00:00")
            cols["amount"].append(amount)
            cols["currency"].append(CURRENCY)
            cols["direction"].append(direction)
            cols["channel_code"].append(channel)
            cols["counterparty_type"].append(symbol[1] if symbol else None)
            cols["description"].append(description)
            cols["extracted_at"].append(extracted_at)
            balances.add(account_id, day, amount if direction == "C" else -amount, after)
            last_day = day if last_day is None or day > last_day else last_day
        if cols["transaction_id"]:
            contract.write_table(out, "core_banking", "transactions", cols, file_name=f"part-{part:05d}.parquet")
            part += 1
            counts.rows_out += len(cols["transaction_id"])
        say(f"trans.asc: {counts.rows_in:,} rows read, {counts.rows_out:,} landed, {counts.quarantined:,} quarantined")
    rows = balances.rows(month_end(last_day)) if last_day else []
    contract.write_table(
        out,
        "core_banking",
        "balances",
        {
            "account_id": [r[0] for r in rows],
            "balance_date": [r[1].isoformat() for r in rows],
            "balance": [r[2] for r in rows],
            "currency": [CURRENCY] * len(rows),
            "extracted_at": [extracted_at] * len(rows),
        },
    )
    counts.derived["core_banking.balances"] = len(rows)
    counts.derived["balance_days_chained_within_1_czk"] = balances.rounded_days
    counts.derived["balance_days_not_chaining"] = balances.ambiguous_days
    counts.derived["transaction_files"] = part


# ---------------------------------------------------------------------------------------------------------
# command line: `bankseg import berka SRC_DIR --out DIR`
# ---------------------------------------------------------------------------------------------------------


def format_counts(result: dict) -> list[str]:
    """Human-readable per-table lines: rows in, landed, quarantined (with reasons), derived outputs."""
    lines = [f"{'table':<10} {'in':>10} {'out':>10} {'quarantined':>12}"]
    for table, c in result.items():
        lines.append(f"{table:<10} {c['in']:>10,} {c['out']:>10,} {c['quarantined']:>12,}")
        for reason, n in c["quarantine_reasons"].items():
            lines.append(f"{'':<10}   quarantined {n:,}: {reason}")
        for name, n in c["derived"].items():
            lines.append(f"{'':<10}   {name}: {n:,}")
    return lines


def cmd_import_berka(args: argparse.Namespace) -> int:
    """Run the import; print per-table counts (and the JSON with ``--json``); exit 2 on bad input."""
    quiet = getattr(args, "quiet", False)
    progress = None if quiet or not sys.stderr.isatty() else (lambda msg: print(msg, file=sys.stderr, flush=True))
    try:
        result = import_berka(args.src_dir, args.out, progress=progress, link_email=args.link_email)
    except BerkaImportError as exc:
        print(f"bankseg: error: {exc}", file=sys.stderr)
        return 2
    if getattr(args, "json", False):
        print(json.dumps(result, indent=2))
    else:
        for line in format_counts(result):
            print(line)
    return 0


def add_cli(subparsers) -> argparse.ArgumentParser:
    """Register ``berka`` under the ``bankseg import`` sub-command parsers (``subparsers``)."""
    parser = subparsers.add_parser(
        "berka",
        help="import the PKDD'99 Czech bank (Berka) .asc files into the landing format",
        description="Convert client, account, disp, order, loan, card, district and trans .asc files of the "
        "PKDD'99 Czech bank into landing files; prints rows in / landed / quarantined per table.",
    )
    parser.add_argument("src_dir", help="folder holding the Berka .asc files")
    parser.add_argument("--out", required=True, help="landing folder to write (BANKSEG_RAW_DIR)")
    parser.add_argument(
        "--link-email",
        action="store_true",
        help="give each client's party, borrower and cardholder records one synthetic e-mail address "
        "(berka-client-<id>@berka.invalid) so identity resolution links them (Berka has no identifiers)",
    )
    parser.add_argument("--json", action="store_true", help="print the counts as JSON")
    parser.add_argument("--quiet", action="store_true", help="no progress messages")
    parser.set_defaults(func=cmd_import_berka)
    return parser
