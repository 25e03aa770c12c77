"""The Berka (PKDD'99 Czech bank) importer: decoding, malformed input, streaming, and the real data set."""

from __future__ import annotations

import argparse
import json
from datetime import date
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from _shared_data import shared_data
from bankseg import contract
from bankseg.importers import berka

REAL_DATA = shared_data() / "berka"

HEADERS = {t: ";".join(f'"{c}"' if t != "district" else c for c in cols) for t, cols in berka.COLUMNS.items()}

DISTRICT = [
    '1;"Hl.m. Praha";"Prague";1204953;0;0;0;1;1;100.0;12541;0.29;0.43;167;85677;99107',
    '69;"Jesenik";"north Moravia";42821;4;13;5;1;3;48.4;8173;?;7.01;124;?;1358',
]
CLIENT = ['1;"706213";1', '2;"450204";69', '3;"406009";1']
ACCOUNT = ['1;1;"POPLATEK MESICNE";930101', '2;69;"POPLATEK PO OBRATU";930215']
DISP = ['1;1;1;"OWNER"', '2;2;2;"OWNER"', '3;3;2;"DISPONENT"']
ORDER = ['29401;1;"YZ";"87144583";2452.00;"SIPO"', '29402;2;"ST";"89597016";3372.70;" "']
LOAN = ['5314;1;930705;96396;12;8033.00;"B"', '5316;2;930711;165960;36;4610.00;"D"']
CARD = ['1005;1;"classic";931107 00:00:00', '104;3;"junior";940119 00:00:00']
TRANS = [
    '10;1;930101;"PRIJEM";"VKLAD";1000.00;1000.00;"";;',
    '11;1;930115;"VYDAJ";"PREVOD NA UCET";200.00;800.00;"SIPO";"YZ";87144583',
    '12;1;930131;"PRIJEM";"";5.20;805.20;"UROK";;',
    # same day, listed closing posting first: the month-end balance must not depend on the file order
    '14;1;930131;"VYDAJ";"VYBER";14.60;790.60;"SLUZBY";;',
    '13;2;930215;"PRIJEM";"PREVOD Z UCTU";3000.00;3000.00;"DUCHOD";"AB";123',
    '15;2;930310;"VYBER";"VYBER";3100.00;-150.00;" ";;',
    '16;2;930310;"VYDAJ";"VYBER KARTOU";50.00;2950.00;;;',
]


def write_berka(folder: Path, **overrides: list[str] | str | None) -> Path:
    """Write a small, consistent Berka data set; ``overrides`` replace a table's rows (or raw text, or drop it)."""
    folder.mkdir(parents=True, exist_ok=True)
    tables = {
        "district": DISTRICT,
        "client": CLIENT,
        "account": ACCOUNT,
        "disp": DISP,
        "order": ORDER,
        "loan": LOAN,
        "card": CARD,
        "trans": TRANS,
    }
    for table, rows in tables.items():
        path = folder / berka.FILES[table]
        value = overrides.get(table, rows)
        if value is None:
            continue
        text = value if isinstance(value, str) else "\r\n".join([HEADERS[table], *value]) + "\r\n"
        path.write_bytes(text.encode("ascii"))
    return folder


def read(out: Path, system: str, table: str) -> list[dict]:
    return pq.read_table(contract.table_dir(out, system, table)).to_pylist()


def quarantine(out: Path, table: str) -> list[dict]:
    return pq.read_table(out / "quarantine" / f"berka_{table}.parquet").to_pylist()


# --- decoding ------------------------------------------------------------------------------------------------


def test_birth_number_decodes_men_and_women():
    assert berka.decode_birth_number("450204") == (date(1945, 2, 4), "1")
    assert berka.decode_birth_number("706213") == (date(1970, 12, 13), "2")  # month 62 = December, female
    assert berka.decode_birth_number(" 555101 ") == (date(1955, 1, 1), "2")
    assert berka.decode_birth_number("875927") == (date(1987, 9, 27), "2")


