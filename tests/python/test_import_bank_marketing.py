"""The UCI Bank Marketing importer: both layouts, `unknown`, pdays sentinels, dates without a year, bad input."""

from __future__ import annotations

import argparse
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from _shared_data import shared_data
from bankseg.contract import schema, tables
from bankseg.importers.bank_marketing import (
    BankMarketingFormatError,
    add_cli,
    import_bank_marketing,
)

ROOT = Path(__file__).resolve().parents[2]
DATA = shared_data() / "bank_marketing"

FULL_HEADER = (
    '"age";"job";"marital";"education";"default";"balance";"housing";"loan";"contact";"day";"month";'
    '"duration";"campaign";"pdays";"previous";"poutcome";"y"'
)
ADDITIONAL_HEADER = (
    '"age";"job";"marital";"education";"default";"housing";"loan";"contact";"month";"day_of_week";'
    '"duration";"campaign";"pdays";"previous";"poutcome";"emp.var.rate";"cons.price.idx";"cons.conf.idx";'
    '"euribor3m";"nr.employed";"y"'
)

# in date order: May 2008 ... December 2008, then January 2009 (one month wrap)
FULL_ROWS = [
    '58;"management";"married";"tertiary";"no";2143;"yes";"no";"unknown";5;"may";261;1;-1;0;"unknown";"no"',
    '33;"unknown";"single";"unknown";"no";-7;"no";"yes";"cellular";17;"nov";99;2;120;3;"success";"yes"',
    '47;"blue-collar";"divorced";"primary";"yes";0;"yes";"yes";"telephone";31;"dec";15;3;-1;0;"unknown";"no"',
    '25;"student";"single";"secondary";"no";1500;"no";"no";"cellular";2;"jan";300;1;-1;0;"unknown";"yes"',
]

ADDITIONAL_ROWS = [
    '56;"housemaid";"married";"basic.4y";"no";"no";"no";"telephone";"may";"mon";261;1;999;0;"nonexistent";'
    '1.1;93.994;-36.4;4.857;5191;"no"',
    '40;"unknown";"unknown";"unknown";"unknown";"unknown";"unknown";"cellular";"jun";"fri";151;1;6;1;"success";'
    '-1.8;92.893;-46.2;1.313;5099.1;"yes"',
    '30;"admin.";"single";"professional.course";"no";"yes";"no";"cellular";"jun";"wed";50;2;999;1;"failure";'
    '-1.8;92.893;-46.2;1.313;5099.1;"no"',
]


def write_csv(tmp_path: Path, name: str, header: str, rows: list[str], final_newline: bool = True) -> Path:
    path = tmp_path / name
    text = "\n".join([header, *rows]) + ("\n" if final_newline else "")
    path.write_text(text, encoding="utf-8")
    return path


def read(out: Path, system: str, table: str) -> list[dict]:
    return pq.read_table(out / system / table).to_pylist()


def quarantine(out: Path) -> list[dict]:
    return pq.read_table(out / "quarantine" / "bank_marketing.parquet").to_pylist()


@pytest.fixture
def full_import(tmp_path):
    src = write_csv(tmp_path, "bank-mini.csv", FULL_HEADER, FULL_ROWS)
    out = tmp_path / "landing"
    return out, import_bank_marketing(src, out)


@pytest.fixture
def additional_import(tmp_path):
    src = write_csv(tmp_path, "bank-additional-mini.csv", ADDITIONAL_HEADER, ADDITIONAL_ROWS)
    out = tmp_path / "landing"
    return out, import_bank_marketing(src, out, contact_year=2009)


# ---------------------------------------------------------------------------------------------- full layout


