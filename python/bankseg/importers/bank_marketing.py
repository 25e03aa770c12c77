"""Import the UCI Bank Marketing campaign files into the landing format of :mod:`bankseg.contract`.

The UCI data set (Moro, Cortez & Rita) holds the phone campaigns of a Portuguese bank selling term
deposits, May 2008 - November 2010, one row per client contacted.  Two layouts exist and are recognised
from the header:

* ``full`` - ``bank-full.csv`` (45,211 rows) and its 10% sample ``bank.csv``: 17 columns, with the
  client's average yearly ``balance`` and the contact's ``day`` of month; ``pdays`` -1 = never contacted.
* ``additional`` - ``bank-additional-full.csv`` and its 10% sample ``bank-additional.csv``: 21 columns,
  no balance, ``day_of_week`` instead of the day of month, five economic indicators; ``pdays`` 999 =
  never contacted.

Every data row is one client and stays one customer (see ``docs/bank_marketing.md`` for every
assumption).  It becomes

* ``core_banking.parties``: the age becomes a birth date (1 January of contact year - age, so the recorded
  age holds on the contact date); job, marital status and education are mapped to the contract's codes,
  ``unknown`` to the explicit unknown code; no gender (code 0, unknown);
* ``core_banking.deposit_accounts`` + ``balances`` (full layout only): one current account in EUR, opened a
  year before the call, holding the average yearly balance at every month end from its opening to the last
  day of the data's last contact month (one figure per client: see :func:`monthly_balances`);
* ``crm.contacts``, one ``crm.campaigns`` row per file, ``crm.campaign_contacts`` (call centre channel for
  cellular and telephone, empty for ``unknown``) and ``crm.responses``: ``y`` = yes is an accepted offer that
  opened a term deposit on the contact date, ``y`` = no a declined offer.

The data set has no names and no ids.  So that a row's core banking party and CRM contact resolve to the same
customer - and no two rows ever merge - both carry a synthetic e-mail address unique to the row in the
reserved ``.invalid`` top-level domain, which can never reach a person.

What the contract has no place for - the ``default``, ``housing`` and ``loan`` flags (a loan needs a
principal and a disbursement date the data does not have), ``campaign``, ``pdays``, ``previous``,
``poutcome``, the economic indicators and ``duration`` - is kept with every row's keys in
``<out>/bank_marketing/client_rows.parquet``, which dbt does not read.  ``duration`` is only known after the
call and leaks the outcome: it is kept for benchmarks only and must not be used as a feature.

Rows that cannot be read (wrong number of fields, a truncated line, an unknown code, a non-number, an
impossible date) go to ``<out>/quarantine/bank_marketing.parquet`` with the line number, the reason and the
original line; a file that cannot be read at all (missing, wrong separator, unexpected columns) raises
:class:`BankMarketingFormatError` naming the file and what is wrong.  Source systems the data set lacks
(loans, cards, digital, feedback, KYC, transactions, investments) are written as empty tables.
"""

from __future__ import annotations

import argparse
import calendar
import csv
import datetime as dt
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from bankseg.contract import table_dir, tables, write_empty_landing, write_table

# --------------------------------------------------------------------------------------------------
# The two layouts
# --------------------------------------------------------------------------------------------------

FULL_COLUMNS = (
    "age",
    "job",
    "marital",
    "education",
    "default",
    "balance",
    "housing",
    "loan",
    "contact",
    "day",
    "month",
    "duration",
    "campaign",
    "pdays",
    "previous",
    "poutcome",
    "y",
)

ADDITIONAL_COLUMNS = (
    "age",
    "job",
    "marital",
    "education",
    "default",
    "housing",
    "loan",
    "contact",
    "month",
    "day_of_week",
    "duration",
    "campaign",
    "pdays",
    "previous",
    "poutcome",
    "emp.var.rate",
    "cons.price.idx",
    "cons.conf.idx",
    "euribor3m",
    "nr.employed",
    "y",
)

VARIANTS = {"full": FULL_COLUMNS, "additional": ADDITIONAL_COLUMNS}