@pytest.mark.parametrize("bad", ["451304", "456304", "450230", "45020", "45a204", "", None])
def test_birth_number_rejects_non_dates_naming_the_value(bad):
    with pytest.raises(ValueError, match=repr(bad) if bad is not None else "None"):
        berka.decode_birth_number(bad)


def test_yymmdd_dates_with_and_without_time_suffix():
    assert berka.parse_yymmdd("930101") == date(1993, 1, 1)
    assert berka.parse_yymmdd("981229 00:00:00") == date(1998, 12, 29)
    assert berka.parse_yymmdd("960229") == date(1996, 2, 29)
    for bad in ("930230", "931301", "9301", "93-01-01", "970229"):
        with pytest.raises(ValueError, match=bad):
            berka.parse_yymmdd(bad)


def test_codes_translate_to_english_and_both_empties_are_empty():
    assert berka.translate(berka.K_SYMBOL, "DUCHOD", "k_symbol") == ("old-age pension", "GOV")
    assert berka.translate(berka.K_SYMBOL, "SANKC. UROK", "k_symbol")[0] == "sanction interest if negative balance"
    assert berka.translate(berka.OPERATION, "PREVOD NA UCET", "operation") == ("remittance to another bank", "TRF")
    assert berka.translate(berka.FREQUENCY, "POPLATEK TYDNE", "frequency") == "weekly"
    assert berka.translate(berka.TRANS_TYPE, "VYBER", "type")[0] == "D"
    for nothing in ("", " ", "  ", None):
        assert berka.translate(berka.K_SYMBOL, nothing, "k_symbol") is None
    with pytest.raises(ValueError, match="unknown k_symbol 'XYZ'"):
        berka.translate(berka.K_SYMBOL, "XYZ", "k_symbol")


# --- a small hand-made data set, end to end --------------------------------------------------------------------