def test_full_layout_is_recognised_and_every_row_is_one_party(full_import):
    out, result = full_import
    assert result["variant"] == "full"
    assert result["tables"]["source.rows"] == {"in": 4, "out": 4, "quarantined": 0, "written": 4}
    assert result["tables"]["core_banking.balances"] == {"in": 4, "out": 4, "quarantined": 0, "written": 63}
    parties = read(out, "core_banking", "parties")
    assert [p["party_id"] for p in parties] == [
        "P-BANK-MINI-000001",
        "P-BANK-MINI-000002",
        "P-BANK-MINI-000003",
        "P-BANK-MINI-000004",
    ]
    # no names, no national ids, no phones; a synthetic e-mail per row (reserved .invalid domain) ties the
    # row's party to its CRM contact and to nothing else
    assert {p["full_name"] for p in parties} == {None}
    assert {p["national_id"] for p in parties} == {None}
    assert {p["phone"] for p in parties} == {None}
    emails = [p["email"] for p in parties]
    assert len(set(emails)) == 4 and all(e.endswith("@bank-marketing.invalid") for e in emails)
    contacts = read(out, "crm", "contacts")
    assert [c["email"] for c in contacts] == emails
    assert [c["birth_date"] for c in contacts] == [p["birth_date"] for p in parties]


def test_year_comes_from_row_order_and_age_becomes_a_birth_date(full_import):
    out, result = full_import
    assert result["year_rule"].startswith("row order")
    contacts = read(out, "crm", "campaign_contacts")
    assert [c["contact_date"] for c in contacts] == ["2008-05-05", "2008-11-17", "2008-12-31", "2009-01-02"]
    parties = read(out, "core_banking", "parties")
    # 1 January of (contact year - age): the recorded age holds on the contact date
    assert [p["birth_date"] for p in parties] == ["1950-01-01", "1975-01-01", "1961-01-01", "1984-01-01"]
    # onboarding: the balance is a yearly average, so the client was with the bank a year before the call
    assert [p["onboarding_date"] for p in parties] == ["2007-05-05", "2007-11-17", "2007-12-31", "2008-01-02"]
    assert {p["extracted_at"] for p in parties} == {"2009-02-01 00:00:00"}


def test_codes_are_mapped_and_unknown_stays_unknown(full_import):
    out, _ = full_import
    parties = read(out, "core_banking", "parties")
    assert [p["occupation_code"] for p in parties] == ["01", "99", "06", "08"]
    assert [p["marital_status_code"] for p in parties] == ["20", "10", "40", "10"]
    assert [p["education_code"] for p in parties] == ["20", "90", "70", "60"]
    assert {p["gender_code"] for p in parties} == {"0"}  # not in the data: unknown, not guessed


def test_balance_becomes_a_current_account_with_one_balance(full_import):
    out, _ = full_import
    accounts = read(out, "core_banking", "deposit_accounts")
    first = accounts[0]
    assert (first["account_id"], first["party_id"], first["product_code"], first["currency"]) == (
        "A-BANK-MINI-000001",
        "P-BANK-MINI-000001",
        "CUR03",
        "EUR",
    )
    assert len(accounts) == 4 and {a["status_code"] for a in accounts} == {"A"}
    assert [a["open_date"] for a in accounts] == ["2007-05-05", "2007-11-17", "2007-12-31", "2008-01-02"]
    balances = read(out, "core_banking", "balances")
    # the one figure per client stands at every month end from the opening month to the data's last month
    per_account: dict[str, list] = {}
    for b in balances:
        per_account.setdefault(b["account_id"], []).append((b["balance_date"], b["balance"]))
    first = per_account["A-BANK-MINI-000001"]
    assert len(first) == 21  # May 2007 .. January 2009
    assert (first[0], first[12], first[-1]) == (("2007-05-31", 2143.0), ("2008-05-31", 2143.0), ("2009-01-31", 2143.0))
    assert {len(v) for v in per_account.values()} == {21, 15, 14, 13}
    assert [v[0] for v in per_account.values()] == [
        ("2007-05-31", 2143.0),
        ("2007-11-30", -7.0),  # overdrawn, written as it is: staging decides
        ("2007-12-31", 0.0),
        ("2008-01-31", 1500.0),
    ]


