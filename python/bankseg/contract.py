"""The landing contract: every raw table a source system delivers, with its columns.

The generator, every importer and a bank's own extract jobs write exactly this
layout under one root folder (``BANKSEG_RAW_DIR``)::

    <root>/<system>/<table>/<any name>.parquet

One folder per table so a table may arrive as several files (a daily extract, a
late-arriving batch); the dbt sources read ``<table>/*.parquet``.  Dates and
timestamps arrive as text, as legacy extracts deliver them, so that staging -
not the extract job - decides what is parseable; money arrives as a double and
is cast to a decimal in staging.

The dbt sources YAML describes the same columns; ``tests/python`` checks that
the two agree, and an ``on-run-start`` hook checks every landed file against
the sources YAML before a build starts.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

S = pa.string()
F = pa.float64()
I = pa.int64()  # noqa: E741 - short aliases keep the table below readable
B = pa.bool_()

#: system -> table -> ordered (column, arrow type)
CONTRACT: dict[str, dict[str, list[tuple[str, pa.DataType]]]] = {
    "core_banking": {
        "parties": [
            ("party_id", S),
            ("full_name", S),
            ("national_id", S),
            ("birth_date", S),
            ("gender_code", S),
            ("occupation_code", S),
            ("annual_income", F),
            ("income_currency", S),
            ("marital_status_code", S),
            ("education_code", S),
            ("city", S),
            ("phone", S),
            ("email", S),
            ("onboarding_date", S),
            ("home_branch_code", S),
            ("extracted_at", S),
        ],
        "deposit_accounts": [
            ("account_id", S),
            ("party_id", S),
            ("product_code", S),
            ("currency", S),
            ("open_date", S),
            ("maturity_date", S),
            ("close_date", S),
            ("status_code", S),
            ("branch_code", S),
            ("interest_rate", F),
            ("extracted_at", S),
        ],
        "balances": [
            ("account_id", S),
            ("balance_date", S),
            ("balance", F),
            ("currency", S),
            ("extracted_at", S),
        ],
        "transactions": [
            ("transaction_id", S),
            ("account_id", S),
            ("transaction_ts", S),
            ("amount", F),
            ("currency", S),
            ("direction", S),
            ("channel_code", S),
            ("counterparty_type", S),
            ("description", S),
            ("extracted_at", S),
        ],
        "investment_holdings": [
            ("holding_id", S),
            ("party_id", S),
            ("product_code", S),
            ("valuation_date", S),
            ("market_value", F),
            ("currency", S),
            ("extracted_at", S),
        ],
    },
    "loans": {
        "borrowers": [
            ("borrower_id", S),
            ("full_name", S),
            ("national_id", S),
            ("birth_date", S),
            ("phone", S),
            ("email", S),
            ("extracted_at", S),
        ],
        "applications": [
            ("application_id", S),
            ("borrower_id", S),
            ("product_code", S),
            ("application_date", S),
            ("requested_amount", F),
            ("currency", S),
            ("decision", S),
            ("decision_date", S),
            ("channel_code", S),
            ("extracted_at", S),
        ],
        "loan_accounts": [
            ("loan_id", S),
            ("application_id", S),
            ("borrower_id", S),
            ("product_code", S),
            ("principal", F),
            ("currency", S),
            ("interest_rate", F),
            ("term_months", I),
            ("disbursement_date", S),
            ("maturity_date", S),
            ("status_code", S),
            ("outstanding_balance", F),
            ("extracted_at", S),
        ],
        "repayments": [
            ("repayment_id", S),
            ("loan_id", S),
            ("due_date", S),
            ("paid_date", S),
            ("amount_due", F),
            ("amount_paid", F),
            ("currency", S),
            ("extracted_at", S),
        ],
    },
    "cards": {
        "cardholders": [
            ("cardholder_id", S),
            ("full_name", S),
            ("national_id", S),
            ("birth_date", S),
            ("phone", S),
            ("email", S),
            ("extracted_at", S),
        ],
        "card_accounts": [
            ("card_account_id", S),
            ("cardholder_id", S),
            ("product_code", S),
            ("credit_limit", F),
            ("current_balance", F),
            ("currency", S),
            ("open_date", S),
            ("close_date", S),
            ("status_code", S),
            ("extracted_at", S),
        ],
        "card_transactions": [
            ("card_transaction_id", S),
            ("card_account_id", S),
            ("transaction_ts", S),
            ("amount", F),
            ("currency", S),
            ("merchant_category_code", S),
            ("merchant_name", S),
            ("merchant_city", S),
            ("extracted_at", S),
        ],
    },
    "digital": {
        "users": [
            ("user_id", S),
            ("login_id", S),
            ("display_name", S),
            ("phone", S),
            ("email", S),
            ("registered_at", S),
            ("status_code", S),
            ("extracted_at", S),
        ],
        "events": [
            ("event_id", S),
            ("user_id", S),
            ("event_ts", S),
            ("event_type", S),
            ("channel_code", S),
            ("device_os", S),
            ("extracted_at", S),
        ],
    },
    "crm": {
        "contacts": [
            ("contact_id", S),
            ("full_name", S),
            ("birth_date", S),
            ("phone", S),
            ("email", S),
            ("extracted_at", S),
        ],
        "campaigns": [
            ("campaign_id", S),
            ("campaign_name", S),
            ("objective", S),
            ("product_code", S),
            ("target_segment", S),
            ("channel_code", S),
            ("start_date", S),
            ("end_date", S),
            ("cost_per_contact", F),
            ("currency", S),
            ("extracted_at", S),
        ],
        "campaign_contacts": [
            ("campaign_contact_id", S),
            ("campaign_id", S),
            ("contact_id", S),
            ("contact_date", S),
            ("channel_code", S),
            ("group_code", S),
            ("extracted_at", S),
        ],
        "responses": [
            ("response_id", S),
            ("campaign_contact_id", S),
            ("response_date", S),
            ("response_code", S),
            ("product_code", S),
            ("product_opened_date", S),
            ("extracted_at", S),
        ],
    },
    "feedback": {
        "respondents": [
            ("respondent_id", S),
            ("full_name", S),
            ("phone", S),
            ("email", S),
            ("extracted_at", S),
        ],
        "surveys": [
            ("survey_response_id", S),
            ("respondent_id", S),
            ("survey_type", S),
            ("survey_date", S),
            ("score", I),
            ("channel_code", S),
            ("topic", S),
            ("extracted_at", S),
        ],
        "complaints": [
            ("complaint_id", S),
            ("party_id", S),
            ("category", S),
            ("channel_code", S),
            ("opened_at", S),
            ("resolved_at", S),
            ("outcome", S),
            ("extracted_at", S),
        ],
    },
    "kyc": {
        "subjects": [
            ("subject_id", S),
            ("full_name", S),
            ("national_id", S),
            ("birth_date", S),
            ("phone", S),
            ("extracted_at", S),
        ],
        "assessments": [
            ("assessment_id", S),
            ("subject_id", S),
            ("assessment_date", S),
            ("risk_level", S),
            ("investment_horizon", S),
            ("investment_experience", S),
            ("valid_until", S),
            ("extracted_at", S),
        ],
    },
}


def schema(system: str, table: str) -> pa.Schema:
    """Return the Arrow schema of one landing table."""
    try:
        cols = CONTRACT[system][table]
    except KeyError as exc:
        raise KeyError(f"no landing table {system}.{table} in the contract") from exc
    return pa.schema([pa.field(name, typ) for name, typ in cols])


def tables() -> Iterator[tuple[str, str]]:
    """Yield every (system, table) pair of the contract in a fixed order."""
    for system, tabs in CONTRACT.items():
        for table in tabs:
            yield system, table


def table_dir(root: Path | str, system: str, table: str) -> Path:
    """Folder that holds the Parquet files of one landing table."""
    return Path(root) / system / table


def write_table(
    root: Path | str,
    system: str,
    table: str,
    data: pa.Table | dict,
    file_name: str = "part-0000.parquet",
) -> Path:
    """Write one landing file, cast to the contract's schema.

    ``data`` may be an Arrow table or a dict of column -> sequence.  Columns are
    reordered to the contract; a missing or extra column is an error naming the
    table and column, never a silent null column.
    """
    sch = schema(system, table)
    if isinstance(data, dict):
        got = set(data)
        want = set(sch.names)
        if got != want:
            raise ValueError(
                f"{system}.{table}: columns do not match the landing contract: "
                f"missing {sorted(want - got)}, unexpected {sorted(got - want)}"
            )
        data = pa.table({n: pa.array(data[n], type=sch.field(n).type) for n in sch.names})
    else:
        got = set(data.column_names)
        want = set(sch.names)
        if got != want:
            raise ValueError(
                f"{system}.{table}: columns do not match the landing contract: "
                f"missing {sorted(want - got)}, unexpected {sorted(got - want)}"
            )
        data = data.select(sch.names).cast(sch)
    out = table_dir(root, system, table)
    out.mkdir(parents=True, exist_ok=True)
    path = out / file_name
    pq.write_table(data, path, compression="zstd")
    return path


def write_empty_landing(root: Path | str, only_missing: bool = True) -> list[Path]:
    """Write an empty file (schema only) for every landing table.

    Importers call this so that source systems a data set lacks are empty tables
    the models handle, not missing files.  With ``only_missing`` a table that
    already has files is left alone.
    """
    written = []
    for system, table in tables():
        folder = table_dir(root, system, table)
        if only_missing and folder.exists() and any(folder.glob("*.parquet")):
            continue
        written.append(write_table(root, system, table, schema(system, table).empty_table()))
    return written