def test_small_data_set_lands_every_table(tmp_path):
    src = write_berka(tmp_path / "src")
    out = tmp_path / "out"
    result = berka.import_berka(src, out)
    json.dumps(result)  # serialisable
    assert {t: (c["in"], c["out"], c["quarantined"]) for t, c in result.items()} == {
        "district": (2, 2, 0),
        "client": (3, 3, 0),
        "account": (2, 2, 0),
        "disp": (3, 3, 0),
        "order": (2, 2, 0),
        "loan": (2, 2, 0),
        "card": (2, 2, 0),
        "trans": (7, 7, 0),
    }
    # every contract table exists (the ones Berka lacks empty)
    for system, table in contract.tables():
        assert list(contract.table_dir(out, system, table).glob("*.parquet")), (system, table)
    assert read(out, "digital", "users") == []

    parties = {p["party_id"]: p for p in read(out, "core_banking", "parties")}
    assert parties["1"]["birth_date"] == "1970-12-13" and parties["1"]["gender_code"] == "2"
    assert parties["2"]["birth_date"] == "1945-02-04" and parties["2"]["gender_code"] == "1"
    assert parties["2"]["city"] == "Jesenik" and parties["1"]["city"] == "Hl.m. Praha"
    assert parties["3"]["onboarding_date"] == "1993-02-15"  # the account the DISPONENT may use
    assert all(p["full_name"] is None and p["national_id"] is None and p["phone"] is None for p in parties.values())

    accounts = {a["account_id"]: a for a in read(out, "core_banking", "deposit_accounts")}
    assert accounts["2"]["party_id"] == "2"  # the OWNER, not the DISPONENT
    assert {a["currency"] for a in accounts.values()} == {"CZK"}
    users = pq.read_table(out / "reference" / "berka_dispositions.parquet").to_pylist()
    assert {(u["party_id"], u["account_id"], u["role"]) for u in users} == {
        ("1", "1", "owner"),
        ("2", "2", "owner"),
        ("3", "2", "user"),
    }
    frequencies = pq.read_table(out / "reference" / "berka_accounts.parquet").column("statement_frequency")
    assert frequencies.to_pylist() == ["monthly", "after each transaction"]

    trans = {t["transaction_id"]: t for t in read(out, "core_banking", "transactions")}
    assert (trans["10"]["direction"], trans["10"]["channel_code"], trans["10"]["counterparty_type"]) == (
        "C",
        "BRN",
        None,
    )
    assert (trans["11"]["direction"], trans["11"]["channel_code"], trans["11"]["counterparty_type"]) == (
        "D",
        "TRF",
        "MER",
    )
    assert (trans["12"]["channel_code"], trans["12"]["counterparty_type"]) == (None, "INT")  # interest: no channel
    assert trans["14"]["channel_code"] is None  # a statement fee is not a cash withdrawal at a branch
    assert trans["15"]["direction"] == "D" and trans["15"]["counterparty_type"] is None  # VYBER type; ' ' symbol
    assert trans["16"]["channel_code"] == "ATM" and trans["16"]["counterparty_type"] is None  # unquoted empty
    assert trans["11"]["description"] == (
        "type: withdrawal; operation: remittance to another bank; symbol: household payment; "
        "partner: YZ 87144583; balance after: 800.00 CZK"
    )
    assert trans["13"]["transaction_ts"] == "1993-02-15 00:00:00"

    balances = {(b["account_id"], b["balance_date"]): b["balance"] for b in read(out, "core_banking", "balances")}
    assert balances == {
        ("1", "1993-01-31"): 790.60,  # closing of 31 Jan whatever the file order of that day
        ("1", "1993-02-28"): 790.60,  # carried forward
        ("1", "1993-03-31"): 790.60,
        ("2", "1993-02-28"): 3000.00,
        ("2", "1993-03-31"): -150.00,  # 3,000 - 50 (card) - 3,100 (cash): the overdraft is kept
    }

    loans = {loan["loan_id"]: loan for loan in read(out, "loans", "loan_accounts")}
    assert loans["5314"]["status_code"] == "DEF" and loans["5316"]["status_code"] == "DLQ"
    assert loans["5314"]["maturity_date"] == "1994-07-05" and loans["5314"]["term_months"] == 12
    assert loans["5316"]["borrower_id"] == "2" and loans["5314"]["outstanding_balance"] is None
    assert loans["5316"]["outstanding_balance"] == 0.0  # schedule ended 1996-07 before the 1999 extract
    ref_loans = pq.read_table(out / "reference" / "berka_loans.parquet").to_pylist()
    assert [(r["status"], r["is_bad_loan"], r["account_id"]) for r in ref_loans] == [("B", True, "1"), ("D", True, "2")]
    assert {b["borrower_id"]: b["birth_date"] for b in read(out, "loans", "borrowers")} == {
        "1": "1970-12-13",
        "2": "1945-02-04",
    }

    cards = {c["card_account_id"]: c for c in read(out, "cards", "card_accounts")}
    assert (cards["1005"]["cardholder_id"], cards["1005"]["product_code"]) == ("1", "CCS")
    assert (cards["104"]["cardholder_id"], cards["104"]["open_date"]) == ("3", "1994-01-19")  # the DISPONENT's card

    districts = pq.read_table(out / "reference" / "berka_districts.parquet").to_pylist()
    jesenik = next(d for d in districts if d["district_id"] == "69")
    assert jesenik["unemployment_rate_1995"] is None and jesenik["crime_count_1995"] is None  # '?' = not given
    assert jesenik["unemployment_rate_1996"] == pytest.approx(0.0701)
    orders = pq.read_table(out / "reference" / "berka_standing_orders.parquet").to_pylist()
    assert [o["purpose"] for o in orders] == ["household payment", None]


def test_rerun_into_the_same_folder_leaves_no_stale_files(tmp_path):
    out = tmp_path / "out"
    berka.import_berka(write_berka(tmp_path / "a", trans=[*TRANS, '17;9;930101;"PRIJEM";"VKLAD";1.00;1.00;"";;']), out)
    assert (out / "quarantine" / "berka_trans.parquet").exists()
    berka.import_berka(write_berka(tmp_path / "b"), out)
    assert not (out / "quarantine" / "berka_trans.parquet").exists()
    assert len(read(out, "core_banking", "transactions")) == len(TRANS)