def test_contacts_channels_and_outcomes(full_import):
    out, result = full_import
    campaigns = read(out, "crm", "campaigns")
    assert len(campaigns) == 1
    assert campaigns[0]["campaign_id"] == "UCI-BANK-MINI"
    assert (campaigns[0]["start_date"], campaigns[0]["end_date"]) == ("2008-05-05", "2009-01-02")
    assert (campaigns[0]["objective"], campaigns[0]["product_code"], campaigns[0]["channel_code"]) == (
        "XSELL",
        "TD12",
        "CC",
    )
    contacts = read(out, "crm", "campaign_contacts")
    # cellular and telephone are both the call centre; unknown stays empty
    assert [c["channel_code"] for c in contacts] == [None, "CC", "CC", "CC"]
    assert {c["group_code"] for c in contacts} == {"T"}
    responses = read(out, "crm", "responses")
    assert [r["response_code"] for r in responses] == ["DEC", "ACC", "DEC", "ACC"]
    assert [r["product_code"] for r in responses] == [None, "TD12", None, "TD12"]
    assert [r["product_opened_date"] for r in responses] == [None, "2008-11-17", None, "2009-01-02"]
    assert result["converted"] == 2


def test_history_and_flags_without_a_contract_place_are_kept_beside_the_landing(full_import):
    out, _ = full_import
    rows = pq.read_table(out / "bank_marketing" / "client_rows.parquet").to_pylist()
    assert [r["party_id"] for r in rows] == [p["party_id"] for p in read(out, "core_banking", "parties")]
    assert [r["was_previously_contacted"] for r in rows] == [False, True, False, False]
    assert [r["days_since_previous_contact"] for r in rows] == [None, 120, None, None]
    assert [r["poutcome"] for r in rows] == ["unknown", "success", "unknown", "unknown"]
    assert [(r["default"], r["housing"], r["loan"]) for r in rows][2] == ("yes", "yes", "yes")
    assert [r["duration"] for r in rows] == ["261", "99", "15", "300"]


def test_systems_the_data_lacks_are_empty_tables_with_the_contract_columns(full_import):
    out, _ = full_import
    written = {("core_banking", "parties"), ("core_banking", "deposit_accounts"), ("core_banking", "balances")}
    written |= {("crm", t) for t in ("contacts", "campaigns", "campaign_contacts", "responses")}
    for system, table in tables():
        data = pq.read_table(out / system / table)
        assert data.schema.equals(schema(system, table)), (system, table)
        assert (data.num_rows > 0) == ((system, table) in written), (system, table)


def test_import_is_deterministic(tmp_path):
    src = write_csv(tmp_path, "bank-mini.csv", FULL_HEADER, FULL_ROWS)
    first = import_bank_marketing(src, tmp_path / "a")
    second = import_bank_marketing(src, tmp_path / "b")
    assert first["tables"] == second["tables"]
    for part in sorted((tmp_path / "a").rglob("*.parquet")):
        twin = tmp_path / "b" / part.relative_to(tmp_path / "a")
        assert part.read_bytes() == twin.read_bytes(), part


# ---------------------------------------------------------------------------------------- additional layout


def test_additional_layout_is_recognised_without_balances(additional_import):
    out, result = additional_import
    assert result["variant"] == "additional"
    assert result["year_rule"] == "fixed year 2009 (given)"
    assert "core_banking.deposit_accounts" not in result["tables"]
    assert pq.read_table(out / "core_banking" / "deposit_accounts").num_rows == 0
    assert pq.read_table(out / "core_banking" / "balances").num_rows == 0
    assert len(read(out, "core_banking", "parties")) == 3


