"""Credit cards: cardholders, card accounts and card transactions.

Card tier follows income (standard, gold, platinum), spending follows the
person's activity and archetype-flavoured merchant preferences (young
people: dining, shopping, entertainment; affluent: travel and luxury;
retirees: groceries and health), with Singles' Day, Golden Week and Spring
Festival peaks.  Cardholder names are embossed upper case ("WANG XIAOMING").
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from bankseg.generator import textfmt as tf
from bankseg.generator.campaigns import Assignment
from bankseg.generator.context import EXTRACT_SECOND, Ctx
from bankseg.generator.dirt import Tab
from bankseg.generator.identity import person_records
from bankseg.generator.keys import BLOCK
from bankseg.generator.people import ARCHETYPES, People
from bankseg.generator.reference import CITIES, MERCHANTS, SPEND_GROUPS, load_reference

CARD_PRODUCTS = ("CCS", "CCG", "CCP")
#: spend group weights per archetype (order of ARCHETYPES)
GROUP_PREFS = {
    "young_digital_spender": {"dining": 3, "shopping": 3, "entertainment": 2, "transport": 2, "groceries": 1.5,
                              "travel": 0.7, "utilities": 0.8, "education": 0.5, "other": 1},
    "salaried_saver": {"groceries": 2.5, "dining": 2, "shopping": 2, "education": 1.2, "utilities": 1.5,
                       "transport": 1.5, "health": 0.8, "home": 0.8, "travel": 0.6, "financial": 0.4, "other": 1},
    "affluent_investor": {"travel": 3, "dining": 2.5, "shopping": 2, "luxury": 1, "entertainment": 1,
                          "health": 0.8, "financial": 0.8, "home": 0.8, "groceries": 1, "other": 0.5},
    "small_business_owner": {"travel": 2, "dining": 2.5, "transport": 2, "home": 1.2, "shopping": 1.2,
                             "utilities": 1, "groceries": 1, "other": 1.5},
    "retiree": {"groceries": 3, "health": 3, "utilities": 1.2, "home": 0.6, "dining": 0.8, "travel": 0.5,
                "other": 0.8},
    "dormant": {"groceries": 2, "dining": 1, "shopping": 1, "utilities": 1, "other": 1.5},
}  # fmt: skip
#: median ticket (CNY) per spend group
GROUP_TICKET = {"groceries": 120, "dining": 85, "travel": 1600, "transport": 55, "shopping": 380, "luxury": 6500,
                "entertainment": 140, "health": 220, "education": 1800, "utilities": 160, "financial": 2600,
                "home": 1300, "other": 90}  # fmt: skip
_SEQ3 = tf.digits(np.arange(1000), 3)


def _logistic(x):
    return 1.0 / (1.0 + np.exp(-x))


def build_cards(ctx: Ctx, people: People, asg: Assignment, act: np.ndarray, log) -> tuple[list[Tab], dict]:
    cal = ctx.cal
    n_months = cal.months
    ref = load_reference()
    rng = ctx.rng("cards")
    fade_day = np.where(people.is_churned, cal.month_start[np.maximum(people.fade_start, 0)], cal.end + 1)
    churn_day0 = np.where(people.is_churned, cal.month_start[np.maximum(people.churn_month, 0)], cal.end + 1)

    holders = np.flatnonzero(people.is_cardholder)
    n_cards = 1 + (rng.random(len(holders)) < 0.2)
    cp_ = np.repeat(holders, n_cards)
    slot = np.arange(len(cp_)) - np.repeat(np.cumsum(n_cards) - n_cards, n_cards)
    tier_score = people.t("log_income")[cp_] + rng.normal(0, 0.3, len(cp_))
    prod = np.where(tier_score > 12.6, 2, np.where(tier_score > 11.9, 1, 0))
    adult = people.birth_day[cp_] + int(18 * 365.25)
    lo = np.maximum(np.maximum(adult, tf.day_of("2012-01-01")), people.onboarding_day[cp_] - 3 * 365)
    hi = np.minimum(cal.end, fade_day[cp_] - 1)
    open_day = lo + (np.maximum(hi - lo, 0) * rng.random(len(cp_)) ** 1.5).astype(np.int64)
    ok = hi >= lo
    cp_, slot, prod, open_day = cp_[ok], slot[ok], prod[ok], open_day[ok]
    ccp, ccc, cprod, cday = asg.conversions(CARD_PRODUCTS, ctx.campaigns)
    if len(ccp):
        cp_ = np.concatenate([cp_, ccp])
        card_campaigns = [c.idx for c in ctx.campaigns if c.product in CARD_PRODUCTS]
        slot = np.concatenate([slot, [4 + card_campaigns.index(c) for c in ccc]]).astype(np.int64)
        prod = np.concatenate([prod, [CARD_PRODUCTS.index(x) for x in cprod]])
        open_day = np.concatenate([open_day, cday])
    n_cards = len(cp_)
    limit_med = np.array([15_000, 50_000, 180_000])[prod] * np.exp(0.4 * (people.t("log_income")[cp_] - 12))
    limit = np.round(limit_med * np.exp(rng.normal(0, 0.35, n_cards)) / 1000) * 1000 + 1000
    close = np.full(n_cards, np.iinfo(np.int64).max // 4)
    ch_close = people.is_churned[cp_] & (rng.random(n_cards) < 0.8)
    ch_day = churn_day0[cp_] + (rng.random(n_cards) * 27).astype(np.int64)
    close = np.where(ch_close, np.maximum(ch_day, open_day + 1), close)
    rnd = ~people.is_churned[cp_] & (rng.random(n_cards) < 0.03)
    r_lo = np.maximum(open_day, cal.start) + 1
    r_day = r_lo + (rng.random(n_cards) * np.maximum(cal.end - r_lo, 0)).astype(np.int64)
    close = np.where(rnd & (r_day <= cal.end), r_day, close)
    keep = close >= cal.start
    cp_, slot, prod, open_day, limit, close = (
        cp_[keep],
        slot[keep],
        prod[keep],
        open_day[keep],
        limit[keep],
        close[keep],
    )
    n_cards = len(cp_)
    closed = close <= cal.end
    blocked = ~closed & (rng.random(n_cards) < 0.015)
    status = np.where(closed, 2, np.where(blocked, 1, 0))
    card_keys = ctx.keys["card"].keys(people.gidx[cp_], slot)

    # transactions
    rngt = ctx.rng("cards.transactions")
    ca, cm = np.nonzero((open_day[:, None] <= cal.month_end[None, :]) & (close[:, None] >= cal.month_start[None, :]))
    pers = cp_[ca]
    ms, me = cal.month_start[cm], cal.month_end[cm]
    lo_d = np.maximum(ms, open_day[ca])
    hi_d = np.minimum(me, close[ca])
    hi_d = np.where(blocked[ca], np.minimum(hi_d, cal.end - 20), hi_d)
    frac = np.clip((hi_d - lo_d + 1) / (cal.month_last[cm] - ms + 1), 0, 1)
    lam = np.exp(people.t("activity")[pers]) * 0.55 * (0.4 + _logistic(people.t("card")[pers]))
    lam = lam * cal.month_factor["card"][cm]
    lam = lam * act[pers, cm] * frac / np.where(slot[ca] > 0, 2.0, 1.0)
    cnt = np.minimum(rngt.poisson(lam), 600)
    t_cm = np.repeat(np.arange(len(ca)), cnt)
    tp = pers[t_cm]
    n_t = len(t_cm)
    groups = list(SPEND_GROUPS)
    pref = np.array([[GROUP_PREFS[a.name].get(g, 0.05) for g in groups] for a in ARCHETYPES])
    mw = people.mix_weight[:, None]
    wmat = (1 - mw) * pref[people.arch] + mw * pref[np.maximum(people.arch2, 0)]
    cdf = np.cumsum(wmat, axis=1)
    cdf /= cdf[:, -1:]
    u = rngt.random(n_t)
    grp = np.zeros(n_t, dtype=np.int64)
    for j in range(cdf.shape[1]):  # (u[:, None] > cdf[tp]).sum(axis=1), one column at a time
        grp += u > cdf[:, j][tp]
    grp = np.minimum(grp, len(groups) - 1)
    mcc_vocab = [m for m, _ in ref.mccs]
    mcc_by_group = [[i for i, (_, g) in enumerate(ref.mccs) if g == grp_name] for grp_name in groups]
    width = max(len(x) for x in mcc_by_group)
    mcc_tab = np.array([(x * width)[:width] for x in mcc_by_group])
    mcc_n = np.array([len(x) for x in mcc_by_group])
    mcc = mcc_tab[grp, rngt.integers(0, 1 << 30, n_t) % mcc_n[grp]]
    mer_vocab = [m for g in groups for m in MERCHANTS[g]]
    mer_first = np.cumsum([0] + [len(MERCHANTS[g]) for g in groups])[:-1]
    mer_n = np.array([len(MERCHANTS[g]) for g in groups])
    merchant = mer_first[grp] + rngt.integers(0, 1 << 30, n_t) % mer_n[grp]
    ticket = np.array([GROUP_TICKET[g] for g in groups])[grp] * np.exp(0.35 * (people.t("log_income")[tp] - 12))
    amount = np.round(np.maximum(ticket * np.exp(rngt.normal(0, 0.8, n_t)), 1.0), 2)
    day = cal.draw_days(lo_d[t_cm], hi_d[t_cm], rngt.random(n_t), "card")
    secs = cal.draw_seconds("POS", rngt.random(n_t), rngt.random(n_t))
    travel = grp == groups.index("travel")
    away = rngt.random(n_t) < np.where(travel, 0.7, 0.1)
    city = np.where(away, rngt.integers(0, len(CITIES), n_t), people.city[tp])
    abroad = travel & (rngt.random(n_t) < 0.1)
    order = np.argsort(t_cm.astype(np.int64) * (32 * 86400) + (day - ms[t_cm]) * 86400 + secs, kind="stable")
    t_cm, tp, mcc, merchant, amount, day, secs, city, abroad = (
        x[order] for x in (t_cm, tp, mcc, merchant, amount, day, secs, city, abroad)
    )
    starts = np.r_[0, np.flatnonzero(np.diff(t_cm)) + 1] if n_t else np.zeros(0, dtype=np.int64)
    seq = np.arange(n_t) - np.repeat(starts, np.diff(np.r_[starts, n_t]))
    abs_month = (cal.month_year - 1970) * 12 + cal.month_moy - 1
    card_num = tf.digits(ctx.keys["txn_card"].numbers(people.gidx[cp_], slot), 10)
    month_num = tf.digits(abs_month % 1000, 3)
    tid = tf.from_fixed(
        tf.concat_fixed(b"CT", card_num[ca[t_cm]], month_num[cm[t_cm]], _SEQ3[np.minimum(seq, 999)], n=n_t)
    )
    amount = np.where(abroad, np.round(amount / 7.1, 2), amount)
    card_tx = Tab(
        "cards",
        "card_transactions",
        {
            "card_transaction_id": tid,
            "card_account_id": card_keys.take(pa.array(ca[t_cm])),
            "transaction_ts": tf.timestamps(day, secs),
            "amount": amount,
            "currency": tf.take(("CNY", "USD"), abroad.astype(np.int64)),
            "merchant_category_code": tf.take(mcc_vocab, mcc),
            "merchant_name": tf.take(mer_vocab, merchant),
            "merchant_city": tf.take([c[0] for c in CITIES], city),
            "extracted_at": ctx.extracted_at("cards", n_t),
        },
        meta={
            "event_day": day,
            "extract_second": EXTRACT_SECOND["cards"],
            "orphan_maker": lambda k, g: ctx.keys["card"].keys(
                2 * BLOCK + g.integers(0, BLOCK, k), g.integers(0, 8, k)
            ),
        },
    )
    # statement balance: part of the last month's spending
    last_m = cm[t_cm] == n_months - 1 if n_t else np.zeros(0, dtype=bool)
    spent = np.bincount(
        ca[t_cm][last_m], weights=np.where(abroad[last_m], amount[last_m] * 7.1, amount[last_m]), minlength=n_cards
    )
    balance = np.where(closed, 0.0, np.round(np.minimum(spent * rng.uniform(0.3, 1.1, n_cards), limit), 2))
    card_accounts = Tab(
        "cards",
        "card_accounts",
        {
            "card_account_id": card_keys,
            "cardholder_id": ctx.keys["cardholder"].keys(people.gidx[cp_]),
            "product_code": tf.take(CARD_PRODUCTS, prod),
            "credit_limit": limit.astype(float),
            "current_balance": balance,
            "currency": tf.constant("CNY", n_cards),
            "open_date": tf.dates(open_day),
            "close_date": tf.dates(close, valid=closed),
            "status_code": tf.take(("A", "B", "C"), status),
            "extracted_at": ctx.extracted_at("cards", n_cards),
        },
    )
    members = np.unique(cp_)
    rec = person_records(ctx, people, "cards", members, log, email_null=0.1)
    cardholders = Tab(
        "cards",
        "cardholders",
        {
            "cardholder_id": rec.keys,
            "full_name": rec.name,
            "national_id": people.national_id.take(pa.array(rec.persons)),
            "birth_date": tf.dates(people.birth_day[rec.persons]),
            "phone": rec.phone,
            "email": rec.email,
            "extracted_at": ctx.extracted_at("cards", len(rec.persons)),
        },
        meta={"near_dup": rec.near_dup},
    )
    return [cardholders, card_accounts, card_tx], {"records": rec}