def test_link_email_gives_one_clients_records_one_address(tmp_path):
    out = tmp_path / "linked"
    berka.import_berka(write_berka(tmp_path / "src"), out, link_email=True)
    parties = {p["party_id"]: p["email"] for p in read(out, "core_banking", "parties")}
    assert parties == {str(i): f"berka-client-{i}@berka.invalid" for i in (1, 2, 3)}
    assert {b["borrower_id"]: b["email"] for b in read(out, "loans", "borrowers")} == {
        k: parties[k] for k in ("1", "2")
    }
    assert {c["cardholder_id"]: c["email"] for c in read(out, "cards", "cardholders")} == {
        k: parties[k] for k in ("1", "3")
    }
    plain = tmp_path / "plain"
    berka.import_berka(write_berka(tmp_path / "src"), plain)
    assert {p["email"] for p in read(plain, "core_banking", "parties")} == {None}
    assert {b["email"] for b in read(plain, "loans", "borrowers")} == {None}


# --- malformed input -----------------------------------------------------------------------------------------


def test_missing_file_is_an_error_naming_it(tmp_path):
    src = write_berka(tmp_path / "src", card=None)
    with pytest.raises(berka.BerkaImportError, match=r"card\.asc: file not found"):
        berka.import_berka(src, tmp_path / "out")
    assert not (tmp_path / "out").exists()  # nothing half-written


def test_wrong_separator_is_an_error_naming_file_and_separator(tmp_path):
    comma = "\r\n".join([HEADERS["loan"].replace(";", ","), LOAN[0].replace(";", ",")]) + "\r\n"
    src = write_berka(tmp_path / "src", loan=comma)
    with pytest.raises(berka.BerkaImportError, match=r"loan\.asc, line 1: wrong separator.*','"):
        berka.import_berka(src, tmp_path / "out")


def test_renamed_column_is_an_error_naming_the_header(tmp_path):
    text = HEADERS["client"].replace("birth_number", "birth_no") + "\r\n" + CLIENT[0] + "\r\n"
    with pytest.raises(berka.BerkaImportError, match=r"client\.asc, line 1: unexpected header"):
        berka.import_berka(write_berka(tmp_path / "src", client=text), tmp_path / "out")


def test_bytes_that_are_not_text_are_an_error_naming_file_and_row(tmp_path):
    src = write_berka(tmp_path / "src")
    bad = b'30;1;930301;"PRIJEM";"VKLAD' + b"\xff" + b'";1.00;1.00;"";;\r\n'
    (src / "trans.asc").write_bytes(("\r\n".join([HEADERS["trans"], *TRANS[:3]]) + "\r\n").encode() + bad)
    with pytest.raises(berka.BerkaImportError, match=r"trans\.asc: unreadable .*Row #5.*invalid UTF8"):
        berka.import_berka(src, tmp_path / "out")


def test_truncated_last_line_is_quarantined_with_its_line(tmp_path):
    text = "\r\n".join([HEADERS["trans"], *TRANS, '18;1;930201;"PRIJEM";"VKL'])  # no line end, cut mid-value
    out = tmp_path / "out"
    result = berka.import_berka(write_berka(tmp_path / "src", trans=text), out)
    assert (result["trans"]["in"], result["trans"]["out"], result["trans"]["quarantined"]) == (8, 7, 1)
    [row] = quarantine(out, "trans")
    assert row["line_number"] == 9 and row["source_file"] == "trans.asc"
    assert row["reason"].startswith("malformed row: 5 fields instead of 10")
    assert row["original_values"] == '18;1;930201;"PRIJEM";"VKL'


