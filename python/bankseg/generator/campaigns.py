"""Marketing campaigns with a planted true uplift, and who converted.

Each campaign targets CRM contacts by a segment-specific propensity, holds out
a random control group (10-20 %) that is not contacted, and converts people
with probability ``base * r`` (control) or ``base * r + uplift`` (treatment),
where ``r`` is an individual propensity with mean 1.  The planted uplift is
therefore the expected treated-minus-control conversion rate; one campaign has
an uplift of exactly zero.  A conversion is an opened product: the product
builders (core banking, loans, cards) open it on ``product_opened_date``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from bankseg.generator.calendar import Calendar
from bankseg.generator.people import ARCHETYPES, People

#: (name, objective, product, target segment, channel, archetype weights
#:  young, salaried, affluent, business, retiree, dormant)
CAMPAIGN_TEMPLATES = (
    ("Special-rate one-year time deposit", "XSELL", "TD12", "savers and retirees with idle current-account balances",
     "SMS", (0.2, 2.0, 1.0, 0.5, 3.0, 0.3)),
    ("Money-market fund starter", "XSELL", "WM1", "salaried customers without investments",
     "MOB", (1.5, 3.0, 0.5, 0.8, 0.5, 0.3)),
    ("Balanced fund for the mass affluent", "UPSELL", "WM3", "mass-affluent investors",
     "RM", (0.1, 1.0, 4.0, 1.0, 0.5, 0.1)),
    ("Platinum card upgrade", "UPSELL", "CCP", "high-income card holders",
     "CC", (0.3, 0.5, 3.0, 1.5, 0.2, 0.1)),
    ("First credit card", "ACQUIRE", "CCS", "young mobile customers without a credit card",
     "MOB", (4.0, 1.0, 0.2, 0.5, 0.1, 0.5)),
    ("Consumer loan pre-approval", "XSELL", "CON", "salaried and young customers aged 25-45",
     "SMS", (2.0, 2.0, 0.3, 0.5, 0.1, 0.3)),
    ("Business loan offer", "XSELL", "BUS", "small business owners",
     "RM", (0.1, 0.2, 0.5, 5.0, 0.1, 0.1)),
    ("Savings win-back bonus", "WINBACK", "SAV02", "customers with falling balances and activity",
     "CC", (1.0, 1.0, 1.0, 1.0, 1.0, 1.0)),
    ("Gold card cross-sell", "XSELL", "CCG", "salaried customers with a standard card",
     "EML", (1.5, 2.0, 1.0, 1.0, 0.2, 0.2)),
    ("Bond fund for retirees", "XSELL", "WM2", "retirees with time deposits",
     "BRN", (0.1, 1.0, 1.0, 0.3, 4.0, 0.2)),
)  # fmt: skip
COST_PER_CONTACT = {"SMS": 0.05, "EML": 0.01, "MOB": 0.02, "CC": 6.5, "RM": 45.0, "BRN": 18.0}
PLANTED_UPLIFTS = (0.0, 0.01, 0.015, 0.02, 0.025, 0.03, 0.04, 0.05, 0.06, 0.08)


@dataclass(frozen=True)
class Campaign:
    idx: int
    campaign_id: str
    name: str
    objective: str
    product: str
    target_segment: str
    channel: str
    start_day: int
    end_day: int
    cost_per_contact: float
    true_uplift: float
    base_rate: float
    target_rate: float
    control_share: float
    weights: tuple[float, ...]


def plan_campaigns(seed: int, cal: Calendar) -> list[Campaign]:
    rng = np.random.default_rng([seed & 0xFFFFFFFF, 2])
    uplifts = np.array(PLANTED_UPLIFTS)[rng.permutation(len(PLANTED_UPLIFTS))]
    out = []
    lo = cal.start + min(60, cal.ndays // 4)
    for i, (name, objective, product, segment, channel, weights) in enumerate(CAMPAIGN_TEMPLATES):
        dur = int(rng.integers(28, 57))
        hi = max(lo, cal.end - 90)
        start = int(lo + rng.integers(0, hi - lo + 1))
        end = min(start + dur, cal.end)
        start = min(start, end)
        year = int(str(np.datetime64(start, "D"))[:4])
        out.append(
            Campaign(
                idx=i,
                campaign_id=f"CMP{year}{i + 1:03d}",
                name=name,
                objective=objective,
                product=product,
                target_segment=segment,
                channel=channel,
                start_day=start,
                end_day=end,
                cost_per_contact=COST_PER_CONTACT[channel],
                true_uplift=float(uplifts[i]),
                base_rate=round(float(rng.uniform(0.01, 0.05)), 3),
                target_rate=round(float(rng.uniform(0.05, 0.14)), 3),
                control_share=round(float(rng.uniform(0.10, 0.20)), 3),
                weights=weights,
            )
        )
    return out


@dataclass
class Assignment:
    """Campaign contacts of one chunk (one row per person and campaign)."""

    person: np.ndarray  # local person index
    campaign: np.ndarray
    contact_day: np.ndarray
    treated: np.ndarray
    converted: np.ndarray
    opened_day: np.ndarray  # -1 if not converted
    response: np.ndarray  # 0 ACC, 1 DEC, 2 NR, -1 none (control)
    response_day: np.ndarray  # -1 if none

    def conversions(self, products: tuple[str, ...], campaigns: list[Campaign]):
        """(person, campaign, product, opened_day) of conversions into any of ``products``."""
        prod = np.array([campaigns[c].product for c in self.campaign], dtype=object)
        sel = self.converted & np.isin(prod, products) if len(prod) else np.zeros(0, dtype=bool)
        return self.person[sel], self.campaign[sel], prod[sel], self.opened_day[sel]


def assign(rng: np.random.Generator, people: People, campaigns: list[Campaign], cal: Calendar) -> Assignment:
    n = people.n
    shares = np.array([a.share for a in ARCHETYPES])
    parts = []
    for c in campaigns:
        w = np.array(c.weights)
        norm = float(shares @ w)
        arch_w = w[people.arch]
        w2 = np.where(people.arch2 >= 0, w[np.maximum(people.arch2, 0)], arch_w)
        arch_w = (1 - people.mix_weight) * arch_w + people.mix_weight * w2
        start_m = cal.month_of(np.array([c.start_day]))[0]
        # everyone targeted can still convert: a churner's relationship must outlast the conversion window
        last_open = min(c.end_day + 30, cal.end)
        churn_day = np.where(people.is_churned, cal.month_start[np.maximum(people.churn_month, 0)], cal.end + 1)
        alive = churn_day > last_open
        eligible = people.is_crm & (people.onboarding_day < c.start_day) & alive
        if c.objective == "WINBACK":
            fading = people.is_churned & (people.fade_start <= start_m) & (people.churn_month > start_m)
            arch_w = np.where(fading, 8.0, arch_w)
        if c.product == "CCS":
            eligible &= ~people.is_cardholder
        if c.product in ("CCG", "CCP"):
            eligible &= people.is_cardholder
        if c.product in ("WM1", "WM2", "WM3"):
            eligible &= people.has_core
        if c.product in ("TD12", "SAV02"):
            eligible &= people.has_core
        p = np.clip(c.target_rate * arch_w / norm, 0, 0.9)
        chosen = eligible & (rng.random(n) < p)
        idx = np.flatnonzero(chosen)
        k = len(idx)
        contact = c.start_day + (rng.random(k) * (c.end_day - c.start_day + 1)).astype(np.int64)
        contact = np.minimum(contact, c.end_day)
        treated = rng.random(k) >= c.control_share
        r = np.exp(rng.normal(-0.125, 0.5, k))
        p0 = np.clip(c.base_rate * r, 0, 0.5)
        p1 = np.minimum(p0 + c.true_uplift, 1.0)
        converted = rng.random(k) < np.where(treated, p1, p0)
        delay = 1 + np.floor(rng.exponential(10, k)).astype(np.int64)
        opened = np.minimum(contact + delay, min(c.end_day + 30, cal.end))
        opened = np.maximum(opened, contact)
        opened = np.where(converted, opened, -1)
        resp = np.full(k, -1, dtype=np.int8)
        rday = np.full(k, -1, dtype=np.int64)
        u = rng.random(k)
        # treated: converters mostly accepted, the others declined, ignored, or accepted and never opened
        resp = np.where(treated & converted, np.where(u < 0.9, 0, 2), resp)
        resp = np.where(treated & ~converted, np.where(u < 0.25, 1, np.where(u < 0.28, 0, 2)), resp)
        quick = contact + rng.integers(0, 8, k)
        rday = np.where(treated & (resp == 0) & converted, np.maximum(opened - rng.integers(0, 3, k), contact), rday)
        rday = np.where(treated & (resp != 2) & ~converted, np.minimum(quick, cal.end), rday)
        rday = np.where(treated & (resp == 2), np.where(converted, opened, min(c.end_day, cal.end)), rday)
        rday = np.where(~treated & converted, opened, rday)
        parts.append((idx, np.full(k, c.idx), contact, treated, converted, opened, resp, rday))
    if not parts:
        e = np.zeros(0, dtype=np.int64)
        return Assignment(e, e, e, e.astype(bool), e.astype(bool), e, e.astype(np.int8), e)
    cols = [np.concatenate([p[i] for p in parts]) for i in range(8)]
    return Assignment(*cols)


def stats(a: Assignment, n_campaigns: int) -> np.ndarray:
    """(n_campaigns, 4): treated, control, treated conversions, control conversions."""
    out = np.zeros((n_campaigns, 4), dtype=np.int64)
    for j, mask in enumerate((a.treated, ~a.treated, a.treated & a.converted, ~a.treated & a.converted)):
        out[:, j] = np.bincount(a.campaign[mask], minlength=n_campaigns)
    return out


__all__ = ["Assignment", "Campaign", "assign", "plan_campaigns", "stats"]
