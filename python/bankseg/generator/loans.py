"""Loans: borrowers, applications, loan accounts and their repayment history.

Applications are approved or declined by income and risk; approved ones are
disbursed a few days later.  Amortising loans (MTG, CON, BUS) repay a fixed
annuity each month, credit lines (CRL) pay interest on the drawn amount and the
principal at maturity.  A planted share of loans goes bad - more often for
low incomes, consumer credit and customers who are churning: the last one or
two instalments are unpaid (DLQ), three to six (DEF), or the loan was written
off (WO).  Earlier instalments of bad loans are often paid late.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from bankseg.generator import textfmt as tf
from bankseg.generator.campaigns import Assignment
from bankseg.generator.context import Ctx
from bankseg.generator.dirt import Tab
from bankseg.generator.identity import person_records
from bankseg.generator.keys import BLOCK
from bankseg.generator.people import People

LOAN_PRODUCTS = ("MTG", "CON", "BUS", "CRL")
TERMS = {"MTG": (120, 180, 240, 300, 360), "CON": (12, 24, 36), "BUS": (12, 24, 36), "CRL": (12,)}
APP_CHANNELS = ("BRN", "MOB", "WEB", "RM")
_SEQ3 = tf.digits(np.arange(1000), 3)


def _logistic(x):
    return 1.0 / (1.0 + np.exp(-x))


def build_loans(ctx: Ctx, people: People, asg: Assignment, log) -> tuple[list[Tab], dict]:
    cal = ctx.cal
    rng = ctx.rng("loans")
    inc = people.t("log_income")
    bus_p = _logistic(1.2 * people.t("business") - 1.5)
    fade_day = np.where(people.is_churned, cal.month_start[np.maximum(people.fade_start, 0)], cal.end + 1)
    adult = people.birth_day + int(20 * 365.25)

    # organic applications
    org = np.flatnonzero(people.is_borrower)
    n_app = np.minimum(1 + rng.poisson(0.35, len(org)), 3)
    ap = np.repeat(org, n_app)
    slot = np.arange(len(ap)) - np.repeat(np.cumsum(n_app) - n_app, n_app)
    w = np.stack(
        [
            1.5 * _logistic(people.t("wealth")[ap] + 0.5) * ((people.age[ap] >= 25) & (people.age[ap] <= 58)),
            1.0 + 2.0 * (people.age[ap] < 36),
            5.0 * bus_p[ap],
            0.6 + bus_p[ap],
        ],
        axis=1,
    )
    c = np.cumsum(w, axis=1)
    prod = np.minimum((rng.random(len(ap))[:, None] * c[:, -1:] > c).sum(axis=1), 3)
    back = np.where(prod == 0, 10 * 365, 3 * 365)
    lo = np.maximum(np.maximum(adult[ap], cal.end - back), tf.day_of("2008-01-01"))
    hi = np.minimum(cal.end, fade_day[ap] - 1)
    app_day = lo + (rng.random(len(ap)) * np.maximum(hi - lo, 0)).astype(np.int64)
    valid = hi >= lo
    ap, slot, prod, app_day = ap[valid], slot[valid], prod[valid], app_day[valid]
    conv = np.zeros(len(ap), dtype=bool)
    forced_disb = np.full(len(ap), -1, dtype=np.int64)
    # campaign conversions: an application shortly before the product is opened
    cp, cc, cprod, cday = asg.conversions(LOAN_PRODUCTS, ctx.campaigns)
    if len(cp):
        ap = np.concatenate([ap, cp])
        loan_campaigns = [c.idx for c in ctx.campaigns if c.product in LOAN_PRODUCTS]
        slot = np.concatenate([slot, [4 + loan_campaigns.index(c) for c in cc]]).astype(np.int64)
        prod = np.concatenate([prod, [LOAN_PRODUCTS.index(x) for x in cprod]])
        app_day = np.concatenate([app_day, cday - rng.integers(2, 8, len(cp))])
        conv = np.concatenate([conv, np.ones(len(cp), dtype=bool)])
        forced_disb = np.concatenate([forced_disb, cday])
    n = len(ap)
    p_decl = _logistic(-1.3 - 1.2 * (inc[ap] - 11.8) + 0.8 * (people.t("activity")[ap] < 0))
    declined = ~conv & (rng.random(n) < p_decl)
    dec_day = np.where(conv, np.minimum(app_day + 1, forced_disb), app_day + rng.integers(1, 15, n))
    pending = dec_day > cal.end
    req_med = np.array([1_200_000, 60_000, 400_000, 100_000])[prod] * np.exp(0.5 * (inc[ap] - 11.9))
    requested = np.round(req_med * np.exp(rng.normal(0, 0.5, n)) / 1000) * 1000 + 1000
    ch = np.where(people.t("digital")[ap] > 0.5, rng.choice([1, 2], n, p=[0.75, 0.25]), 0)
    ch = np.where(prod == 2, np.where(rng.random(n) < 0.5, 3, ch), ch)
    app_keys = ctx.keys["application"].keys(people.gidx[ap], slot)
    decision = np.where(pending, -1, np.where(declined, 1, 0))
    applications = Tab(
        "loans",
        "applications",
        {
            "application_id": app_keys,
            "borrower_id": ctx.keys["borrower"].keys(people.gidx[ap]),
            "product_code": tf.take(LOAN_PRODUCTS, prod),
            "application_date": tf.dates(app_day),
            "requested_amount": requested.astype(float),
            "currency": tf.constant("CNY", n),
            "decision": tf.take(("APPR", "DECL"), decision),
            "decision_date": tf.dates(dec_day, valid=~pending),
            "channel_code": tf.take(APP_CHANNELS, ch),
            "extracted_at": ctx.extracted_at("loans", n),
        },
    )

    # loan accounts
    approved = decision == 0
    disb = np.where(conv, forced_disb, dec_day + rng.integers(2, 21, n))
    has_loan = approved & (disb <= cal.end)
    li = np.flatnonzero(has_loan)
    n_loans = len(li)
    lp = prod[li]
    principal = np.round(requested[li] * rng.uniform(0.7, 1.0, n_loans) / 1000) * 1000
    year = tf.ymd(disb[li])[0]
    base_rate = np.array([4.1, 7.5, 5.2, 9.0])[lp]
    rate = np.round(
        base_rate
        + np.clip((2024 - year) * 0.15, -0.3, 1.5)
        + rng.normal(0, 0.4, n_loans) * np.array([0.3, 1.5, 0.8, 1.8])[lp],
        2,
    )
    rate = np.maximum(rate, 2.5)
    term_n = np.array([len(TERMS[p]) for p in LOAN_PRODUCTS])
    term_tab = np.array([(list(TERMS[p]) * 5)[:5] for p in LOAN_PRODUCTS])
    term = term_tab[lp, rng.integers(0, 1 << 30, n_loans) % term_n[lp]].astype(np.int64)
    d0 = disb[li]
    maturity = tf.add_months(d0, term)
    r = rate / 1200
    annuity = np.where(lp == 3, 0.0, principal * r / (1 - (1 + r) ** (-term.astype(float))))
    util = np.where(lp == 3, rng.uniform(0.2, 0.95, n_loans), 1.0)
    # number of instalments due by the end date
    months_since = (tf.EPOCH + np.timedelta64(cal.end, "D")).astype("datetime64[M]").astype(int) - (
        tf.EPOCH + d0.astype("timedelta64[D]")
    ).astype("datetime64[M]").astype(int)
    due_n = np.clip(months_since - (tf.add_months(d0, months_since) > cal.end), 0, term)
    lpers = ap[li]
    churning = people.is_churned[lpers]
    p_bad = _logistic(-3.4 - 0.9 * (inc[lpers] - 11.8) + 1.3 * churning + 0.8 * (lp == 1) + 0.5 * (lp == 3))
    bad = (rng.random(n_loans) < p_bad) & (due_n >= 2) & (maturity > cal.end)
    u = rng.random(n_loans)
    state = np.where(bad, np.where(u < 0.6, 1, np.where(u < 0.9, 2, 3)), 0)  # 1 DLQ 2 DEF 3 WO
    gaps = [rng.integers(1, 3, n_loans), rng.integers(3, 7, n_loans), rng.integers(6, 10, n_loans)]
    missed = np.select([state == 1, state == 2, state == 3], gaps, 0)
    missed = np.minimum(missed, due_n)
    early = ~bad & (lp != 3) & (rng.random(n_loans) < 0.08) & (due_n >= 3)
    payoff_k = np.where(early, 1 + (rng.random(n_loans) * (due_n - 1)).astype(np.int64), -1)
    paid_off = (maturity <= cal.end) | early
    status = np.select([paid_off & (state == 0), state == 1, state == 2, state == 3], [3, 1, 2, 4], 0)
    # written-off loans stop accruing instalments six months after the first missed one
    rows_n = np.where(state == 3, due_n - missed + 6, due_n)
    rows_n = np.where(early, payoff_k, rows_n)
    rows_n = np.minimum(rows_n, due_n)
    paid_k = np.where(early, payoff_k, due_n - missed)
    rem = np.where(
        lp == 3,
        principal * util,
        principal * (1 + r) ** paid_k - annuity * ((1 + r) ** paid_k - 1) / np.where(r > 0, r, 1),
    )
    outstanding = np.where(np.isin(status, [3, 4]), 0.0, np.round(np.maximum(rem, 0), 2))
    loan_keys = ctx.keys["loan"].keys(people.gidx[lpers], slot[li])
    loan_accounts = Tab(
        "loans",
        "loan_accounts",
        {
            "loan_id": loan_keys,
            "application_id": app_keys.take(pa.array(li)),
            "borrower_id": ctx.keys["borrower"].keys(people.gidx[lpers]),
            "product_code": tf.take(LOAN_PRODUCTS, lp),
            "principal": principal,
            "currency": tf.constant("CNY", n_loans),
            "interest_rate": rate,
            "term_months": term,
            "disbursement_date": tf.dates(d0),
            "maturity_date": tf.dates(maturity),
            "status_code": tf.take(("CUR", "DLQ", "DEF", "PAID", "WO"), status),
            "outstanding_balance": outstanding,
            "extracted_at": ctx.extracted_at("loans", n_loans),
        },
    )

    # repayments inside the window
    rl = np.repeat(np.arange(n_loans), rows_n)
    k = np.arange(len(rl)) - np.repeat(np.cumsum(rows_n) - rows_n, rows_n) + 1
    due = tf.add_months(d0[rl], k)
    inwin = due >= cal.start
    rl, k, due = rl[inwin], k[inwin], due[inwin]
    n_rep = len(rl)
    bal_before = np.where(
        lp[rl] == 3,
        principal[rl] * util[rl],
        principal[rl] * (1 + r[rl]) ** (k - 1)
        - annuity[rl] * ((1 + r[rl]) ** (k - 1) - 1) / np.where(r[rl] > 0, r[rl], 1),
    )
    amount_due = np.where(lp[rl] == 3, bal_before * r[rl], annuity[rl])
    last = k == term[rl]
    amount_due = np.where((lp[rl] == 3) & last, amount_due + bal_before, amount_due)
    payoff = early[rl] & (k == payoff_k[rl])
    unpaid = k > paid_k[rl]
    u = rng.random(n_rep)
    late = np.where(bad[rl], u < 0.35, u < 0.02) & ~unpaid
    paid_day = np.where(late, due + rng.integers(3, 35, n_rep), due - rng.integers(0, 4, n_rep))
    paid_day = np.maximum(paid_day, d0[rl])
    unpaid |= paid_day > cal.end
    amount_paid = np.where(
        unpaid, 0.0, amount_due + np.where(payoff, np.maximum(bal_before - (amount_due - bal_before * r[rl]), 0), 0)
    )
    partial = late & bad[rl] & (rng.random(n_rep) < 0.3)
    amount_paid = np.where(partial, amount_paid * rng.uniform(0.3, 0.9, n_rep), amount_paid)
    loan_index = ctx.keys["txn_loan"].numbers(people.gidx[lpers], slot[li])
    rep_ids = tf.from_fixed(tf.concat_fixed(b"RP", tf.digits(loan_index[rl], 10), _SEQ3[np.minimum(k, 999)], n=n_rep))
    repayments = Tab(
        "loans",
        "repayments",
        {
            "repayment_id": rep_ids,
            "loan_id": loan_keys.take(pa.array(rl)),
            "due_date": tf.dates(due),
            "paid_date": tf.dates(paid_day, valid=~unpaid),
            "amount_due": np.round(amount_due, 2),
            "amount_paid": np.round(amount_paid, 2),
            "currency": tf.constant("CNY", n_rep),
            "extracted_at": ctx.extracted_at("loans", n_rep),
        },
        meta={
            "orphan_maker": lambda cnt, g: ctx.keys["loan"].keys(
                2 * BLOCK + g.integers(0, BLOCK, cnt), g.integers(0, 8, cnt)
            )
        },
    )

    # borrowers: everyone with an application
    members = np.unique(ap)
    rec = person_records(ctx, people, "loans", members, log, email_null=0.35)
    idx = pa.array(rec.persons)
    borrowers = Tab(
        "loans",
        "borrowers",
        {
            "borrower_id": rec.keys,
            "full_name": rec.name,
            "national_id": people.national_id.take(idx),
            "birth_date": tf.dates(people.birth_day[rec.persons]),
            "phone": rec.phone,
            "email": rec.email,
            "extracted_at": ctx.extracted_at("loans", len(rec.persons)),
        },
        meta={"near_dup": rec.near_dup},
    )
    return [borrowers, applications, loan_accounts, repayments], {"records": rec}