def test_bad_codes_dates_and_orphans_are_quarantined_with_reasons(tmp_path):
    trans = [
        *TRANS[:2],
        '20;1;930230;"PRIJEM";"VKLAD";1.00;801.00;"";;',  # line 4: no 30 February
        '21;1;930301;"PRIJEM";"BANKOMAT";1.00;801.00;"";;',  # unknown operation
        '22;1;930301;"PRIJEM";"VKLAD";1.00;801.00;"DARY";;',  # unknown k_symbol
        '23;1;930301;"PRIJEM";"VKLAD";abc;801.00;"";;',  # amount not a number
        '24;77;930301;"PRIJEM";"VKLAD";1.00;1.00;"";;',  # account not imported
        *TRANS[2:],
    ]
    client = [*CLIENT, '4;"451304";1', '5;"450204";99']
    disp = [*DISP, '4;4;1;"DISPONENT"']  # client 4 was quarantined: its disposition is an orphan
    loan = [*LOAN, '5317;1;930711;1000;12;100.00;"E"']
    card = [*CARD, '1006;1;"platinum";931107 00:00:00']
    out = tmp_path / "out"
    src = write_berka(tmp_path / "src", trans=trans, client=client, disp=disp, loan=loan, card=card)
    result = berka.import_berka(src, out)
    for table, c in result.items():
        assert c["in"] == c["out"] + c["quarantined"], table
    q = {r["line_number"]: r["reason"] for r in quarantine(out, "trans")}
    assert q == {
        4: "unparseable date: not a real date: '930230'",
        5: "unknown operation 'BANKOMAT' (known: PREVOD NA UCET, PREVOD Z UCTU, VKLAD, VYBER, VYBER KARTOU)",
        6: "unknown k_symbol 'DARY' (known: DUCHOD, LEASING, POJISTNE, SANKC. UROK, SIPO, SLUZBY, UROK, UVER)",
        7: "not a number: 'abc'",
        8: "unknown account_id '77' (not an imported account)",
    }
    clients = {r["line_number"]: r["reason"] for r in quarantine(out, "client")}
    assert clients == {5: "birth number is not a real date: '451304'", 6: "unknown district_id '99'"}
    assert json.loads(quarantine(out, "client")[0]["original_values"]) == {
        "client_id": "4",
        "birth_number": "451304",
        "district_id": "1",
    }
    assert [r["reason"] for r in quarantine(out, "disp")] == ["unknown client_id '4' (not an imported client)"]
    assert quarantine(out, "loan")[0]["reason"].startswith("unknown loan status 'E'")
    assert quarantine(out, "card")[0]["reason"].startswith("unknown card type 'platinum'")
    assert result["trans"]["quarantine_reasons"] == {
        "not a number": 1,
        "unknown account_id": 1,
        "unknown k_symbol": 1,
        "unknown operation": 1,
        "unparseable date": 1,
    }


def test_account_without_owner_is_quarantined(tmp_path):
    out = tmp_path / "out"
    disp = ['1;1;1;"OWNER"', '2;2;2;"DISPONENT"', '3;3;2;"DISPONENT"']
    card = [CARD[0]]
    loan = [LOAN[0]]
    trans = [t for t in TRANS if t.split(";")[1] == "1"]
    result = berka.import_berka(write_berka(tmp_path / "src", disp=disp, card=card, loan=loan, trans=trans), out)
    assert (result["account"]["out"], result["account"]["quarantined"]) == (1, 1)
    [row] = quarantine(out, "account")
    assert row["line_number"] == 3 and row["reason"] == "no OWNER disposition: the account has no owner"
    assert [
        o["account_id"] for o in pq.read_table(out / "reference" / "berka_standing_orders.parquet").to_pylist()
    ] == ["1"]
    assert result["order"]["quarantined"] == 1  # the standing order of the ownerless account


# --- streaming -------------------------------------------------------------------------------------------------


