"""Feedback: survey respondents, NPS / CSAT surveys and complaints.

Scores follow the person's ``mood`` trait and drop while a churner's activity
fades; complaints are more frequent for unhappy people and cluster in the
months before churn.  Complaints are keyed by the core ``party_id``.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from bankseg.generator import textfmt as tf
from bankseg.generator.context import Ctx
from bankseg.generator.dirt import Tab
from bankseg.generator.identity import person_records
from bankseg.generator.people import People

TOPICS = ("ONBOARD", "DIGITAL", "BRANCH", "FEES", "PRODUCT", "ADVICE")
SURVEY_CHANNELS = ("SMS", "EML", "MOB", "WEB", "BRN", "CC")
CATEGORIES = ("FEES", "SERVICE", "DIGITAL", "CARD", "LOAN", "FRAUD", "OTHER")
OUTCOMES = ("UPHELD", "PARTIAL", "REJECTED", "WITHDRAWN")
COMPLAINT_CHANNELS = ("BRN", "CC", "MOB", "WEB", "EML")


def _logistic(x):
    return 1.0 / (1.0 + np.exp(-x))


def _cat(rng, w):
    c = np.cumsum(w, axis=1)
    return np.minimum((rng.random(len(w))[:, None] * c[:, -1:] > c).sum(axis=1), w.shape[1] - 1)


def build_feedback(ctx: Ctx, people: People, act: np.ndarray, party_key: pa.Array, log) -> tuple[list[Tab], dict]:
    cal = ctx.cal
    n_months = cal.months
    rng = ctx.rng("feedback")
    members = np.flatnonzero(people.is_respondent)
    rec = person_records(ctx, people, "feedback", members, log, email_null=0.3, phone_null=0.2, phone_or_email=True)
    respondents = Tab(
        "feedback",
        "respondents",
        {
            "respondent_id": rec.keys,
            "full_name": rec.name,
            "phone": rec.phone,
            "email": rec.email,
            "extracted_at": ctx.extracted_at("feedback", len(rec.persons)),
        },
        meta={"near_dup": rec.near_dup},
    )
    # surveys: a few per respondent while they are customers
    n_s = 1 + rng.poisson(0.3 * n_months / 12 + 0.5, len(members))
    sp = np.repeat(members, n_s)
    sslot = np.arange(len(sp)) - np.repeat(np.cumsum(n_s) - n_s, n_s)
    lo = np.maximum(people.onboarding_day[sp], cal.start)
    last = np.where(people.is_churned[sp], cal.month_start[np.maximum(people.churn_month[sp], 0)] - 1, cal.end)
    ok = (last >= lo) & (sslot < 32)
    sp, sslot, lo, last = sp[ok], sslot[ok], lo[ok], last[ok]
    n_surveys = len(sp)
    sday = cal.draw_days(lo, last, rng.random(n_surveys), "general")
    sm = cal.month_of(sday)
    fading = people.is_churned[sp] & (sm >= people.fade_start[sp])
    sat = people.t("mood")[sp] - 1.8 * fading + rng.normal(0, 0.9, n_surveys)
    nps = rng.random(n_surveys) < 0.6
    score = np.clip(np.round(7.2 + 1.5 * sat), 0, 10).astype(np.int64)
    dig = _logistic(people.t("digital")[sp])
    new_customer = sday - people.onboarding_day[sp] < 120
    ones = np.ones(n_surveys)
    inv = _logistic(people.t("invest")[sp])
    topic_w = np.stack(
        [np.where(new_customer, 4.0, 0.3), 0.5 + 2.5 * dig, 0.5 + 2 * (1 - dig), ones, 1.2 * ones, 0.3 + inv], axis=1
    )
    topic = _cat(rng, topic_w)
    ch_w = np.stack(
        [np.full(n_surveys, 2.0), np.full(n_surveys, 1.0), 3 * dig, dig, 1 - dig, np.full(n_surveys, 0.5)], axis=1
    )
    sch = _cat(rng, ch_w)
    surveys = Tab(
        "feedback",
        "surveys",
        {
            "survey_response_id": ctx.keys["survey"].keys(people.gidx[sp], sslot),
            "respondent_id": ctx.keys["respondent"].keys(people.gidx[sp]),
            "survey_type": tf.take(("CSAT", "NPS"), nps.astype(np.int64)),
            "survey_date": tf.dates(sday),
            "score": score,
            "channel_code": tf.take(SURVEY_CHANNELS, sch),
            "topic": tf.take(TOPICS, topic),
            "extracted_at": ctx.extracted_at("feedback", n_surveys),
        },
    )
    # complaints of core customers, more while unhappy and while churning
    core = np.flatnonzero(people.has_core)
    pm_p, pm_m = np.nonzero(act[core] > 0)
    pm_p = core[pm_p]
    fad = people.is_churned[pm_p] & (pm_m >= people.fade_start[pm_p]) & (pm_m <= people.churn_month[pm_p])
    lam = 0.006 * np.exp(-0.6 * people.t("mood")[pm_p]) * np.where(fad, 4.0, 1.0)
    cnt = np.minimum(rng.poisson(lam), 5)
    cp = np.repeat(pm_p, cnt)
    cm = np.repeat(pm_m, cnt)
    # number each person's complaints (rows are grouped by person) - at most 32 per person
    first = np.r_[0, np.flatnonzero(np.diff(cp)) + 1] if len(cp) else np.zeros(0, dtype=np.int64)
    cslot = np.arange(len(cp)) - np.repeat(first, np.diff(np.r_[first, len(cp)]))
    cp, cm, cslot = cp[cslot < 32], cm[cslot < 32], cslot[cslot < 32]
    n_compl = len(cp)
    cday = cal.draw_days(cal.month_start[cm], cal.month_end[cm], rng.random(n_compl), "general")
    csec = cal.draw_seconds("WEB", rng.random(n_compl), rng.random(n_compl))
    ones = np.ones(n_compl)
    w = np.stack(
        [2 * ones, 2 * ones, 2.0 * people.is_digital[cp], 2.0 * people.is_cardholder[cp],
         1.5 * people.is_borrower[cp], 0.5 * ones, 0.8 * ones],
        axis=1,
    )  # fmt: skip
    cat = _cat(rng, w)
    dur = np.ceil(rng.exponential(6, n_compl) * np.where(cat == 5, 3, 1)).astype(np.int64)
    resolved = cday + dur
    open_ = (resolved > cal.end) | (rng.random(n_compl) < 0.03)
    rsec = cal.draw_seconds("WEB", rng.random(n_compl), rng.random(n_compl))
    outcome = _cat(rng, np.tile(np.array([0.3, 0.2, 0.4, 0.1]), (n_compl, 1)))
    dg = _logistic(people.t("digital")[cp])
    ch = _cat(rng, np.stack([1 - dg, 1.5 * ones, 2 * dg, 0.5 * ones, 0.3 * ones], axis=1))
    complaints = Tab(
        "feedback",
        "complaints",
        {
            "complaint_id": ctx.keys["complaint"].keys(people.gidx[cp], cslot),
            "party_id": party_key.take(pa.array(cp)),
            "category": tf.take(CATEGORIES, cat),
            "channel_code": tf.take(COMPLAINT_CHANNELS, ch),
            "opened_at": tf.timestamps(cday, csec),
            "resolved_at": tf.timestamps(resolved, rsec, valid=~open_),
            "outcome": tf.take(OUTCOMES, np.where(open_, -1, outcome)),
            "extracted_at": ctx.extracted_at("feedback", n_compl),
        },
    )
    return [respondents, surveys, complaints], {"records": rec}
