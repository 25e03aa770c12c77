"""Digital banking: app / web users and their events.

Users log in with their phone number or e-mail; household members who share
a phone sign up with their e-mail.  Event volume follows the digital trait,
mobile share is higher for young people, iOS share rises with income.
Churners' users are closed around the churn month.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from bankseg.generator import textfmt as tf
from bankseg.generator.context import EXTRACT_SECOND, Ctx
from bankseg.generator.dirt import Tab
from bankseg.generator.identity import person_records
from bankseg.generator.keys import BLOCK
from bankseg.generator.people import People

EVENT_TYPES = ("LOGIN", "TRANSFER", "BILLPAY", "VIEW")
_SEQ4 = tf.digits(np.arange(10000), 4)


def _logistic(x):
    return 1.0 / (1.0 + np.exp(-x))


def build_digital(ctx: Ctx, people: People, act: np.ndarray, log) -> tuple[list[Tab], dict]:
    cal = ctx.cal
    rng = ctx.rng("digital")
    members = np.flatnonzero(people.is_digital)
    rec = person_records(ctx, people, "digital", members, log, with_name=False, email_null=0.6, phone_null=0.1,
                         phone_or_email=True)  # fmt: skip
    pers = rec.persons
    n_users = len(pers)
    n = rec.n_primary
    # registration: after becoming a customer, from 2013 on; near duplicates registered again later
    start = np.maximum(np.minimum(people.onboarding_day[pers], cal.end), tf.day_of("2013-01-01"))
    fade_day = np.where(people.is_churned[pers], cal.month_start[np.maximum(people.fade_start[pers], 0)], cal.end + 1)
    hi = np.minimum(cal.end, fade_day - 1)
    reg = start + (np.maximum(hi - start, 0) * rng.random(n_users) ** 2).astype(np.int64)
    reg_sec = cal.draw_seconds("MOB", rng.random(n_users), rng.random(n_users))
    status = np.zeros(n_users, dtype=np.int64)
    status = np.where(people.is_churned[pers] & (rng.random(n_users) < 0.7), 2, status)
    status = np.where((status == 0) & (rng.random(n_users) < 0.02), 1, status)
    # login: the phone, else the e-mail (household members who share a phone use their e-mail)
    shared = people.household_role[pers] == 3
    shared |= (people.household_role[pers] == 1) & (people.male[pers] == 0)
    phone_valid = np.asarray(rec.phone.is_valid())
    use_phone = phone_valid & ~shared & (rng.random(n_users) < 0.7)
    login = pc.if_else(pa.array(use_phone), people.phone.take(pa.array(pers)), people.email.take(pa.array(pers)))
    # near-duplicate users need a login of their own: a nickname
    nick = tf.join(
        pc.utf8_lower(people.given.take(pa.array(pers))),
        tf.num_text(ctx.keys["user"].numbers(BLOCK + people.gidx[pers]) % 100000),
    )
    login = pc.if_else(pa.array(rec.near_dup), nick, login)
    style = rng.integers(0, 3, n_users).astype(np.int8)
    given = people.given.take(pa.array(pers))
    display = pc.choose(
        pa.array(style),
        given,
        tf.join(given, tf.join(pc.utf8_slice_codeunits(people.surname.take(pa.array(pers)), 0, 1), "."), sep=" "),
        tf.join(pc.utf8_lower(given), tf.from_fixed(tf.digits(tf.ymd(people.birth_day[pers])[0] % 100, 2))),
    )
    users = Tab(
        "digital",
        "users",
        {
            "user_id": rec.keys,
            "login_id": login,
            "display_name": display,
            "phone": rec.phone,
            "email": rec.email,
            "registered_at": tf.timestamps(reg, reg_sec),
            "status_code": tf.take(("A", "L", "C"), status),
            "extracted_at": ctx.extracted_at("digital", n_users),
        },
        meta={"near_dup": rec.near_dup},
    )

    # events of primary users (near-duplicate sign-ups are abandoned: no events)
    rnge = ctx.rng("digital.events")
    up = pers[:n]
    reg_p = reg[:n]
    closed_day = np.where(
        status[:n] == 2,
        np.where(people.is_churned[up], cal.month_start[np.maximum(people.churn_month[up], 0)] + 10, cal.end),
        cal.end + 1,
    )
    ua, um = np.nonzero((reg_p[:, None] <= cal.month_end[None, :]) & (closed_day[:, None] >= cal.month_start[None, :]))
    ep = up[ua]
    ms, me = cal.month_start[um], cal.month_end[um]
    lo = np.maximum(ms, reg_p[ua])
    hi = np.minimum(me, closed_day[ua])
    frac = np.clip((hi - lo + 1) / (cal.month_last[um] - ms + 1), 0, 1)
    lam = (
        (0.3 + 5.5 * _logistic(0.8 * (people.t("digital")[ep] - 1.0)))
        * cal.month_factor["digital"][um]
        * act[ep, um]
        * frac
    )
    cnt = np.minimum(rnge.poisson(lam), 2000)
    e_um = np.repeat(np.arange(len(ua)), cnt)
    epp = ep[e_um]
    n_events = len(e_um)
    # event type weights depend on the person only: cumulate them per person, compare per event
    bus = _logistic(1.2 * people.t("business") - 1.5)
    inv = _logistic(people.t("invest"))
    w = np.stack([np.full(people.n, 4.5), 1.5 + 2.5 * bus, np.full(people.n, 1.0), 1.5 + 2.0 * inv], axis=1)
    c = np.cumsum(w, axis=1)
    x = rnge.random(n_events) * c[:, -1][epp]
    etype = np.zeros(n_events, dtype=np.int64)
    for j in range(c.shape[1]):
        etype += x > c[:, j][epp]
    etype = np.minimum(etype, 3)
    young = np.clip((45 - people.age[epp]) / 25, 0, 1)
    mob = rnge.random(n_events) < 0.45 + 0.45 * young
    ios_p = _logistic(1.2 * (people.t("log_income")[epp] - 12))
    ios = ((people.gidx[epp] * 2654435761) % 1000) / 1000 < ios_p  # a person keeps one phone
    os_ = np.where(mob, np.where(ios, 0, 1), 2)
    day = cal.draw_days(lo[e_um], hi[e_um], rnge.random(n_events), "digital")
    secs = cal.draw_seconds("MOB", rnge.random(n_events), rnge.random(n_events))
    order = np.argsort(e_um.astype(np.int64) * (32 * 86400) + (day - ms[e_um]) * 86400 + secs, kind="stable")
    e_um, etype, os_, mob, day, secs = (x[order] for x in (e_um, etype, os_, mob, day, secs))
    starts = np.r_[0, np.flatnonzero(np.diff(e_um)) + 1] if n_events else np.zeros(0, dtype=np.int64)
    seq = np.arange(n_events) - np.repeat(starts, np.diff(np.r_[starts, n_events]))
    abs_month = (cal.month_year - 1970) * 12 + cal.month_moy - 1
    user_num = tf.digits(ctx.keys["txn_user"].numbers(people.gidx[up]), 10)
    month_num = tf.digits(abs_month % 1000, 3)
    eid = tf.from_fixed(
        tf.concat_fixed(b"EV", user_num[ua[e_um]], month_num[um[e_um]], _SEQ4[np.minimum(seq, 9999)], n=n_events)
    )
    events = Tab(
        "digital",
        "events",
        {
            "event_id": eid,
            "user_id": rec.primary_keys.take(pa.array(ua[e_um])),
            "event_ts": tf.timestamps(day, secs),
            "event_type": tf.take(EVENT_TYPES, etype),
            "channel_code": tf.take(("WEB", "MOB"), mob.astype(np.int64)),
            "device_os": tf.take(("IOS", "ANDROID", "WEB"), os_),
            "extracted_at": ctx.extracted_at("digital", n_events),
        },
        meta={
            "event_day": day,
            "extract_second": EXTRACT_SECOND["digital"],
            "orphan_maker": lambda k, g: ctx.keys["user"].keys(2 * BLOCK + g.integers(0, BLOCK, k)),
        },
    )
    return [users, events], {"records": rec}