#: ``pdays`` value that means "not contacted in a previous campaign", per layout
NEVER_CONTACTED_PDAYS = {"full": -1, "additional": 999}

# UCI job -> occupation code (seeds/ref_code_map.csv, code set `occupation`).  The contract's list is
# coarser than UCI's: management and technician are both "professional or technical", entrepreneur and
# self-employed both "business owner", housemaid and services both "sales or service worker".
JOB_TO_OCCUPATION = {
    "admin.": "03",  # office worker
    "blue-collar": "06",  # production worker
    "entrepreneur": "04",  # business owner
    "housemaid": "05",  # sales or service worker
    "management": "01",  # professional or technical (the contract has no manager code)
    "retired": "09",
    "self-employed": "04",  # business owner
    "services": "05",  # sales or service worker
    "student": "08",
    "technician": "01",  # professional or technical
    "unemployed": "10",  # not employed
    "unknown": "99",  # other or unknown: no UCI job is "other", so 99 here only ever means unknown
}

# UCI marital -> marital status code (GB/T 2261.2).  UCI's "divorced" means divorced or widowed.
MARITAL_TO_CODE = {"married": "20", "single": "10", "divorced": "40", "unknown": "90"}

EDUCATION_TO_CODE = {
    "full": {
        "primary": "70",  # middle school or less
        "secondary": "60",  # high school
        "tertiary": "20",  # bachelor degree (tertiary, level not given)
        "unknown": "90",
    },
    "additional": {
        "illiterate": "70",  # middle school or less
        "basic.4y": "70",
        "basic.6y": "70",
        "basic.9y": "70",
        "high.school": "60",
        "professional.course": "60",  # vocational upper-secondary course: high school level
        "university.degree": "20",  # bachelor degree
        "unknown": "90",
    },
}

YES_NO = {"full": ("yes", "no"), "additional": ("yes", "no", "unknown")}
CONTACT_TYPES = ("cellular", "telephone", "unknown")
POUTCOMES = {"full": ("unknown", "other", "failure", "success"), "additional": ("nonexistent", "failure", "success")}
MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri")  # the campaigns called on working days only

#: the period the UCI documentation gives for both layouts (files in date order start in May 2008)
FIRST_YEAR, FIRST_MONTH = 2008, 5
LAST_YEAR, LAST_MONTH = 2010, 11
#: year assumed for every row when the file is not in date order (a random sample): 2009 is the one year
#: of the period in which every month lies inside it
FALLBACK_CONTACT_YEAR = 2009

CURRENCY = "EUR"
DEPOSIT_PRODUCT = "CUR03"  # current account (overdrafts allowed) holding the average yearly balance
TERM_DEPOSIT_PRODUCT = "TD12"  # the campaigns' term deposit; its term is not in the data
CAMPAIGN_CHANNEL = "CC"  # call centre: the campaigns were phone calls
MIN_AGE, MAX_AGE = 16, 110

QUARANTINE_SCHEMA = pa.schema(
    [
        ("source_file", pa.string()),
        ("line_number", pa.int64()),
        ("reason", pa.string()),
        ("raw_line", pa.string()),
    ]
)


class BankMarketingFormatError(ValueError):
    """The file cannot be imported at all: missing, empty, wrong separator or unexpected columns."""


# --------------------------------------------------------------------------------------------------
# Reading and checking rows
# --------------------------------------------------------------------------------------------------


@dataclass
class ParsedRow:
    """One accepted data row: its line number, its values and what the importer derived from them."""

    line_number: int
    values: dict[str, str]
    age: int
    month: int
    day: int | None  # day of month (full layout)
    weekday: int | None  # 0 = Monday (additional layout)
    pdays: int
    contact_date: dt.date | None = None
    year: int | None = None


@dataclass
class ImportState:
    """Accepted rows and quarantined lines of one file."""

    variant: str
    rows: list[ParsedRow] = field(default_factory=list)
    quarantine: list[tuple[int, str, str]] = field(default_factory=list)  # (line, reason, raw line)
    data_lines: int = 0


