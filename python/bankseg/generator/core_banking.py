"""Core banking: parties, deposit accounts, month-end balances, transactions, fund holdings.

Balances drive transactions: each current/savings account has a month-end
balance path (a heavy-tailed level, an AR(1) wobble, a Spring Festival dip,
draining for churners) and every month's transactions add up exactly to the
change of the balance (``balance[m] - balance[m-1] == sum(credits) - sum(debits)``
for clean rows, in cents).  Spending and incoming transfers are drawn first
(salary on the payday, pension, year-end bonus before Spring Festival,
quarterly interest on the 21st of Mar/Jun/Sep/Dec, card-like spending with
seasonal day weights); the remainder becomes a scaling of the spending or one
transfer to/from the customer's other bank or own account.

``interest_rate`` is a percentage per year (1.65 means 1.65 %).
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from bankseg.generator import textfmt as tf
from bankseg.generator.campaigns import Assignment
from bankseg.generator.context import EXTRACT_SECOND, Ctx
from bankseg.generator.dirt import Tab
from bankseg.generator.identity import person_records
from bankseg.generator.keys import BLOCK
from bankseg.generator.people import (
    ARCHETYPE_NAMES,
    EDUCATIONS,
    MARITAL,
    OCCUPATIONS,
    SALARIED_OCCUPATIONS,
    People,
)
from bankseg.generator.reference import CITIES, load_reference

DEPOSIT_PRODUCTS = ("CUR01", "CUR02", "SAV01", "SAV02", "TD03", "TD12", "TD36")
BASE_RATE = {"CUR01": 0.15, "CUR02": 0.05, "SAV01": 0.25, "SAV02": 0.9, "TD03": 1.05, "TD12": 1.4, "TD36": 1.8}
CHANNELS = ("BRN", "ATM", "WEB", "MOB", "POS", "TRF")
COUNTERPARTIES = ("IND", "MER", "EMP", "GOV", "FIN", "INT")
INVESTMENT_PRODUCTS = ("WM1", "WM2", "WM3", "WM4", "WM5")
#: monthly log-return mean and volatility of each fund's unit value
NAV_DRIFT = {"WM1": (0.0016, 0.0003), "WM2": (0.0028, 0.006), "WM3": (0.004, 0.025), "WM4": (0.005, 0.055),
             "WM5": (0.0029, 0.0)}  # fmt: skip

# description, direction, counterparty (None = cash), channel weights when digital, when not
TXN_TYPES = (
    ("SALARY PAYROLL", "C", "EMP", {"TRF": 1}, {"TRF": 1}),
    ("PENSION PAYMENT", "C", "GOV", {"TRF": 1}, {"TRF": 1}),
    ("YEAR-END BONUS", "C", "EMP", {"TRF": 1}, {"TRF": 1}),
    ("INTEREST CREDIT", "C", "INT", {"TRF": 1}, {"TRF": 1}),
    ("TRANSFER FROM INDIVIDUAL", "C", "IND", {"MOB": 0.8, "WEB": 0.2}, {"TRF": 0.6, "BRN": 0.4}),
    ("CASH DEPOSIT", "C", None, {"ATM": 0.5, "BRN": 0.5}, {"BRN": 0.6, "ATM": 0.4}),
    ("MERCHANT SETTLEMENT", "C", "MER", {"TRF": 1}, {"TRF": 1}),
    ("RED PACKET RECEIVED", "C", "IND", {"MOB": 1}, {"MOB": 1}),
    ("REFUND", "C", "MER", {"MOB": 0.6, "WEB": 0.4}, {"POS": 1}),
    ("TRANSFER FROM OWN ACCOUNT", "C", "INT", {"MOB": 0.7, "WEB": 0.3}, {"BRN": 0.6, "TRF": 0.4}),
    ("TRANSFER FROM OTHER BANK", "C", "FIN", {"TRF": 1}, {"TRF": 1}),
    ("TIME DEPOSIT PLACEMENT", "C", "INT", {"MOB": 0.7, "WEB": 0.3}, {"BRN": 1}),
    ("POS PURCHASE", "D", "MER", {"POS": 1}, {"POS": 1}),
    ("ONLINE PAYMENT", "D", "MER", {"MOB": 0.75, "WEB": 0.25}, {"WEB": 1}),
    ("ATM CASH WITHDRAWAL", "D", None, {"ATM": 1}, {"ATM": 1}),
    ("CASH WITHDRAWAL", "D", None, {"BRN": 1}, {"BRN": 1}),
    ("TRANSFER TO INDIVIDUAL", "D", "IND", {"MOB": 0.8, "WEB": 0.2}, {"BRN": 0.6, "TRF": 0.4}),
    ("UTILITY BILL PAYMENT", "D", "MER", {"MOB": 0.7, "WEB": 0.3}, {"TRF": 0.7, "BRN": 0.3}),
    ("TAX PAYMENT", "D", "GOV", {"WEB": 0.6, "MOB": 0.4}, {"TRF": 0.6, "BRN": 0.4}),
    ("CREDIT CARD REPAYMENT", "D", "INT", {"MOB": 0.6, "TRF": 0.4}, {"TRF": 1}),
    ("LOAN REPAYMENT", "D", "INT", {"TRF": 1}, {"TRF": 1}),
    ("INSURANCE PREMIUM", "D", "FIN", {"TRF": 0.8, "MOB": 0.2}, {"TRF": 0.8, "BRN": 0.2}),
    ("SUPPLIER PAYMENT", "D", "MER", {"WEB": 0.6, "MOB": 0.4}, {"TRF": 0.6, "BRN": 0.4}),
    ("SOCIAL INSURANCE", "D", "GOV", {"TRF": 1}, {"TRF": 1}),
    ("RED PACKET SENT", "D", "IND", {"MOB": 1}, {"MOB": 1}),
    ("TRANSFER TO OWN ACCOUNT", "D", "INT", {"MOB": 0.7, "WEB": 0.3}, {"BRN": 0.6, "TRF": 0.4}),
    ("TRANSFER TO OTHER BANK", "D", "FIN", {"MOB": 0.6, "WEB": 0.4}, {"TRF": 0.5, "BRN": 0.5}),
    ("FUND PURCHASE", "D", "FIN", {"MOB": 0.7, "WEB": 0.3}, {"BRN": 1}),
    ("TIME DEPOSIT WITHDRAWAL", "D", "INT", {"MOB": 0.5, "WEB": 0.2, "TRF": 0.3}, {"BRN": 0.7, "TRF": 0.3}),
    ("ACCOUNT CLOSURE TRANSFER", "D", "FIN", {"BRN": 1}, {"BRN": 1}),
)
DESCRIPTIONS = tuple(t[0] for t in TXN_TYPES)
T = {t[0]: i for i, t in enumerate(TXN_TYPES)}
_TYPE_DIR = np.array([t[1] == "C" for t in TXN_TYPES])  # True = credit
_TYPE_CP = np.array([COUNTERPARTIES.index(t[2]) if t[2] else -1 for t in TXN_TYPES])
_CH_CDF = np.zeros((len(TXN_TYPES), 2, len(CHANNELS)))
for _i, _t in enumerate(TXN_TYPES):
    for _j, _dist in enumerate((_t[4], _t[3])):  # 0 offline, 1 digital
        _w = np.array([_dist.get(c, 0.0) for c in CHANNELS])
        _CH_CDF[_i, _j] = np.cumsum(_w) / _w.sum()
_DEBIT_SPEND_NAMES = (
    "POS PURCHASE", "ONLINE PAYMENT", "ATM CASH WITHDRAWAL", "CASH WITHDRAWAL", "TRANSFER TO INDIVIDUAL",
    "UTILITY BILL PAYMENT", "TAX PAYMENT", "CREDIT CARD REPAYMENT", "LOAN REPAYMENT", "INSURANCE PREMIUM",
    "SUPPLIER PAYMENT", "SOCIAL INSURANCE", "RED PACKET SENT",
)  # fmt: skip
DEBIT_SPEND = [T[k] for k in _DEBIT_SPEND_NAMES]
CREDIT_OTHER = [T[k] for k in ("TRANSFER FROM INDIVIDUAL", "CASH DEPOSIT", "MERCHANT SETTLEMENT",
                "RED PACKET RECEIVED", "REFUND")]  # fmt: skip
_SEQ3 = tf.digits(np.arange(1000), 3)
MAX_PER_ACCOUNT_MONTH = 600

PATH_DYNAMIC, PATH_SAVINGS, PATH_STATIC, PATH_TD = 0, 1, 2, 3


def _logistic(x):
    return 1.0 / (1.0 + np.exp(-x))


def plan_nav(seed: int, months: int) -> np.ndarray:
    """(5, months + 1) unit values of WM1..WM5 at the window's month ends (column 0: before the window)."""
    rng = np.random.default_rng([seed & 0xFFFFFFFF, 3])
    out = np.ones((len(INVESTMENT_PRODUCTS), months + 1))
    for i, p in enumerate(INVESTMENT_PRODUCTS):
        mu, sd = NAV_DRIFT[p]
        steps = rng.normal(mu, sd, months) if sd else np.full(months, mu)
        out[i, 1:] = np.exp(np.cumsum(steps))
    return out