def test_additional_unknowns_stay_explicit_unknowns(additional_import):
    out, _ = additional_import
    parties = read(out, "core_banking", "parties")
    assert [p["occupation_code"] for p in parties] == ["05", "99", "03"]
    assert [p["marital_status_code"] for p in parties] == ["20", "90", "10"]
    assert [p["education_code"] for p in parties] == ["70", "90", "60"]
    rows = pq.read_table(out / "bank_marketing" / "client_rows.parquet").to_pylist()
    assert [r["default"] for r in rows] == ["no", "unknown", "no"]


def test_pdays_999_means_never_contacted(additional_import):
    out, _ = additional_import
    rows = pq.read_table(out / "bank_marketing" / "client_rows.parquet").to_pylist()
    assert [r["pdays"] for r in rows] == ["999", "6", "999"]
    assert [r["was_previously_contacted"] for r in rows] == [False, True, False]
    assert [r["days_since_previous_contact"] for r in rows] == [None, 6, None]
    assert [r["emp_var_rate"] for r in rows] == ["1.1", "-1.8", "-1.8"]


def test_additional_contact_date_is_the_first_such_weekday_of_the_month(additional_import):
    out, _ = additional_import
    # May 2009: first Monday the 4th; June 2009: first Friday the 5th, first Wednesday the 3rd
    assert [c["contact_date"] for c in read(out, "crm", "campaign_contacts")] == [
        "2009-05-04",
        "2009-06-05",
        "2009-06-03",
    ]


def test_a_file_not_in_date_order_gets_the_documented_fixed_year(tmp_path):
    rows = [FULL_ROWS[3], FULL_ROWS[0], FULL_ROWS[3], FULL_ROWS[0]]  # jan, may, jan, may: a random sample
    result = import_bank_marketing(write_csv(tmp_path, "bank.csv", FULL_HEADER, rows), tmp_path / "out")
    assert result["year_rule"].startswith("fixed year 2009 (the file is not in date order")
    dates = [c["contact_date"] for c in read(tmp_path / "out", "crm", "campaign_contacts")]
    assert dates == ["2009-01-02", "2009-05-05", "2009-01-02", "2009-05-05"]


# --------------------------------------------------------------------------------------------- bad input


def test_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(BankMarketingFormatError, match=r"nope\.csv: no such file"):
        import_bank_marketing(tmp_path / "nope.csv", tmp_path / "out")


def test_comma_separated_file_is_a_clear_error(tmp_path):
    src = write_csv(tmp_path, "commas.csv", FULL_HEADER.replace(";", ","), [r.replace(";", ",") for r in FULL_ROWS])
    with pytest.raises(BankMarketingFormatError, match=r"commas\.csv: line 1: .*not separated by ';'.*comma"):
        import_bank_marketing(src, tmp_path / "out")
    assert not (tmp_path / "out").exists()  # nothing written


def test_missing_column_names_the_column(tmp_path):
    header = FULL_HEADER.replace('"balance";', "")
    rows = [r.replace(";2143;", ";") for r in FULL_ROWS[:1]]
    src = write_csv(tmp_path, "nobalance.csv", header, rows)
    with pytest.raises(
        BankMarketingFormatError,
        match=r"nobalance\.csv: line 1: .*missing columns \['balance'\], unexpected columns \[\]",
    ):
        import_bank_marketing(src, tmp_path / "out")


def test_renamed_column_names_missing_and_unexpected(tmp_path):
    src = write_csv(tmp_path, "renamed.csv", ADDITIONAL_HEADER.replace('"euribor3m"', '"euribor"'), [])
    with pytest.raises(
        BankMarketingFormatError, match=r"missing columns \['euribor3m'\], unexpected columns \['euribor'\]"
    ):
        import_bank_marketing(src, tmp_path / "out")


def test_binary_file_is_a_clear_error(tmp_path):
    src = tmp_path / "bank.xlsx"
    src.write_bytes(FULL_HEADER.encode() + b"\n\xff\xfe\x00garbage\n")
    with pytest.raises(BankMarketingFormatError, match=r"bank\.xlsx: not UTF-8 text"):
        import_bank_marketing(src, tmp_path / "out")