def detect_variant(header: list[str], path: Path) -> str:
    """Return ``"full"`` or ``"additional"`` for a header, or raise naming the unexpected and missing columns."""
    names = [h.strip() for h in header]
    for variant, expected in VARIANTS.items():
        if tuple(names) == expected:
            return variant
    if len(names) == 1 and ("," in names[0] or "\t" in names[0]):
        sep = "comma" if "," in names[0] else "tab"
        raise BankMarketingFormatError(
            f"{path}: line 1: the header is not separated by ';' (it looks {sep}-separated: {names[0][:60]!r}...); "
            "the UCI Bank Marketing files are semicolon-separated"
        )
    # report against the closer layout
    best = min(VARIANTS, key=lambda v: len(set(VARIANTS[v]) ^ set(names)))
    expected = VARIANTS[best]
    missing = [c for c in expected if c not in names]
    unexpected = [c for c in names if c not in expected]
    if not missing and not unexpected:
        problem = f"columns in an unexpected order {names}, expected {list(expected)}"
    else:
        problem = f"missing columns {missing}, unexpected columns {unexpected}"
    raise BankMarketingFormatError(
        f"{path}: line 1: not a UCI Bank Marketing header (17-column bank-full or 21-column bank-additional "
        f"layout); closest is the {len(expected)}-column layout: {problem}"
    )


_WHOLE_NUMBER = re.compile(r"-?\d+")


def _int(values: dict[str, str], column: str) -> int:
    text = values[column].strip()
    if not _WHOLE_NUMBER.fullmatch(text):
        raise _RowError(f"{column} is not a whole number: {text!r}")
    return int(text)


def _code(values: dict[str, str], column: str, allowed: tuple[str, ...] | dict[str, str]) -> str:
    text = values[column]
    if text not in allowed:
        raise _RowError(f"unknown {column} code {text!r} (expected one of {sorted(allowed)})")
    return text


class _RowError(Exception):
    """A row that cannot be imported; the message is the quarantine reason."""


def _parse_row(variant: str, values: dict[str, str], line_number: int) -> ParsedRow:
    age = _int(values, "age")
    if not MIN_AGE <= age <= MAX_AGE:
        raise _RowError(f"implausible age {age} (expected {MIN_AGE}..{MAX_AGE})")
    _code(values, "job", JOB_TO_OCCUPATION)
    _code(values, "marital", MARITAL_TO_CODE)
    _code(values, "education", EDUCATION_TO_CODE[variant])
    for column in ("default", "housing", "loan"):
        _code(values, column, YES_NO[variant])
    _code(values, "contact", CONTACT_TYPES)
    month = MONTHS.index(_code(values, "month", MONTHS)) + 1
    day = weekday = None
    if variant == "full":
        _int(values, "balance")
        day = _int(values, "day")
        if not 1 <= day <= 31:
            raise _RowError(f"day is not a day of the month: {day}")
    else:
        weekday = WEEKDAYS.index(_code(values, "day_of_week", WEEKDAYS))
        for column in ("emp.var.rate", "cons.price.idx", "cons.conf.idx", "euribor3m", "nr.employed"):
            try:
                float(values[column])
            except ValueError:
                raise _RowError(f"{column} is not a number: {values[column]!r}") from None
    for column in ("duration", "previous"):
        if _int(values, column) < 0:
            raise _RowError(f"negative {column}: {values[column]!r}")
    if _int(values, "campaign") < 1:
        raise _RowError(f"campaign (contacts in this campaign, including the last) below 1: {values['campaign']!r}")
    pdays = _int(values, "pdays")
    if pdays < 0 and pdays != NEVER_CONTACTED_PDAYS[variant]:
        raise _RowError(f"negative pdays {pdays} (only {NEVER_CONTACTED_PDAYS[variant]} = never contacted)")
    _code(values, "poutcome", POUTCOMES[variant])
    _code(values, "y", ("yes", "no"))
    return ParsedRow(line_number, values, age, month, day, weekday, pdays)