def _poisson_cap(rng, lam, cap=MAX_PER_ACCOUNT_MONTH):
    return np.minimum(rng.poisson(np.maximum(lam, 0)), cap)


def _split_exact(total: np.ndarray, weights: np.ndarray, group: np.ndarray, first: np.ndarray) -> np.ndarray:
    """Integer amounts proportional to ``weights`` within groups that add up exactly to ``total[group]``.

    Every row gets at least one cent; ``first`` is the index of each group's first row, which takes the
    rounding remainder.
    """
    n_groups = len(total)
    wsum = np.bincount(group, weights=weights, minlength=n_groups)
    cnt = np.bincount(group, minlength=n_groups)
    spare = np.maximum(total - cnt, 0)
    share = weights / np.where(wsum > 0, wsum, 1)[group]
    amt = 1 + np.floor(share * spare[group]).astype(np.int64)
    rem = total - np.bincount(group, weights=amt, minlength=n_groups).astype(np.int64)
    has = cnt > 0
    amt[first[has]] += rem[has]
    return amt


def build_core(ctx: Ctx, people: People, asg: Assignment, act: np.ndarray, log) -> tuple[list[Tab], dict]:
    cal = ctx.cal
    n_months = cal.months
    rng = ctx.rng("core.accounts")
    ref = load_reference()
    core = np.flatnonzero(people.has_core)
    tr = {name: people.t(name) for name in ("log_income", "wealth", "activity", "digital", "td", "invest", "business")}
    fade_day = np.where(people.is_churned, cal.month_start[np.maximum(people.fade_start, 0)], cal.end + 1)
    churn_day0 = np.where(people.is_churned, cal.month_start[np.maximum(people.churn_month, 0)], cal.end + 1)
    dormant_arch = people.arch == ARCHETYPE_NAMES.index("dormant")

    # ------------------------------------------------------------------ accounts
    parts = []  # (person, slot, product, open_day)

    def add(persons, slot, product, open_day):
        parts.append((persons, np.broadcast_to(slot, len(persons)).astype(np.int64),
                      np.full(len(persons), DEPOSIT_PRODUCTS.index(product)), open_day.astype(np.int64)))  # fmt: skip

    onboard = people.onboarding_day
    add(core, 0, "CUR01", onboard[core])

    def later_open(persons, u):
        lo = onboard[persons]
        hi = np.minimum(cal.end, fade_day[persons] - 1)
        return lo + (np.maximum(hi - lo, 0) * u**2).astype(np.int64)

    w, inv, td, bus = tr["wealth"], tr["invest"], tr["td"], tr["business"]
    for slot, product, logit in (
        (1, "SAV01", 0.6 + 0.4 * w + 0.3 * td),
        (2, "SAV02", -2.2 + 0.6 * w + 0.4 * inv),
        (3, "CUR02", -3.6 + 0.4 * np.maximum(bus, 0) + 0.4 * np.maximum(inv, 0) + 0.3 * w),
    ):
        sel = core[rng.random(len(core)) < _logistic(logit[core])]
        add(sel, slot, product, later_open(sel, rng.random(len(sel))))
    n_td = np.minimum(rng.poisson(0.7 * np.exp(0.55 * td[core])), 4)
    old = people.age[core] >= 55
    for k in range(4):
        sel_mask = n_td > k
        sel = core[sel_mask]
        u = rng.random(len(sel))
        o = old[sel_mask]
        prod_idx = np.where(
            o, np.where(u < 0.45, 6, np.where(u < 0.85, 5, 4)), np.where(u < 0.5, 5, np.where(u < 0.85, 4, 6))
        )
        lo = np.maximum(onboard[sel], cal.start - 3 * 365)
        hi = np.minimum(cal.end - 1, fade_day[sel] - 1)
        op = lo + (np.maximum(hi - lo, 0) * rng.random(len(sel))).astype(np.int64)
        parts.append((sel, np.full(len(sel), 4 + k), prod_idx, op))
    # products opened through campaigns
    cp, cc, cprod, cday = asg.conversions(DEPOSIT_PRODUCTS, ctx.campaigns)
    dep_campaigns = [c.idx for c in ctx.campaigns if c.product in DEPOSIT_PRODUCTS]
    for p_, c_, prod_, d_ in zip(cp, cc, cprod, cday, strict=True):
        parts.append((np.array([p_]), np.array([8 + dep_campaigns.index(c_)]),
                      np.array([DEPOSIT_PRODUCTS.index(prod_)]), np.array([d_])))  # fmt: skip
    person = np.concatenate([p[0] for p in parts]).astype(np.int64)
    slot = np.concatenate([p[1] for p in parts]).astype(np.int64)
    prod = np.concatenate([p[2] for p in parts]).astype(np.int64)
    open_day = np.concatenate([p[3] for p in parts]).astype(np.int64)
    order = np.lexsort((slot, person))
    person, slot, prod, open_day = person[order], slot[order], prod[order], open_day[order]
    n_acc = len(person)
    is_td = prod >= 4
    term = np.select([prod == 4, prod == 5, prod == 6], [3, 12, 36], 0)

    close_day = np.full(n_acc, np.iinfo(np.int64).max // 4)
    maturity = np.full(n_acc, -1, dtype=np.int64)
    # time deposits: roll over at maturity or close
    if is_td.any():
        first_mat = tf.add_months(open_day[is_td], term[is_td])
        rolls = rng.random(int(is_td.sum())) < 0.65
        months_to_end = (tf.EPOCH + cal.end * np.timedelta64(1, "D")).astype("datetime64[M]").astype(int) - (
            tf.EPOCH + open_day[is_td].astype("timedelta64[D]")
        ).astype("datetime64[M]").astype(int)
        k = months_to_end // term[is_td] + 1
        next_mat = tf.add_months(open_day[is_td], k * term[is_td])
        next_mat = np.where(next_mat <= cal.end, tf.add_months(open_day[is_td], (k + 1) * term[is_td]), next_mat)
        mat = np.where(first_mat > cal.end, first_mat, np.where(rolls, next_mat, first_mat))
        maturity[is_td] = mat
        cl = np.where((first_mat <= cal.end) & ~rolls, first_mat, close_day[is_td])
        close_day[is_td] = cl
    # churners close their accounts in the churn month (most of them)
    closes = people.is_churned[person] & (rng.random(n_acc) < 0.85)
    person_closes = np.zeros(people.n, dtype=bool)
    person_closes[person[closes & (slot == 0)]] = True
    closes = person_closes[person] & people.is_churned[person]
    days_in = cal.month_end[np.maximum(people.churn_month[person], 0)] - churn_day0[person] + 1
    cday = churn_day0[person] + (rng.random(n_acc) * days_in).astype(np.int64)
    close_day = np.where(closes, np.minimum(close_day, cday), close_day)
    random_close = ~people.is_churned[person] & np.isin(prod, [1, 2, 3]) & (rng.random(n_acc) < 0.04)
    rc_lo = np.maximum(open_day, cal.start) + 1
    rc_day = rc_lo + (rng.random(n_acc) * np.maximum(cal.end - rc_lo, 0)).astype(np.int64)
    close_day = np.where(random_close & (rc_day <= cal.end), np.minimum(close_day, rc_day), close_day)
    keep = (open_day <= cal.end) & (close_day >= cal.start) & (close_day > open_day)
    person, slot, prod, open_day, close_day, maturity, term, is_td = (
        x[keep] for x in (person, slot, prod, open_day, close_day, maturity, term, is_td)
    )
    n_acc = len(person)
    closed = close_day <= cal.end
    frozen = ~closed & (rng.random(n_acc) < 0.003)
    static = (dormant_arch[person] & ~is_td & (rng.random(n_acc) < 0.8)) | frozen
    status = np.where(closed, "C", np.where(frozen, "F", "A")).astype(object)
    status = np.where(~closed & ~frozen & (static | (people.is_churned[person] & ~person_closes[person])), "D", status)
    currency = np.where(prod == 1, 1, 0)
    open_year = tf.ymd(open_day)[0]
    rate = np.array([BASE_RATE[c] for c in DEPOSIT_PRODUCTS])[prod]
    rate = np.where(is_td, rate + np.clip((2025 - open_year) * 0.12, -0.3, 1.2), rate)
    rate = np.round(rate * rng.uniform(0.95, 1.08, n_acc), 2)
    branch = np.where(rng.random(n_acc) < 0.85, people.home_branch[person], rng.integers(0, len(ref.branches), n_acc))

    # ------------------------------------------------------------------ balance paths (cents)
    rngb = ctx.rng("core.balances")
    income_m = np.exp(tr["log_income"][person]) / 12 * 100  # cents a month
    share = np.array([1.0, 0.25, 2.5, 4.0, 3.0, 4.0, 5.0])[prod]
    level = income_m * np.exp(tr["wealth"][person]) * share * np.exp(rngb.normal(0, 0.6, n_acc))
    level = np.where(currency == 1, level / 7.1, level)
    level = np.maximum(level, 100 * rngb.uniform(1, 50, n_acc))
    path = np.where(
        is_td, PATH_TD, np.where(static, PATH_STATIC, np.where(np.isin(prod, [2, 3]), PATH_SAVINGS, PATH_DYNAMIC))
    )
    sigma = np.where(path == PATH_DYNAMIC, 0.22, 0.35)
    x = rngb.normal(0, 0.3, n_acc)
    pact = act[person]  # (A, M)
    churn_m = np.where(people.is_churned[person], people.churn_month[person], n_months + 1)
    pre_sf = cal.is_pre_spring_festival_month
    quarter = np.isin(cal.month_moy, [3, 6, 9, 12])
    before = open_day < cal.start
    b_prev = np.where(before, np.round(level * np.exp(x)), 0).astype(np.int64)
    bal_end = np.zeros((n_acc, n_months), dtype=np.int64)
    bal_prev = np.zeros((n_acc, n_months), dtype=np.int64)
    int_amt = np.zeros((n_acc, n_months), dtype=np.int64)
    int_day = np.zeros((n_acc, n_months), dtype=np.int64)
    active = np.zeros((n_acc, n_months), dtype=bool)
    open_m = cal.month_of(open_day)
    abs_open_m = (tf.EPOCH + open_day.astype("timedelta64[D]")).astype("datetime64[M]").astype(int)
    for m in range(n_months):
        ms, me = cal.month_start[m], cal.month_end[m]
        is_open_end = (open_day <= me) & (close_day > me)
        act_m = (open_day <= me) & (close_day >= ms)
        new = open_m == m
        bp = np.where(new, 0, b_prev)
        # quarterly interest on the 21st (current and savings)
        interest = np.zeros(n_acc, dtype=np.int64)
        iday = np.zeros(n_acc, dtype=np.int64)
        d21 = ms + 20
        if quarter[m] and d21 <= me:
            ok = ~is_td & (open_day <= d21) & (close_day > d21)
            interest = np.where(ok, np.round(bp * rate / 100 / 4), 0).astype(np.int64)
            iday[:] = d21
        # time deposits: interest at every maturity (roll-over or close)
        since = (cal.month_year[m] - 1970) * 12 + cal.month_moy[m] - 1 - abs_open_m
        td_mat = is_td & (since > 0) & (since % np.maximum(term, 1) == 0)
        if td_mat.any():
            mday = tf.add_months(open_day, since)
            td_mat &= (mday <= me) & (mday <= close_day)
            ti = np.round(bp * rate / 100 * term / 12).astype(np.int64)
            interest = np.where(td_mat, ti, interest)
            iday = np.where(td_mat, mday, iday)
        # dynamic: AR(1) around the level, Spring Festival dip, draining while churning
        x = 0.75 * x + rngb.normal(0, 1, n_acc) * sigma
        drain = np.where(people.is_churned[person], pact[:, m] ** 1.5, 1.0)
        target = level * np.exp(x) * np.where(pre_sf[m] & (prod == 0), 0.85, 1.0) * np.maximum(drain, 0.02)
        dyn = np.round(target).astype(np.int64)
        frozen_now = m >= churn_m  # the relationship has ended: balances sit still
        b_dyn = np.where(frozen_now & ~new, bp + interest, dyn)
        # savings: occasional moves, otherwise interest only
        jump = new | (rngb.random(n_acc) < 0.3 * np.clip(pact[:, m], 0, 1)) | (drain < 0.99)
        b_sav = np.where(jump & ~(frozen_now & ~new), dyn, bp + interest)
        b_static = np.where(new, np.round(level).astype(np.int64), bp + interest)
        b_td = np.where(new, np.round(level).astype(np.int64), bp + interest)
        b = np.select([path == PATH_DYNAMIC, path == PATH_SAVINGS, path == PATH_STATIC], [b_dyn, b_sav, b_static], b_td)
        b = np.where(is_open_end, np.maximum(b, 0), 0)
        bal_end[:, m] = b
        bal_prev[:, m] = bp
        int_amt[:, m] = np.where(act_m, interest, 0)
        int_day[:, m] = iday
        active[:, m] = act_m
        b_prev = b

    # ------------------------------------------------------------------ transactions
    rngt = ctx.rng("core.transactions")
    a_idx, m_idx = np.nonzero(active)
    n_am = len(a_idx)
    ms = cal.month_start[m_idx]
    me = cal.month_end[m_idx]
    lo = np.maximum(ms, open_day[a_idx])
    hi = np.minimum(me, close_day[a_idx])
    frac = (hi - lo + 1) / (cal.month_last[m_idx] - ms + 1)
    p_am = person[a_idx]
    delta = bal_end[a_idx, m_idx] - bal_prev[a_idx, m_idx]
    interest = int_amt[a_idx, m_idx]
    closing = close_day[a_idx] <= me
    opening = open_m[a_idx] == m_idx
    path_am = path[a_idx]
    flow = (path_am == PATH_DYNAMIC) & (m_idx < churn_m[a_idx])
    primary = (slot[a_idx] == 0) & flow
    a_act = act[p_am, m_idx]
    usd = currency[a_idx] == 1
    inc = income_m[a_idx]
    fx = np.where(usd, 1 / 7.1, 1.0)
    dig = _logistic(tr["digital"][p_am])

    rows_am, rows_type, rows_day, rows_amt = [], [], [], []

    def emit(sel_idx, ttype, day, amount):
        rows_am.append(sel_idx)
        rows_type.append(np.broadcast_to(ttype, len(sel_idx)).astype(np.int64))
        rows_day.append(day.astype(np.int64))
        rows_amt.append(amount.astype(np.int64))

    # interest
    i_sel = np.flatnonzero(interest > 0)
    emit(i_sel, T["INTEREST CREDIT"], int_day[a_idx[i_sel], m_idx[i_sel]], interest[i_sel])
    # salary / pension / bonus on the primary account
    occ = people.occupation[p_am]
    salaried = np.isin(occ, [OCCUPATIONS.index(o) for o in SALARIED_OCCUPATIONS])
    payroll_moved = people.is_churned[p_am] & (m_idx >= people.fade_start[p_am]) & (people.gidx[p_am] % 10 < 7)
    pay = np.minimum(ms + people.payday[p_am] - 1, cal.month_last[m_idx])
    wd = tf.weekday(pay)
    pay = pay - np.where(wd == 5, 1, np.where(wd == 6, 2, 0))
    sal_ok = primary & salaried & ~payroll_moved & (a_act > 0) & (pay >= lo) & (pay <= hi)
    s_sel = np.flatnonzero(sal_ok)
    s_amt = np.round(inc[s_sel] * 0.85 * rngt.normal(1, 0.03, len(s_sel)) / 100) * 100
    emit(s_sel, T["SALARY PAYROLL"], pay[s_sel], s_amt)
    b_sel = np.flatnonzero(sal_ok & cal.is_bonus_month[m_idx])
    emit(
        b_sel,
        T["YEAR-END BONUS"],
        pay[b_sel],
        np.round(inc[b_sel] * 12 * rngt.uniform(0.05, 0.2, len(b_sel)) / 100) * 100,
    )
    pension_day = np.minimum(ms + 14, hi)
    pen_ok = primary & (occ == OCCUPATIONS.index("09")) & (a_act > 0) & (pension_day >= lo)
    p_sel = np.flatnonzero(pen_ok)
    emit(p_sel, T["PENSION PAYMENT"], pension_day[p_sel], np.round(inc[p_sel] / 100) * 100)
    fixed_credit = np.zeros(n_am, dtype=np.int64)
    for sel, amt in ((s_sel, rows_amt[1]), (b_sel, rows_amt[2]), (p_sel, rows_amt[3])):
        fixed_credit += np.bincount(sel, weights=amt, minlength=n_am).astype(np.int64)

    # spending and other incoming money (flow accounts only)
    season = cal.month_factor["spend"][m_idx]
    act_rate = np.exp(tr["activity"][p_am])
    lam_d = np.where(primary, act_rate * 0.62, np.where(flow, 0.35, 0.0)) * season * a_act * frac
    bus_p = _logistic(1.2 * tr["business"][p_am] - 1.5)
    lam_c = np.where(primary, 0.25 + 4.0 * bus_p, np.where(flow, 0.2, 0.0)) * a_act * frac
    lam_c *= np.where(pre_sf[m_idx], 1.5, 1.0)
    n_d = _poisson_cap(rngt, lam_d)
    n_c = _poisson_cap(rngt, lam_c)
    # debits
    d_am = np.repeat(np.arange(n_am), n_d)
    tw = _debit_weights(people, tr)
    sf_rows = pre_sf[m_idx[d_am]]
    d_type = _draw_type(
        rngt, tw, people, p_am[d_am], DEBIT_SPEND, boost=sf_rows, boost_type=DEBIT_SPEND.index(T["RED PACKET SENT"])
    )
    med = inc[d_am] * 0.55 / np.maximum(lam_d[d_am] / np.maximum(a_act[d_am] * frac[d_am], 0.05), 1.0)
    d_w = np.exp(rngt.normal(0, 1.0, len(d_am))) * med
    d_w = np.where(np.isin(d_type, [T["SUPPLIER PAYMENT"], T["TAX PAYMENT"], T["INSURANCE PREMIUM"]]), d_w * 3, d_w)
    d_w = np.maximum(d_w, 100.0) * fx[d_am]
    d_amt = np.maximum(np.round(d_w), 100).astype(np.int64)
    d_tot = np.bincount(d_am, weights=d_amt, minlength=n_am).astype(np.int64)
    # other credits
    c_am = np.repeat(np.arange(n_am), n_c)
    cw = _credit_weights(people, tr)
    c_type = _draw_type(rngt, cw, people, p_am[c_am], CREDIT_OTHER, boost=pre_sf[m_idx[c_am]], boost_type=3)
    cmed = np.where(bus_p[c_am] > 0.5, inc[c_am] * 0.9 / np.maximum(lam_c[c_am], 1), inc[c_am] * 0.12)
    c_amt = np.maximum(np.round(np.exp(rngt.normal(0, 0.9, len(c_am))) * cmed * fx[c_am]), 100).astype(np.int64)
    c_tot = np.bincount(c_am, weights=c_amt, minlength=n_am).astype(np.int64)
    # what is left to explain the balance change
    rest = delta - interest - fixed_credit - c_tot + d_tot
    scale = flow & (d_tot > 0) & (np.abs(rest) <= d_tot // 2) & ~closing
    new_d_tot = np.where(scale, d_tot - rest, d_tot)
    if len(d_am):
        first = np.r_[0, np.flatnonzero(np.diff(d_am)) + 1]
        first_of = np.full(n_am, -1)
        first_of[d_am[first]] = first
        rescaled = _split_exact(new_d_tot, d_amt.astype(np.float64), d_am, first_of)
        d_amt = np.where(scale[d_am], rescaled, d_amt)
    rest = np.where(scale, 0, rest)
    d_day = cal.draw_days(lo[d_am], hi[d_am], rngt.random(len(d_am)), "spend")
    c_day = cal.draw_days(lo[c_am], hi[c_am], rngt.random(len(c_am)), "general")
    emit(d_am, d_type, d_day, d_amt)
    emit(c_am, c_type, c_day, c_amt)
    # the remainder: one transfer (or the opening deposit / closing withdrawal)
    x_sel = np.flatnonzero(rest != 0)
    xv = rest[x_sel]
    u = rngt.random(len(x_sel))
    pa_ = path_am[x_sel]
    dg = dig[x_sel]
    inv_p = _logistic(tr["invest"][p_am[x_sel]])
    credit_t = np.where(
        u < 0.5,
        T["TRANSFER FROM OTHER BANK"],
        np.where(u < 0.8 + 0.2 * dg, T["TRANSFER FROM OWN ACCOUNT"], T["CASH DEPOSIT"]),
    )
    out_t = np.where(u < 0.7 + 0.3 * inv_p, T["FUND PURCHASE"], T["CASH WITHDRAWAL"])
    debit_t = np.where(u < 0.45, T["TRANSFER TO OTHER BANK"], np.where(u < 0.7, T["TRANSFER TO OWN ACCOUNT"], out_t))
    sav_credit = np.where(u < 0.8, T["TRANSFER FROM OWN ACCOUNT"], T["CASH DEPOSIT"])
    sav_debit = np.where(u < 0.8, T["TRANSFER TO OWN ACCOUNT"], T["CASH WITHDRAWAL"])
    is_close = closing[x_sel]
    ttype = np.where(
        xv > 0, np.where(pa_ == PATH_DYNAMIC, credit_t, sav_credit), np.where(pa_ == PATH_DYNAMIC, debit_t, sav_debit)
    )
    ttype = np.where(pa_ == PATH_TD, np.where(xv > 0, T["TIME DEPOSIT PLACEMENT"], T["TIME DEPOSIT WITHDRAWAL"]), ttype)
    ttype = np.where(is_close & (xv < 0) & (pa_ != PATH_TD), T["ACCOUNT CLOSURE TRANSFER"], ttype)
    x_day = cal.draw_days(lo[x_sel], hi[x_sel], rngt.random(len(x_sel)), "general")
    x_day = np.where(opening[x_sel] & (xv > 0), lo[x_sel], x_day)
    x_day = np.where(is_close, hi[x_sel], x_day)
    emit(x_sel, ttype, x_day, np.abs(xv))

    am = np.concatenate(rows_am)
    ttype = np.concatenate(rows_type)
    day = np.concatenate(rows_day)
    amt = np.concatenate(rows_amt)
    # channel and time of day
    digital_mode = rngt.random(len(am)) < dig[am]
    ch = tf.rowwise_choice(_CH_CDF.reshape(-1, len(CHANNELS)), ttype * 2 + digital_mode, rngt.random(len(am)))
    secs = cal.draw_seconds_by(ch, CHANNELS, rngt)
    secs = np.where(ttype == T["INTEREST CREDIT"], 1800 + rngt.integers(0, 5400, len(am)), secs)
    # rows ordered by account and time; ids numbered within each account-month
    key = am.astype(np.int64) * (32 * 86400) + (day - ms[am]) * 86400 + secs
    order = np.argsort(key, kind="stable")
    am, ttype, day, amt, ch, secs = am[order], ttype[order], day[order], amt[order], ch[order], secs[order]
    starts = np.r_[0, np.flatnonzero(np.diff(am)) + 1]
    seq = np.arange(len(am)) - np.repeat(starts, np.diff(np.r_[starts, len(am)]))
    acct_ids = ctx.keys["account"].keys(people.gidx[person], slot)
    acct_bytes = np.frombuffer(_fixed_bytes(acct_ids), dtype="S19") if n_acc else np.zeros(0, dtype="S19")
    acct_digits = tf.digits(ctx.keys["txn_account"].numbers(people.gidx[person], slot), 10)
    abs_month = (cal.month_year - 1970) * 12 + cal.month_moy - 1
    month_digits = tf.digits(abs_month % 1000, 3)
    a_of = a_idx[am]
    txn_ids = tf.from_fixed(
        tf.concat_fixed(b"TX", acct_digits[a_of], month_digits[m_idx[am]], _SEQ3[np.minimum(seq, 999)])
    )
    n_tx = len(am)
    cur_vocab = ("CNY", "USD")
    transactions = Tab(
        "core_banking",
        "transactions",
        {
            "transaction_id": txn_ids,
            "account_id": tf.from_fixed(acct_bytes[a_of]),
            "transaction_ts": tf.timestamps(day, secs),
            "amount": amt / 100.0,
            "currency": tf.take(cur_vocab, currency[a_of]),
            "direction": tf.take(("D", "C"), _TYPE_DIR[ttype].astype(np.int64)),
            "channel_code": tf.take(CHANNELS, ch),
            "counterparty_type": tf.take(COUNTERPARTIES, _TYPE_CP[ttype]),
            "description": tf.take(DESCRIPTIONS, ttype),
            "extracted_at": ctx.extracted_at("core_banking", n_tx),
        },
        meta={"event_day": day, "extract_second": EXTRACT_SECOND["core_banking"], "valid_ts": np.ones(n_tx, bool)},
    )

    # ------------------------------------------------------------------ balances
    ba, bm = np.nonzero((open_day[:, None] <= cal.month_end[None, :]) & (close_day[:, None] > cal.month_end[None, :]))
    balances = Tab(
        "core_banking",
        "balances",
        {
            "account_id": tf.from_fixed(acct_bytes[ba]),
            "balance_date": tf.dates(cal.month_end[bm]),
            "balance": bal_end[ba, bm] / 100.0,
            "currency": tf.take(cur_vocab, currency[ba]),
            "extracted_at": ctx.extracted_at("core_banking", len(ba)),
        },
    )

    # ------------------------------------------------------------------ deposit accounts
    deposit_accounts = Tab(
        "core_banking",
        "deposit_accounts",
        {
            "account_id": acct_ids,
            "party_id": None,  # filled below (near-duplicate parties may own an account)
            "product_code": tf.take(DEPOSIT_PRODUCTS, prod),
            "currency": tf.take(cur_vocab, currency),
            "open_date": tf.dates(open_day),
            "maturity_date": tf.dates(maturity, valid=maturity >= 0),
            "close_date": tf.dates(close_day, valid=closed),
            "status_code": pa.array(status.tolist(), type=pa.string()),
            "branch_code": tf.take([b[0] for b in ref.branches], branch),
            "interest_rate": rate,
            "extracted_at": ctx.extracted_at("core_banking", n_acc),
        },
    )

    # ------------------------------------------------------------------ parties (+ near duplicates)
    rec = person_records(ctx, people, "core_banking", core, log, email_null=0.12)
    nd_persons = rec.persons[rec.n_primary :]
    nd_keys = rec.keys.slice(rec.n_primary)
    owner = ctx.keys["party"].keys(people.gidx[person])
    nd_onboard = np.zeros(0, dtype=np.int64)
    if len(nd_persons):
        # a near-duplicate party holds the person's most recently opened non-primary account, if any
        nd_local = np.full(people.n, -1)
        nd_local[nd_persons] = np.arange(len(nd_persons))
        cand = np.flatnonzero((nd_local[person] >= 0) & (slot > 0))
        moved = np.zeros(n_acc, dtype=bool)
        if len(cand):
            cand = cand[np.lexsort((-open_day[cand], person[cand]))]
            moved[cand[np.r_[True, person[cand][1:] != person[cand][:-1]]]] = True
            owner = pc.replace_with_mask(owner, pa.array(moved), nd_keys.take(pa.array(nd_local[person[moved]])))
        nd_onboard = np.full(len(nd_persons), -1, dtype=np.int64)
        mv = np.flatnonzero(moved)
        nd_onboard[nd_local[person[mv]]] = open_day[mv]
        rnd = np.minimum(onboard[nd_persons] + rng.integers(30, 2000, len(nd_persons)), cal.end)
        nd_onboard = np.where(nd_onboard >= 0, nd_onboard, rnd)
    deposit_accounts.cols["party_id"] = owner
    parties = _parties(ctx, people, rec, nd_onboard, rng)

    # ------------------------------------------------------------------ investment holdings
    holdings, first_invest = _holdings(ctx, people, asg, act)

    info = {
        "party_key_of_person": _key_lookup(people.n, core, rec.primary_keys),
        "first_invest_day": first_invest,
        "records": rec,
        "account_count": n_acc,
        "orphan_account": lambda k, r: ctx.keys["account"].keys(
            2 * BLOCK + r.integers(0, BLOCK, k), r.integers(0, 16, k)
        ),
    }
    transactions.meta["orphan_maker"] = info["orphan_account"]
    balances.meta["orphan_maker"] = info["orphan_account"]
    return [parties, deposit_accounts, balances, transactions, holdings], info


def _fixed_bytes(arr: pa.Array) -> bytes:
    """The data buffer of a fixed-width string array built by textfmt (no nulls, zero offset)."""
    buf = arr.buffers()[2]
    offs = np.frombuffer(arr.buffers()[1], dtype=np.int32)
    return buf.to_pybytes()[offs[arr.offset] : offs[arr.offset + len(arr)]]


def _key_lookup(n: int, persons: np.ndarray, keys: pa.Array) -> pa.Array:
    """Array of length n with each person's key (null where the person has none)."""
    pos = np.full(n, -1)
    pos[persons] = np.arange(len(persons))
    return tf.take(keys, pos)


def _debit_weights(people: People, tr) -> np.ndarray:
    d = _logistic(tr["digital"])
    b = _logistic(people.t("branch"))
    bus = _logistic(1.2 * tr["business"] - 1.5)
    card = people.is_cardholder.astype(float)
    loan = people.is_borrower.astype(float)
    return np.stack(
        [np.full(people.n, 2.5), 3 * d, 1.2 * (1 - d) + 0.2, 0.8 * b, np.full(people.n, 1.8), np.full(people.n, 0.8),
         0.05 + 0.4 * bus, 0.7 * card, 0.7 * loan, np.full(people.n, 0.15), 4 * bus, 0.4 * bus, 0.1 * d],
        axis=1,
    )  # fmt: skip


def _credit_weights(people: People, tr) -> np.ndarray:
    d = _logistic(tr["digital"])
    bus = _logistic(1.2 * tr["business"] - 1.5)
    n = people.n
    return np.stack([np.full(n, 2.0), 0.8 * (1 - d) + 0.2, 6 * bus, np.full(n, 0.2), np.full(n, 0.3)], axis=1)


def _draw_type(rng, weights, people, persons, types, boost, boost_type):
    """Type of each row from its person's weights; ``boost`` rows weigh ``boost_type`` ten times more."""
    if len(persons) == 0:
        return np.zeros(0, dtype=np.int64)
    wb = weights.copy()
    wb[:, boost_type] *= 10
    cdf = np.cumsum(np.concatenate([weights, wb]), axis=1)
    k = tf.rowwise_choice(cdf, persons + boost * len(weights), rng.random(len(persons)))
    return np.asarray(types)[k]


def _parties(ctx: Ctx, people: People, rec, nd_onboard: np.ndarray, rng) -> Tab:
    ref = load_reference()
    branch_codes = [b[0] for b in ref.branches]
    pers = rec.persons
    n = rec.n_primary
    k = len(pers)
    onboard = np.concatenate([people.onboarding_day[pers[:n]], nd_onboard])
    income = np.where(people.income_known[pers], people.annual_income[pers], np.nan)
    branch = people.home_branch[pers].copy()
    branch[n:] = rng.integers(0, len(branch_codes), k - n)
    return Tab(
        "core_banking",
        "parties",
        {
            "party_id": rec.keys,
            "full_name": rec.name,
            "national_id": people.national_id.take(pa.array(pers)),
            "birth_date": tf.dates(people.birth_day[pers]),
            "gender_code": tf.take(("1", "2", "9"), people.gender_code[pers]),
            "occupation_code": tf.take(OCCUPATIONS, people.occupation[pers]),
            "annual_income": pa.array(income, mask=np.isnan(income)),
            "income_currency": tf.with_nulls(tf.constant("CNY", k), ~np.isnan(income)),
            "marital_status_code": tf.take(MARITAL, people.marital[pers]),
            "education_code": tf.take(EDUCATIONS, people.education[pers]),
            "city": tf.take([c[0] for c in CITIES], people.city[pers]),
            "phone": rec.phone,
            "email": rec.email,
            "onboarding_date": tf.dates(onboard),
            "home_branch_code": tf.take(branch_codes, branch),
            "extracted_at": ctx.extracted_at("core_banking", k),
        },
        meta={"onboarding_day": onboard, "birth_day": people.birth_day[pers], "near_dup": rec.near_dup},
    )


def _holdings(ctx: Ctx, people: People, asg: Assignment, act: np.ndarray) -> tuple[Tab, np.ndarray]:
    cal = ctx.cal
    n_months = cal.months
    rng = ctx.rng("core.holdings")
    inv = np.flatnonzero(people.is_investor)
    risk = people.t("invest")[inv] + 0.3 * people.t("wealth")[inv] - 0.03 * (people.age[inv] - 45)
    center = np.clip(1.0 + 0.8 * risk, 0, 4)
    n_h = np.minimum(1 + rng.poisson(0.6, len(inv)), 4)
    # distinct products per person, weighted around the person's risk appetite
    w = np.exp(-0.5 * ((np.arange(5)[None, :] - center[:, None]) / 1.1) ** 2)
    g = -np.log(rng.random(w.shape)) / w  # exponential race: smallest k win
    rank = np.argsort(np.argsort(g, axis=1), axis=1)
    hp, hprod = np.nonzero(rank < n_h[:, None])
    hperson = inv[hp]
    slot = hprod.copy()
    before = rng.random(len(hperson)) < 0.6
    onboard_m = cal.month_of(people.onboarding_day[hperson])
    lo_m = np.maximum(onboard_m, 0)
    fade_m = np.where(people.is_churned[hperson], people.fade_start[hperson], n_months)
    start_m = np.where(
        before & (onboard_m < 0), -1, lo_m + (rng.random(len(hperson)) * np.maximum(fade_m - lo_m, 0)).astype(np.int64)
    )
    amount = np.exp(people.t("log_income")[hperson] + people.t("wealth")[hperson] + rng.normal(-0.7, 0.8, len(hperson)))
    # campaign conversions into funds
    cp, cc, cprod, cday = asg.conversions(INVESTMENT_PRODUCTS, ctx.campaigns)
    if len(cp):
        hperson = np.concatenate([hperson, cp])
        hprod = np.concatenate([hprod, [INVESTMENT_PRODUCTS.index(x) for x in cprod]]).astype(np.int64)
        wm_campaigns = [c.idx for c in ctx.campaigns if c.product in INVESTMENT_PRODUCTS]
        slot = np.concatenate([slot, [5 + wm_campaigns.index(c) for c in cc]]).astype(np.int64)
        start_m = np.concatenate([start_m, cal.month_of(cday)])
        amount = np.concatenate([amount, np.exp(people.t("log_income")[cp] + rng.normal(-1.5, 0.6, len(cp)))])
    n_hold = len(hperson)
    # redemptions: churners redeem while fading, others sometimes
    red_m = np.full(n_hold, n_months + 1)
    ch = people.is_churned[hperson]
    red_m = np.where(ch, np.clip(people.fade_start[hperson] + 1, 0, people.churn_month[hperson]), red_m)
    other = ~ch & (rng.random(n_hold) < 0.12)
    later = start_m + 1 + (rng.random(n_hold) * np.maximum(n_months - start_m - 1, 1)).astype(np.int64)
    red_m = np.where(other, later, red_m)
    amount = np.round(amount / 1000) * 1000 + 1000
    months = np.arange(n_months)[None, :]
    hm_h, hm_m = np.nonzero((months >= np.maximum(start_m, 0)[:, None]) & (months < red_m[:, None]))
    nav = ctx.nav
    base = nav[hprod[hm_h], np.maximum(start_m[hm_h], -1) + 1]
    value = np.round(amount[hm_h] * nav[hprod[hm_h], hm_m + 1] / base, 2)
    first_buy = np.where(start_m < 0, cal.start - 30, cal.month_start[np.clip(start_m, 0, n_months - 1)])
    first_invest = np.full(people.n, -1, dtype=np.int64)
    if n_hold:
        order = np.argsort(first_buy, kind="stable")[::-1]
        first_invest[hperson[order]] = first_buy[order]
    hid = ctx.keys["holding"].keys(people.gidx[hperson], slot)
    tab = Tab(
        "core_banking",
        "investment_holdings",
        {
            "holding_id": hid.take(pa.array(hm_h)),
            "party_id": ctx.keys["party"].keys(people.gidx[hperson[hm_h]]),
            "product_code": tf.take(INVESTMENT_PRODUCTS, hprod[hm_h]),
            "valuation_date": tf.dates(cal.month_end[hm_m]),
            "market_value": value,
            "currency": tf.constant("CNY", len(hm_h)),
            "extracted_at": ctx.extracted_at("core_banking", len(hm_h)),
        },
    )
    return tab, first_invest
