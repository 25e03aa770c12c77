"""KYC: investor risk-assessment subjects and their assessments.

A subject is assessed before the first fund purchase and re-assessed about
every two years (``valid_until`` = assessment date + 2 years); some stop being
re-assessed, so their last assessment has expired by the end date.  The risk
level follows investment appetite, wealth and age, and drifts by one level now
and then.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from bankseg.generator import textfmt as tf
from bankseg.generator.campaigns import Assignment
from bankseg.generator.context import Ctx
from bankseg.generator.dirt import Tab
from bankseg.generator.identity import person_records
from bankseg.generator.people import People

RISK = ("C1", "C2", "C3", "C4", "C5")
HORIZON = ("S", "M", "L")
EXPERIENCE = ("NONE", "BASIC", "EXP", "EXPERT")
MAX_ASSESSMENTS = 16


def build_kyc(ctx: Ctx, people: People, asg: Assignment, first_invest: np.ndarray, log) -> tuple[list[Tab], dict]:
    cal = ctx.cal
    rng = ctx.rng("kyc")
    wm = asg.conversions(("WM1", "WM2", "WM3", "WM4", "WM5"), ctx.campaigns)
    need = people.is_kyc.copy()
    need[wm[0]] = True
    first_buy = first_invest.copy()
    if len(wm[0]):
        big = np.iinfo(np.int64).max
        conv_day = np.full(people.n, big)
        np.minimum.at(conv_day, wm[0], wm[3])
        has = conv_day < big
        first_buy = np.where(has, np.where(first_buy >= 0, np.minimum(first_buy, conv_day), conv_day), first_buy)
    members = np.flatnonzero(need)
    rec = person_records(ctx, people, "kyc", members, log, with_email=False, phone_null=0.05)
    subjects = Tab(
        "kyc",
        "subjects",
        {
            "subject_id": rec.keys,
            "full_name": rec.name,
            "national_id": people.national_id.take(pa.array(rec.persons)),
            "birth_date": tf.dates(people.birth_day[rec.persons]),
            "phone": rec.phone,
            "extracted_at": ctx.extracted_at("kyc", len(rec.persons)),
        },
        meta={"near_dup": rec.near_dup},
    )
    # assessment chains
    n = len(members)
    lo = np.maximum(people.onboarding_day[members], cal.start - 6 * 365)
    fb = first_buy[members]
    hi = np.where(fb >= 0, fb - 1, cal.end - 1)
    hi = np.maximum(hi, lo)
    t0 = lo + (rng.random(n) * (hi - lo)).astype(np.int64)
    keep_going = rng.random(n) < 0.75
    days = [t0]
    alive = np.ones(n, dtype=bool)
    for _ in range(MAX_ASSESSMENTS - 1):
        nxt = tf.add_months(days[-1], np.full(n, 24)) - rng.integers(0, 60, n)
        alive = alive & keep_going & (rng.random(n) < 0.9) & (nxt <= cal.end)
        days.append(np.where(alive, nxt, -1))
        if not alive.any():
            break
    chain = np.stack(days, axis=1)
    ai, ak = np.nonzero(chain >= 0)
    aday = chain[ai, ak]
    ap = members[ai]
    invest = people.t("invest")[ap]
    score = invest + 0.3 * people.t("wealth")[ap] - 0.03 * (people.age[ap] - 45) + rng.normal(0, 0.5, len(ai))
    level = np.clip(np.round(2 + 0.8 * score), 0, 4).astype(np.int64)
    horizon = np.where(people.age[ap] > 65, 0, np.where(score > 0.5, 2, 1))
    horizon = np.where(rng.random(len(ai)) < 0.15, rng.integers(0, 3, len(ai)), horizon)
    exp = np.clip(np.round(1 + 0.7 * invest + 0.4 * ak + rng.normal(0, 0.5, len(ai))), 0, 3).astype(np.int64)
    assessments = Tab(
        "kyc",
        "assessments",
        {
            "assessment_id": ctx.keys["assessment"].keys(people.gidx[ap], ak),
            "subject_id": ctx.keys["subject"].keys(people.gidx[ap]),
            "assessment_date": tf.dates(aday),
            "risk_level": tf.take(RISK, level),
            "investment_horizon": tf.take(HORIZON, horizon),
            "investment_experience": tf.take(EXPERIENCE, exp),
            "valid_until": tf.dates(tf.add_months(aday, np.full(len(aday), 24))),
            "extracted_at": ctx.extracted_at("kyc", len(ai)),
        },
    )
    return [subjects, assessments], {"records": rec}