def _lines(path: Path) -> Iterator[tuple[int, str, bool]]:
    """Yield (line number, text without line break, had a line break) for every line of the file."""
    with path.open("r", encoding="utf-8-sig", newline="") as handle:
        for number, line in enumerate(handle, start=1):
            ended = line.endswith("\n")
            yield number, line.rstrip("\r\n"), ended


def read_file(path: Path | str) -> ImportState:
    """Read and check one UCI Bank Marketing file; rows that cannot be read are kept for quarantine."""
    path = Path(path)
    if not path.exists():
        raise BankMarketingFormatError(f"{path}: no such file")
    if not path.is_file():
        raise BankMarketingFormatError(f"{path}: not a file")
    try:
        lines = _lines(path)
        first = next(lines, None)
        if first is None or not first[1].strip():
            raise BankMarketingFormatError(f"{path}: empty file (no header line)")
        header = next(csv.reader([first[1]], delimiter=";"))  # lenient: a wrong separator is reported below
        variant = detect_variant(header, path)
        columns = VARIANTS[variant]
        state = ImportState(variant)
        for number, text, ended in lines:
            state.data_lines += 1
            if not text.strip():
                state.quarantine.append((number, "blank line", text))
                continue
            try:
                fields = next(csv.reader([text], delimiter=";", strict=True))
            except csv.Error as exc:
                state.quarantine.append((number, f"malformed line ({exc})", text))
                continue
            if len(fields) != len(columns):
                what = "truncated line" if not ended and len(fields) < len(columns) else "wrong number of fields"
                reason = f"{what}: {len(fields)} fields, expected {len(columns)}"
                if len(fields) == 1 and "," in text:
                    reason += " (comma-separated? the file is semicolon-separated)"
                state.quarantine.append((number, reason, text))
                continue
            values = dict(zip(columns, fields, strict=True))
            try:
                state.rows.append(_parse_row(variant, values, number))
            except _RowError as exc:
                state.quarantine.append((number, str(exc), text))
    except UnicodeDecodeError as exc:
        raise BankMarketingFormatError(f"{path}: not UTF-8 text ({exc})") from None
    except OSError as exc:
        raise BankMarketingFormatError(f"{path}: cannot read the file ({exc.strerror or exc})") from None
    return state


# --------------------------------------------------------------------------------------------------
# Dates: the files have a month and a day (or weekday) but no year
# --------------------------------------------------------------------------------------------------


def derive_years(rows: list[ParsedRow], contact_year: int | None = None) -> str:
    """Set ``row.year`` on every row and return the rule used.

    With ``contact_year`` every row gets that year.  Otherwise the years come from row order, as the UCI
    documentation describes the files (ordered by date, May 2008 - November 2010): the year starts at 2008
    and goes up by one each time the month goes back (December -> January).  A file that is not in date order
    (the 10% samples are random) would need more years than the period has; then every row gets
    :data:`FALLBACK_CONTACT_YEAR` and the rule says so.
    """
    if contact_year is not None:
        for row in rows:
            row.year = contact_year
        return f"fixed year {contact_year} (given)"
    year, previous_month, in_order = FIRST_YEAR, None, True
    years = []
    for row in rows:
        if previous_month is not None and row.month < previous_month:
            year += 1
        previous_month = row.month
        years.append(year)
    if rows:
        first_ok = (years[0], rows[0].month) >= (FIRST_YEAR, FIRST_MONTH)
        last_ok = (years[-1], rows[-1].month) <= (LAST_YEAR, LAST_MONTH)
        in_order = first_ok and last_ok
    if in_order:
        for row, y in zip(rows, years, strict=True):
            row.year = y
        return f"row order ({FIRST_YEAR} from the first row, +1 at each month wrap)"
    for row in rows:
        row.year = FALLBACK_CONTACT_YEAR
    return (
        f"fixed year {FALLBACK_CONTACT_YEAR} (the file is not in date order: row order would need years "
        f"{years[0]}..{years[-1]}, outside {FIRST_YEAR}-{LAST_YEAR})"
    )