def test_empty_file_is_a_clear_error(tmp_path):
    src = tmp_path / "empty.csv"
    src.write_text("")
    with pytest.raises(BankMarketingFormatError, match=r"empty\.csv: empty file"):
        import_bank_marketing(src, tmp_path / "out")


def test_truncated_last_line_is_quarantined_with_its_line_number(tmp_path):
    rows = [*FULL_ROWS[:3], '25;"student";"single";"secondary";"no";1500;"no"']
    src = write_csv(tmp_path, "cut.csv", FULL_HEADER, rows, final_newline=False)
    result = import_bank_marketing(src, tmp_path / "out")
    assert result["tables"]["source.rows"] == {"in": 4, "out": 3, "quarantined": 1, "written": 3}
    assert result["tables"]["crm.campaign_contacts"] == {"in": 4, "out": 3, "quarantined": 1, "written": 3}
    [q] = quarantine(tmp_path / "out")
    assert q["line_number"] == 5
    assert q["reason"] == "truncated line: 7 fields, expected 17"
    assert q["raw_line"] == rows[3]
    assert q["source_file"].endswith("cut.csv")
    assert len(read(tmp_path / "out", "core_banking", "parties")) == 3


def test_unterminated_quote_is_quarantined(tmp_path):
    rows = [FULL_ROWS[0], '25;"student";"single";"second']
    result = import_bank_marketing(write_csv(tmp_path, "q.csv", FULL_HEADER, rows, False), tmp_path / "out")
    [q] = quarantine(tmp_path / "out")
    assert q["line_number"] == 3 and q["reason"].startswith("malformed line")
    assert result["tables"]["source.rows"] == {"in": 2, "out": 1, "quarantined": 1, "written": 1}


def test_unknown_code_is_quarantined_with_column_and_value(tmp_path):
    rows = [FULL_ROWS[0], FULL_ROWS[1].replace('"unknown";"single"', '"astronaut";"single"')]
    result = import_bank_marketing(write_csv(tmp_path, "codes.csv", FULL_HEADER, rows), tmp_path / "out")
    [q] = quarantine(tmp_path / "out")
    assert q["line_number"] == 3
    assert q["reason"].startswith("unknown job code 'astronaut' (expected one of ")
    assert result["tables"]["core_banking.parties"] == {"in": 2, "out": 1, "quarantined": 1, "written": 1}


def test_layout_specific_codes_are_not_accepted_in_the_other_layout(tmp_path):
    # 999 is the additional layout's sentinel; the full layout's is -1.  "nonexistent" is additional-only.
    rows = [FULL_ROWS[0].replace(";-1;0;", ";-5;0;"), FULL_ROWS[0].replace('"unknown";"no"', '"nonexistent";"no"')]
    import_bank_marketing(write_csv(tmp_path, "mixed.csv", FULL_HEADER, rows), tmp_path / "out")
    reasons = [q["reason"] for q in quarantine(tmp_path / "out")]
    assert reasons[0] == "negative pdays -5 (only -1 = never contacted)"
    assert reasons[1].startswith("unknown poutcome code 'nonexistent'")


def test_non_number_and_impossible_date_are_quarantined(tmp_path):
    rows = [
        FULL_ROWS[0].replace("58;", "fifty;", 1),
        FULL_ROWS[0].replace(';5;"may"', ';31;"jun"'),
        FULL_ROWS[0],
    ]
    result = import_bank_marketing(write_csv(tmp_path, "bad.csv", FULL_HEADER, rows), tmp_path / "out")
    got = [(q["line_number"], q["reason"]) for q in quarantine(tmp_path / "out")]
    assert got == [
        (2, "age is not a whole number: 'fifty'"),
        (3, "no such date: day 31 of jun 2008 (assumed year)"),
    ]
    assert result["tables"]["source.rows"] == {"in": 3, "out": 1, "quarantined": 2, "written": 1}