def test_trans_is_streamed_in_blocks(tmp_path):
    """100,000 postings read in 128 kB blocks: each block is converted and written on its own.

    The peak memory on a 1,056,320-row file is measured outside the suite (docs/berka.md): about 330 MB
    resident, against 270 MB for the 49,102-row prefix.
    """
    src = write_berka(tmp_path / "src")
    rows = []
    balance = {"1": 0.0, "2": 0.0}
    for i in range(100_000):
        account = "1" if i % 2 else "2"
        balance[account] += 10.0
        yymmdd = date.fromordinal(date(1993, 1, 1).toordinal() + i // 250).strftime("%y%m%d")
        rows.append(f'{i + 100};{account};{yymmdd};"PRIJEM";"VKLAD";10.00;{balance[account]:.2f};"";;')
    (src / "trans.asc").write_bytes(("\r\n".join([HEADERS["trans"], *rows]) + "\r\n").encode("ascii"))
    out = tmp_path / "out"
    result = berka.import_berka(src, out, block_bytes=128 << 10)
    assert (result["trans"]["in"], result["trans"]["out"]) == (100_000, 100_000)
    parts = sorted(contract.table_dir(out, "core_banking", "transactions").glob("*.parquet"))
    assert len(parts) == result["trans"]["derived"]["transaction_files"] > 40
    assert max(pq.read_metadata(p).num_rows for p in parts) < 3_000  # 128 kB of ~50-byte lines per file
    assert sum(pq.read_metadata(p).num_rows for p in parts) == 100_000
    balances = read(out, "core_banking", "balances")
    assert len(balances) == 2 * 14  # 400 days: January 1993 to February 1994, both accounts
    assert (balances[-1]["account_id"], balances[-1]["balance_date"], balances[-1]["balance"]) == (
        "2",
        "1994-02-28",
        500_000.0,
    )
    assert result["trans"]["derived"]["balance_days_not_chaining"] == 0


# --- command line --------------------------------------------------------------------------------------------


def _cli(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="bankseg import")
    berka.add_cli(parser.add_subparsers(dest="source", required=True))
    return parser.parse_args(argv)


def test_cli_prints_counts_and_fails_cleanly(tmp_path, capsys):
    src = write_berka(tmp_path / "src")
    args = _cli(["berka", str(src), "--out", str(tmp_path / "out"), "--quiet"])
    assert args.func(args) == 0
    printed = capsys.readouterr().out
    assert "trans" in printed and "core_banking.balances: 5" in printed
    args = _cli(["berka", str(tmp_path / "nowhere"), "--out", str(tmp_path / "out")])
    assert args.func(args) == 2
    assert "nowhere: no such folder" in capsys.readouterr().err


# --- the real data set -----------------------------------------------------------------------------------------


@pytest.mark.skipif(not (REAL_DATA / "trans.asc").exists(), reason="the Berka data set is not in ../shared/data")
def test_real_berka_data_set_is_fully_accounted_for(tmp_path):
    out = tmp_path / "out"
    result = berka.import_berka(REAL_DATA, out)
    expected_in = {
        "district": 77,
        "client": 5369,
        "account": 4500,
        "disp": 5369,
        "order": 6471,
        "loan": 682,
        "card": 892,
        "trans": 49102,
    }
    assert {t: c["in"] for t, c in result.items()} == expected_in
    for table, c in result.items():
        assert c["in"] == c["out"] + c["quarantined"], table
    assert len(read(out, "core_banking", "parties")) == 5369
    assert len(read(out, "core_banking", "deposit_accounts")) == 4500
    assert len(read(out, "core_banking", "transactions")) + result["trans"]["quarantined"] == 49102
    assert len(read(out, "cards", "card_accounts")) == 892
    loans = pq.read_table(out / "reference" / "berka_loans.parquet").to_pylist()
    assert len(loans) == 682 and sum(r["is_bad_loan"] for r in loans) == 76
    landed_status = [r["status_code"] for r in read(out, "loans", "loan_accounts")]
    assert sum(s in ("DEF", "DLQ") for s in landed_status) == 76
    genders = [p["gender_code"] for p in read(out, "core_banking", "parties")]
    assert (genders.count("1"), genders.count("2")) == (2724, 2645)
    roles = pq.read_table(out / "reference" / "berka_dispositions.parquet").column("role").to_pylist()
    assert (roles.count("owner"), roles.count("user")) == (4500, 869)
    assert len(pq.read_table(out / "reference" / "berka_districts.parquet")) == 77