def _first_weekday(year: int, month: int, weekday: int) -> dt.date:
    first = dt.date(year, month, 1)
    return first + dt.timedelta(days=(weekday - first.weekday()) % 7)


def assign_contact_dates(state: ImportState) -> None:
    """Set the contact date of every row; a day that does not exist in its month moves the row to quarantine."""
    kept = []
    for row in state.rows:
        assert row.year is not None
        if row.day is not None:
            try:
                row.contact_date = dt.date(row.year, row.month, row.day)
            except ValueError:
                state.quarantine.append(
                    (
                        row.line_number,
                        f"no such date: day {row.day} of {MONTHS[row.month - 1]} {row.year} (assumed year)",
                        ";".join(_quote(row.values[c]) for c in VARIANTS[state.variant]),
                    )
                )
                continue
        else:
            assert row.weekday is not None
            row.contact_date = _first_weekday(row.year, row.month, row.weekday)
        kept.append(row)
    state.rows = kept


def _quote(value: str) -> str:
    return value if re.fullmatch(r"-?[\d.]+", value) else f'"{value}"'


def _year_before(day: dt.date) -> dt.date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


# --------------------------------------------------------------------------------------------------
# Writing the landing tables
# --------------------------------------------------------------------------------------------------


def _file_tag(path: Path) -> str:
    return re.sub(r"[^A-Z0-9]+", "-", path.stem.upper()).strip("-") or "UCI"


def _clear_outputs(out: Path) -> None:
    """Remove what an earlier import or generator run left in ``out`` (landing tables, quarantine, extras)."""
    for system, table in tables():
        folder = table_dir(out, system, table)
        if folder.is_dir():
            shutil.rmtree(folder)
    for folder in (out / "ground_truth", out / "bank_marketing"):
        if folder.is_dir():
            shutil.rmtree(folder)
    quarantine = out / "quarantine" / "bank_marketing.parquet"
    if quarantine.exists():
        quarantine.unlink()