def test_a_second_import_replaces_the_first(tmp_path):
    out = tmp_path / "out"
    import_bank_marketing(write_csv(tmp_path, "bank-mini.csv", FULL_HEADER, FULL_ROWS), out)
    import_bank_marketing(write_csv(tmp_path, "add.csv", ADDITIONAL_HEADER, ADDITIONAL_ROWS), out, contact_year=2009)
    assert pq.read_table(out / "core_banking" / "balances").num_rows == 0
    assert len(read(out, "core_banking", "parties")) == 3
    assert [list(p.iterdir()) for p in (out / "core_banking").iterdir()] == [
        [p / "part-0000.parquet"] for p in (out / "core_banking").iterdir()
    ]


# ----------------------------------------------------------------------------------------------------- CLI


def cli(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="bankseg import")
    add_cli(parser.add_subparsers(dest="what", required=True))
    return parser.parse_args(argv)


def test_cli_prints_counts(tmp_path, capsys):
    src = write_csv(tmp_path, "bank-mini.csv", FULL_HEADER, FULL_ROWS)
    args = cli(["bank-marketing", str(src), "--out", str(tmp_path / "out")])
    assert args.func(args) == 0
    printed = capsys.readouterr().out
    assert "full layout" in printed
    assert "core_banking.parties                    4        4            0                4" in printed
    assert "core_banking.balances                   4        4            0               63" in printed
    assert "converted (y = yes): 2 of 4 (50.00%)" in printed


def test_cli_error_names_the_file(tmp_path):
    from bankseg.cli import CliError

    args = cli(["bank-marketing", str(tmp_path / "missing.csv"), "--out", str(tmp_path / "out")])
    with pytest.raises(CliError, match=r"missing\.csv: no such file"):
        args.func(args)


def test_cli_rejects_a_bad_year(capsys):
    with pytest.raises(SystemExit) as exc:
        cli(["bank-marketing", "x.csv", "--out", "o", "--contact-year", "last"])
    assert exc.value.code == 2
    assert "--contact-year must be a year, got 'last'" in capsys.readouterr().err


# ------------------------------------------------------------------------------------------- the real files

needs_data = pytest.mark.skipif(not DATA.is_dir(), reason=f"UCI Bank Marketing files not found in {DATA}")


@needs_data
def test_bank_full_gives_45211_parties_and_5289_converted_contacts(tmp_path):
    result = import_bank_marketing(DATA / "bank-full.csv", tmp_path)
    assert result["variant"] == "full"
    assert result["year_rule"].startswith("row order")
    assert result["tables"]["source.rows"] == {"in": 45211, "out": 45211, "quarantined": 0, "written": 45211}
    assert pq.read_table(tmp_path / "core_banking" / "parties").num_rows == 45211
    responses = pq.read_table(tmp_path / "crm" / "responses").to_pydict()
    accepted = sum(code == "ACC" for code in responses["response_code"])
    assert (accepted, len(responses["response_code"])) == (5289, 45211)
    assert round(accepted / 45211, 4) == 0.1170
    dates = pq.read_table(tmp_path / "crm" / "campaign_contacts").column("contact_date").to_pylist()
    assert (min(dates), max(dates)) == ("2008-05-05", "2010-11-17")
    assert result["extracted_at"] == "2010-12-01 00:00:00"
    # one balance per account and month end, from a year before the call to November 2010
    assert result["tables"]["core_banking.balances"]["written"] == 1_651_098


@needs_data
def test_bank_additional_gives_4119_rows(tmp_path):
    result = import_bank_marketing(DATA / "bank-additional.csv", tmp_path)
    assert result["variant"] == "additional"
    assert result["tables"]["source.rows"] == {"in": 4119, "out": 4119, "quarantined": 0, "written": 4119}
    assert pq.read_table(tmp_path / "crm" / "campaign_contacts").num_rows == 4119
    responses = pq.read_table(tmp_path / "crm" / "responses").column("response_code").to_pylist()
    assert responses.count("ACC") == 451