def import_bank_marketing(file: Path | str, out_dir: Path | str, contact_year: int | None = None) -> dict[str, Any]:
    """Convert a UCI Bank Marketing file (either layout) into landing files under ``out_dir``.

    Returns ``{"file", "variant", "year_rule", "extracted_at", "converted", "tables"}`` where ``tables`` maps
    ``"<system>.<table>"`` (and ``"source.rows"`` for the file's data lines) to ``{"in", "out", "quarantined",
    "written"}``: source rows in, rows that reached the table and rows quarantined (``in == out +
    quarantined``), and the records written (a row gives one balance per month end).  Raises
    :class:`BankMarketingFormatError` for a file that cannot be read at all.
    """
    path = Path(file)
    out = Path(out_dir)
    state = read_file(path)
    year_rule = derive_years(state.rows, contact_year)
    assign_contact_dates(state)
    state.quarantine.sort()
    variant = state.variant
    tag = _file_tag(path)

    if state.rows:
        last = max(r.contact_date for r in state.rows if r.contact_date is not None)
    elif contact_year is not None:
        last = dt.date(contact_year, 12, 31)
    else:
        last = dt.date(LAST_YEAR, LAST_MONTH, 30)
    balance_date = dt.date(last.year, last.month, calendar.monthrange(last.year, last.month)[1])
    extract_day = balance_date + dt.timedelta(days=1)
    extracted_at = f"{extract_day.isoformat()} 00:00:00"

    out.mkdir(parents=True, exist_ok=True)
    _clear_outputs(out)

    rows = state.rows
    n = len(rows)
    keys = [f"{tag}-{r.line_number - 1:06d}" for r in rows]  # data row number, 1-based
    dates = [r.contact_date.isoformat() for r in rows]  # type: ignore[union-attr]
    birth = [f"{r.year - r.age:04d}-01-01" for r in rows]  # type: ignore[operator]
    onboarding = [_year_before(r.contact_date).isoformat() for r in rows]  # type: ignore[arg-type]
    emails = [f"{k.lower()}@bank-marketing.invalid" for k in keys]
    nulls: list[None] = [None] * n
    ext = [extracted_at] * n
    converted = [r.values["y"] == "yes" for r in rows]
    edu_map = EDUCATION_TO_CODE[variant]

    write_table(
        out,
        "core_banking",
        "parties",
        {
            "party_id": [f"P-{k}" for k in keys],
            "full_name": nulls,
            "national_id": nulls,
            "birth_date": birth,
            "gender_code": ["0"] * n,  # not in the data: unknown
            "occupation_code": [JOB_TO_OCCUPATION[r.values["job"]] for r in rows],
            "annual_income": nulls,
            "income_currency": nulls,
            "marital_status_code": [MARITAL_TO_CODE[r.values["marital"]] for r in rows],
            "education_code": [edu_map[r.values["education"]] for r in rows],
            "city": nulls,
            "phone": nulls,
            "email": emails,
            "onboarding_date": onboarding,
            "home_branch_code": nulls,
            "extracted_at": ext,
        },
    )
    has_balance = variant == "full"
    balance_count = 0
    if has_balance:
        write_table(
            out,
            "core_banking",
            "deposit_accounts",
            {
                "account_id": [f"A-{k}" for k in keys],
                "party_id": [f"P-{k}" for k in keys],
                "product_code": [DEPOSIT_PRODUCT] * n,
                "currency": [CURRENCY] * n,
                "open_date": onboarding,
                "maturity_date": nulls,
                "close_date": nulls,
                "status_code": ["A"] * n,
                "branch_code": nulls,
                "interest_rate": nulls,
                "extracted_at": ext,
            },
        )
        balance_rows = monthly_balances(
            keys, onboarding, [float(int(r.values["balance"])) for r in rows], balance_date, extracted_at
        )
        write_table(out, "core_banking", "balances", balance_rows)
        balance_count = balance_rows.num_rows
    write_table(
        out,
        "crm",
        "contacts",
        {
            "contact_id": [f"C-{k}" for k in keys],
            "full_name": nulls,
            "birth_date": birth,
            "phone": nulls,
            "email": emails,
            "extracted_at": ext,
        },
    )
    campaign_id = f"UCI-{tag}"
    first = min(dates) if dates else extract_day.isoformat()
    write_table(
        out,
        "crm",
        "campaigns",
        {
            "campaign_id": [campaign_id],
            "campaign_name": [f"UCI Bank Marketing term deposit phone campaigns ({path.name})"],
            "objective": ["XSELL"],
            "product_code": [TERM_DEPOSIT_PRODUCT],
            "target_segment": [None],
            "channel_code": [CAMPAIGN_CHANNEL],
            "start_date": [first],
            "end_date": [max(dates) if dates else first],
            "cost_per_contact": [None],
            "currency": [CURRENCY],
            "extracted_at": [extracted_at],
        },
    )
    write_table(
        out,
        "crm",
        "campaign_contacts",
        {
            "campaign_contact_id": [f"CC-{k}" for k in keys],
            "campaign_id": [campaign_id] * n,
            "contact_id": [f"C-{k}" for k in keys],
            "contact_date": dates,
            "channel_code": [None if r.values["contact"] == "unknown" else CAMPAIGN_CHANNEL for r in rows],
            "group_code": ["T"] * n,  # every row was called: the data has no hold-out group
            "extracted_at": ext,
        },
    )
    write_table(
        out,
        "crm",
        "responses",
        {
            "response_id": [f"R-{k}" for k in keys],
            "campaign_contact_id": [f"CC-{k}" for k in keys],
            "response_date": dates,
            "response_code": ["ACC" if c else "DEC" for c in converted],
            "product_code": [TERM_DEPOSIT_PRODUCT if c else None for c in converted],
            "product_opened_date": [d if c else None for d, c in zip(dates, converted, strict=True)],
            "extracted_at": ext,
        },
    )
    write_empty_landing(out, only_missing=True)
    _write_client_rows(out, path, variant, year_rule, rows, keys, has_balance)
    _write_quarantine(out, path, state.quarantine)

    q = len(state.quarantine)
    data_in = state.data_lines
    counts = {"source.rows": {"in": data_in, "out": n, "quarantined": q, "written": n}}
    written = {
        "core_banking.parties": n,
        **({"core_banking.deposit_accounts": n, "core_banking.balances": balance_count} if has_balance else {}),
        "crm.contacts": n,
        "crm.campaign_contacts": n,
        "crm.responses": n,
    }
    for name, records in written.items():
        counts[name] = {"in": data_in, "out": n, "quarantined": q, "written": records}
    counts["crm.campaigns"] = {"in": 1, "out": 1, "quarantined": 0, "written": 1}
    assert all(c["in"] == c["out"] + c["quarantined"] for c in counts.values())
    return {
        "file": str(path),
        "variant": variant,
        "year_rule": year_rule,
        "extracted_at": extracted_at,
        "converted": sum(converted),
        "tables": counts,
    }


def _month_ends(first: dt.date, last: dt.date) -> list[str]:
    """Month-end dates (text) from the month of ``first`` to the month of ``last``, both included."""
    ends = []
    year, month = first.year, first.month
    while (year, month) <= (last.year, last.month):
        ends.append(dt.date(year, month, calendar.monthrange(year, month)[1]).isoformat())
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return ends


def monthly_balances(
    keys: list[str], open_dates: list[str], balances: list[float], balance_date: dt.date, extracted_at: str
) -> pa.Table:
    """The ``core_banking.balances`` rows: every account at every month end from its opening to ``balance_date``.

    UCI gives one figure per client, the average yearly balance.  It stands for the year before the call (the
    account is opened a year before the contact date) and, for want of any later figure, for every month end
    after it up to the data's last month: the warehouse looks at each customer both at the month before the
    contact (the segment the campaign reached) and at the as-of date (the customer 360 and the clustering).
    """
    ends_cache: dict[str, list[str]] = {}
    per_account = []
    for opened in open_dates:
        ends = ends_cache.get(opened[:7])
        if ends is None:
            ends = ends_cache[opened[:7]] = _month_ends(dt.date.fromisoformat(opened), balance_date)
        per_account.append(ends)
    lengths = [len(e) for e in per_account]
    total = sum(lengths)
    take = pa.array([i for i, length in enumerate(lengths) for _ in range(length)], type=pa.int64())
    return pa.table(
        {
            "account_id": pa.array([f"A-{k}" for k in keys], type=pa.string()).take(take),
            "balance_date": pa.array([d for ends in per_account for d in ends], type=pa.string()),
            "balance": pa.array(balances, type=pa.float64()).take(take),
            "currency": pa.repeat(pa.scalar(CURRENCY), total),
            "extracted_at": pa.repeat(pa.scalar(extracted_at), total),
        }
    )


def _write_client_rows(
    out: Path,
    path: Path,
    variant: str,
    year_rule: str,
    rows: list[ParsedRow],
    keys: list[str],
    has_balance: bool,
) -> Path:
    """Every accepted row's keys, derived contact date and original values (for what the contract lacks)."""
    never = NEVER_CONTACTED_PDAYS[variant]
    data: dict[str, list[Any]] = {
        "source_file": [path.name] * len(rows),
        "line_number": [r.line_number for r in rows],
        "layout": [variant] * len(rows),
        "party_id": [f"P-{k}" for k in keys],
        "contact_id": [f"C-{k}" for k in keys],
        "campaign_contact_id": [f"CC-{k}" for k in keys],
        "account_id": [f"A-{k}" if has_balance else None for k in keys],
        "contact_date": [r.contact_date.isoformat() for r in rows],  # type: ignore[union-attr]
        "contact_year_rule": [year_rule] * len(rows),
        "is_converted": [r.values["y"] == "yes" for r in rows],
        "was_previously_contacted": [r.pdays != never for r in rows],
        "days_since_previous_contact": [None if r.pdays == never else r.pdays for r in rows],
    }
    for column in VARIANTS[variant]:
        data[column.replace(".", "_")] = [r.values[column] for r in rows]
    folder = out / "bank_marketing"
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / "client_rows.parquet"
    pq.write_table(pa.table(data), target, compression="zstd")
    return target


def _write_quarantine(out: Path, path: Path, quarantine: list[tuple[int, str, str]]) -> Path:
    folder = out / "quarantine"
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / "bank_marketing.parquet"
    table = pa.table(
        {
            "source_file": [str(path)] * len(quarantine),
            "line_number": [q[0] for q in quarantine],
            "reason": [q[1] for q in quarantine],
            "raw_line": [q[2] for q in quarantine],
        },
        schema=QUARANTINE_SCHEMA,
    )
    pq.write_table(table, target, compression="zstd")
    return target


# --------------------------------------------------------------------------------------------------
# Command line: bankseg import bank-marketing FILE --out DIR
# --------------------------------------------------------------------------------------------------


def summary_lines(result: dict[str, Any]) -> list[str]:
    """Human-readable lines for a result of :func:`import_bank_marketing`."""
    lines = [
        f"imported {result['file']} ({result['variant']} layout)",
        f"contact year: {result['year_rule']}; extract timestamp {result['extracted_at']}",
        f"{'table':<32}{'rows in':>9}{'out':>9}{'quarantined':>13}{'records written':>17}",
    ]
    for name, c in result["tables"].items():
        lines.append(f"{name:<32}{c['in']:>9}{c['out']:>9}{c['quarantined']:>13}{c['written']:>17}")
    rows = result["tables"]["source.rows"]
    if rows["out"]:
        share = result["converted"] / rows["out"]
        lines.append(f"converted (y = yes): {result['converted']} of {rows['out']} ({share:.2%})")
    return lines


def cmd_import_bank_marketing(args: argparse.Namespace) -> int:
    """``bankseg import bank-marketing FILE --out DIR``: import and print the per-table counts."""
    from bankseg.cli import CliError

    try:
        result = import_bank_marketing(args.file, args.out, contact_year=args.contact_year)
    except BankMarketingFormatError as exc:
        raise CliError(str(exc)) from None
    except OSError as exc:
        raise CliError(f"--out {args.out}: cannot write there ({exc.strerror or exc})") from None
    for line in summary_lines(result):
        print(line)
    quarantined = result["tables"]["source.rows"]["quarantined"]
    if quarantined:
        print(f"{quarantined} line(s) quarantined: {Path(args.out) / 'quarantine' / 'bank_marketing.parquet'}")
    return 0


def _year(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"--contact-year must be a year, got {text!r}") from None
    if not 1900 <= value <= 2100:
        raise argparse.ArgumentTypeError(f"--contact-year must be between 1900 and 2100, got {value}")
    return value


def add_cli(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add ``bank-marketing`` to the sub-commands of ``bankseg import``."""
    parser = subparsers.add_parser(
        "bank-marketing",
        help="convert a UCI Bank Marketing file (bank-full or bank-additional layout) into landing files",
        description=(
            "Convert a UCI Bank Marketing CSV (17-column bank-full/bank or 21-column bank-additional layout, "
            "recognised from the header) into the landing format: parties, deposit accounts and balances, "
            "CRM contacts, the campaign, its contacts and their responses; other systems empty. "
            "Unreadable rows go to DIR/quarantine/bank_marketing.parquet. Assumptions: docs/bank_marketing.md."
        ),
    )
    parser.add_argument("file", metavar="FILE", help="the semicolon-separated UCI file")
    parser.add_argument("--out", required=True, help="landing folder to write (created if missing; replaced)")
    parser.add_argument(
        "--contact-year",
        type=_year,
        default=None,
        help=(
            "assume this year for every contact; default: from row order (2008, +1 at each month wrap) "
            f"when the file is in date order, else {FALLBACK_CONTACT_YEAR}"
        ),
    )
    parser.set_defaults(func=cmd_import_bank_marketing)
    return parser
