"""The population: planted archetypes, latent traits, identities, households, churn.

Every person gets an archetype and a vector of latent traits drawn around the
archetype's means; every behaviour in the bank (balances, transaction rates,
channels, products, satisfaction) is driven by the traits, never by the
archetype label directly.  ``overlap`` scales the within-archetype spread of the
traits and the share of people whose traits are blended with a second
archetype, so no single feature separates the archetypes (1.0 realistic, 2.0
harder, 0.5 easier).  At 1.0 a customer's combined behaviour identifies the
archetype for most customers while each single feature overlaps widely
(``bankseg evaluate segments`` reports both: the clusters' adjusted Rand index
and ``best_single_feature_ari``).

The population is generated once for the whole bank (it is small: a few dozen
numbers per person), so resident-ID numbers can be made unique globally;
chunks of people are then turned into source-system records independently.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from bankseg.generator import textfmt as tf
from bankseg.generator.calendar import Calendar
from bankseg.generator.keys import KeySpace
from bankseg.generator.reference import (
    BIRTH_REGIONS,
    CITIES,
    EMAIL_DOMAINS,
    GIVEN_FEMALE,
    GIVEN_MALE,
    PHONE_PREFIXES,
    SURNAMES,
    load_reference,
)

#: traits on a log scale (their spread is mean-preserving on the natural scale)
LOG_TRAITS = ("log_income", "wealth", "activity")
TRAITS = ("log_income", "wealth", "activity", "digital", "card", "invest", "td", "loan", "business", "branch", "mood")
#: within-archetype standard deviation of each trait at overlap 1.0 (0.7 of the first calibration's
#: 0.45 / 0.9 / 0.6 / 1.0: with those, even a classifier trained on the truth reached an adjusted Rand index of
#: only ~0.7 from the warehouse's features, so no segmentation could be judged against the archetypes)
TRAIT_SD = {
    "log_income": 0.315, "wealth": 0.63, "activity": 0.42, "digital": 0.7, "card": 0.7, "invest": 0.7, "td": 0.7,
    "loan": 0.7, "business": 0.7, "branch": 0.7, "mood": 0.7,
}  # fmt: skip
#: share of people (at overlap 1.0, proportional to ``overlap``) whose traits are blended with a second
#: archetype, and the range of the second archetype's weight in the blend (a blend stays a minority part, so
#: the planted label remains the person's main type)
BLEND_SHARE = 0.06
BLEND_WEIGHT = (0.1, 0.35)
#: how far the archetypes' trait means sit from the population's (share-weighted) mean, as a multiple of the
#: deviations listed in ``ARCHETYPES``: behaviour observes the traits through noisy draws (product flags,
#: Poisson counts), so the listed means alone left the archetypes too faint in the data
TRAIT_SEPARATION = 1.7


@dataclass(frozen=True)
class Archetype:
    """A planted behavioural type; the means of the latent traits of its members.

    Traits: ``log_income`` (log CNY a year), ``wealth`` (log of balances relative
    to income), ``activity`` (log of monthly spending transactions), and logits of
    digital use, card, investment, time-deposit, loan and business propensity,
    branch preference, and ``mood`` (satisfaction).
    """

    name: str
    share: float
    description: str
    age: tuple[float, float, float, float]  # mean, sd, min, max (years at the end date)
    traits: dict[str, float]
    occupation: dict[str, float]
    education: dict[str, float]
    churn_rate: float
    new_customer_rate: float


ARCHETYPES: tuple[Archetype, ...] = (
    Archetype(
        "young_digital_spender", 0.22,
        "20-35, mobile first, frequent small card and app payments, low balances, consumer credit",
        (29, 4.5, 20, 45),
        {"log_income": 11.55, "wealth": -1.2, "activity": 1.75, "digital": 2.5, "card": 1.0, "invest": -1.8,
         "td": -2.2, "loan": -0.9, "business": -3.0, "branch": -2.0, "mood": 0.0},
        {"01": 0.30, "03": 0.25, "05": 0.20, "08": 0.10, "06": 0.05, "02": 0.05, "99": 0.05},
        {"10": 0.15, "20": 0.55, "30": 0.20, "60": 0.10},
        0.16, 0.22,
    ),
    Archetype(
        "salaried_saver", 0.25,
        "25-60 payroll customers, regular salary credits, savings and time deposits, mortgages",
        (42, 9, 24, 62),
        {"log_income": 11.85, "wealth": 0.0, "activity": 1.35, "digital": 0.8, "card": -0.2, "invest": -1.0,
         "td": 0.3, "loan": -0.6, "business": -3.0, "branch": -0.3, "mood": 0.3},
        {"01": 0.25, "02": 0.15, "03": 0.30, "05": 0.10, "06": 0.15, "99": 0.05},
        {"10": 0.10, "20": 0.45, "30": 0.25, "60": 0.15, "70": 0.05},
        0.09, 0.10,
    ),
    Archetype(
        "affluent_investor", 0.10,
        "35-70, high income and balances, wealth-management funds, premium cards, relationship managers",
        (49, 9, 30, 78),
        {"log_income": 12.9, "wealth": 0.9, "activity": 1.55, "digital": 0.8, "card": 0.9, "invest": 2.0,
         "td": 0.5, "loan": -0.9, "business": -1.5, "branch": 0.3, "mood": 0.2},
        {"01": 0.40, "04": 0.25, "02": 0.15, "03": 0.15, "99": 0.05},
        {"10": 0.35, "20": 0.45, "30": 0.10, "60": 0.10},
        0.07, 0.08,
    ),
    Archetype(
        "small_business_owner", 0.10,
        "self-employed, many transfers and merchant settlements, business loans and credit lines",
        (44, 8, 26, 70),
        {"log_income": 12.45, "wealth": 0.2, "activity": 2.6, "digital": 1.0, "card": 0.2, "invest": -0.6,
         "td": -0.8, "loan": 0.4, "business": 2.5, "branch": 0.2, "mood": -0.2},
        {"04": 0.80, "05": 0.10, "01": 0.05, "99": 0.05},
        {"20": 0.25, "30": 0.30, "60": 0.30, "70": 0.15},
        0.10, 0.10,
    ),
    Archetype(
        "retiree", 0.18,
        "60+, pension credits, large time deposits, branch visits, little digital or card use",
        (69, 6, 56, 92),
        {"log_income": 11.0, "wealth": 1.0, "activity": 0.7, "digital": -1.6, "card": -1.6, "invest": -0.5,
         "td": 2.0, "loan": -3.0, "business": -3.0, "branch": 1.8, "mood": 0.5},
        {"09": 0.90, "07": 0.05, "99": 0.05},
        {"20": 0.10, "30": 0.15, "60": 0.35, "70": 0.40},
        0.05, 0.05,
    ),
    Archetype(
        "dormant", 0.15,
        "customers with an account but almost no activity and small balances",
        (41, 14, 18, 85),
        {"log_income": 11.15, "wealth": -2.4, "activity": -1.2, "digital": -1.0, "card": -1.6, "invest": -3.0,
         "td": -2.0, "loan": -3.0, "business": -3.0, "branch": 0.0, "mood": -0.4},
        {"03": 0.15, "05": 0.15, "06": 0.15, "07": 0.10, "10": 0.20, "08": 0.05, "99": 0.20},
        {"20": 0.15, "30": 0.25, "60": 0.35, "70": 0.25},
        0.12, 0.06,
    ),
)  # fmt: skip
ARCHETYPE_NAMES = tuple(a.name for a in ARCHETYPES)

OCCUPATIONS = ("01", "02", "03", "04", "05", "06", "07", "08", "09", "10", "99")
SALARIED_OCCUPATIONS = ("01", "02", "03", "05", "06")
EDUCATIONS = ("10", "20", "30", "60", "70", "90")
MARITAL = ("10", "20", "30", "40", "90")
#: payday (day of month) and its probability: salaries are credited around the 10th and the 25th
PAYDAYS = ((10, 0.40), (25, 0.25), (15, 0.15), (5, 0.10), (20, 0.10))

# system-specific conventions of writing a name (part of what identity resolution must undo)
NAME_STYLE = {
    "core_banking": "Surname Given",
    "loans": "SURNAME Given",
    "cards": "SURNAME GIVEN",
    "crm": "Given Surname",
    "feedback": "Surname Given",
    "kyc": "SURNAME Given",
}


def format_name(system: str, surname: pa.Array, given: pa.Array) -> pa.Array:
    """A person's full name in a system's convention (see ``NAME_STYLE``)."""
    style = NAME_STYLE[system]
    if style == "Surname Given":
        return tf.join(surname, given, sep=" ")
    if style == "SURNAME Given":
        return tf.join(pc.utf8_upper(surname), given, sep=" ")
    if style == "SURNAME GIVEN":
        return pc.utf8_upper(tf.join(surname, given, sep=" "))
    if style == "Given Surname":
        return tf.join(given, surname, sep=" ")
    raise ValueError(style)


def national_id_check(body17: np.ndarray) -> np.ndarray:
    """ISO 7064 MOD 11-2 check characters for 17-digit bodies (``S17``) -> ``S1``."""
    d = np.frombuffer(np.ascontiguousarray(body17).tobytes(), dtype=np.uint8).reshape(len(body17), 17)
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    r = np.full(len(body17), -48 * sum(weights), dtype=np.int64)
    for j, w in enumerate(weights):  # exact integer sum, column by column
        r += d[:, j] * np.int64(w)
    return np.frombuffer(b"10X98765432", dtype="S1")[r % 11]


def _dup_rows(key: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """The ``rows`` (ascending) whose key equals the key of an earlier row of ``rows``, ascending."""
    o = np.argsort(key, kind="stable")
    sk = key[o]
    same = np.r_[False, sk[1:] == sk[:-1]]
    return np.sort(rows[o[same]])


def _redraw_clashes(rng: np.random.Generator, base: np.ndarray, seq: np.ndarray, male: np.ndarray, tries: int = 50):
    """Redraw ``seq`` (in place) of every row whose ``base * 1000 + seq`` repeats an earlier row's, up to
    ``tries`` rounds.

    Same draws as checking the whole population with ``np.unique`` every round: after the first round only
    the redrawn rows can clash, with each other, with rows redrawn before, or with one of the first
    round's distinct keys (kept sorted, so only the redrawn rows are looked up).
    """
    key = base * 1000 + seq
    order = np.argsort(key, kind="stable")
    sk = key[order]
    same = np.r_[False, sk[1:] == sk[:-1]]
    dup = np.sort(order[same])
    keep_keys, keep_rows = sk[~same], order[~same]
    active = np.ones(len(keep_keys), dtype=bool)
    extra = np.zeros(0, dtype=np.int64)  # redrawn rows whose current key is unique
    for it in range(tries):
        if not len(dup):
            return
        seq[dup] = rng.integers(0, 500, len(dup)) * 2 + male[dup].astype(np.int64)
        if it == tries - 1:
            return
        ks = base[dup] * 1000 + seq[dup]
        j = np.minimum(np.searchsorted(keep_keys, ks), len(keep_keys) - 1)  # keep_keys is never empty
        hit = np.unique(j[(keep_keys[j] == ks) & active[j]])
        cand = np.unique(np.concatenate([dup, keep_rows[hit], extra]).astype(np.int64))
        dup = _dup_rows(base[cand] * 1000 + seq[cand], cand)
        active[hit[np.isin(keep_rows[hit], dup)]] = False
        extra = np.setdiff1d(cand, dup)


def national_id_valid(text: str) -> bool:
    """True for a well-formed 18-character PRC resident ID with a correct check character."""
    if not isinstance(text, str) or len(text) != 18 or not text[:17].isdigit():
        return False
    body = np.array([text[:17].encode()], dtype="S17")
    return national_id_check(body)[0].decode() == text[17]


def _cat(rng: np.random.Generator, probs: np.ndarray) -> np.ndarray:
    """Row-wise categorical draw from an (n, k) probability matrix."""
    c = np.cumsum(probs, axis=1)
    c /= c[:, -1:]
    u = rng.random(len(probs))[:, None]
    return np.minimum((u > c).sum(axis=1), probs.shape[1] - 1)


def _cat_table(rng: np.random.Generator, table: np.ndarray, which: np.ndarray) -> np.ndarray:
    """``_cat(rng, table[which])`` without building the (n, k) matrix: the cumulative rows are computed once
    per table row (the same arithmetic, so the same values) and then gathered."""
    c = np.cumsum(table, axis=1)
    c /= c[:, -1:]
    u = rng.random(len(which))
    above = np.zeros(len(which), dtype=np.int64)
    for j in range(table.shape[1]):  # (u > c[which]).sum(axis=1), one column at a time
        above += u > c[:, j][which]
    return np.minimum(above, table.shape[1] - 1)


def _logistic(x):
    return 1.0 / (1.0 + np.exp(-x))


@dataclass
class People:
    """Column arrays for a range of people (index ``gidx`` is global)."""

    gidx: np.ndarray
    arch: np.ndarray
    arch2: np.ndarray  # secondary archetype whose traits are blended in, -1 if none
    mix_weight: np.ndarray
    traits: np.ndarray  # (n, len(TRAITS))
    male: np.ndarray
    birth_day: np.ndarray
    age: np.ndarray
    surname: pa.Array
    given: pa.Array
    gender_code: np.ndarray  # index into ('1', '2', '9')
    national_id: pa.Array
    phone: pa.Array
    email: pa.Array
    city: np.ndarray  # index into CITIES
    occupation: np.ndarray  # index into OCCUPATIONS
    education: np.ndarray
    marital: np.ndarray
    annual_income: np.ndarray
    income_known: np.ndarray
    onboarding_day: np.ndarray
    home_branch: np.ndarray  # index into reference branches
    payday: np.ndarray
    is_churned: np.ndarray
    churn_month: np.ndarray  # month index in the window, -1 if not churned
    fade_start: np.ndarray  # first month of fading activity, -1 if not churned
    household: np.ndarray  # household number, -1 if none
    household_role: np.ndarray  # 0 none, 1 spouse, 2 parent, 3 child
    has_core: np.ndarray
    is_cardholder: np.ndarray
    is_digital: np.ndarray
    is_borrower: np.ndarray
    is_investor: np.ndarray
    is_kyc: np.ndarray
    is_crm: np.ndarray
    is_respondent: np.ndarray

    @property
    def n(self) -> int:
        return len(self.gidx)

    def t(self, name: str) -> np.ndarray:
        return self.traits[:, TRAITS.index(name)]

    def slice(self, lo: int, hi: int) -> People:
        """A compact copy of people ``lo..hi`` (cheap to send to a worker process)."""
        out = {}
        idx = pa.array(np.arange(lo, hi, dtype=np.int64))
        for f in fields(self):
            v = getattr(self, f.name)
            out[f.name] = v.take(idx) if isinstance(v, pa.Array) else v[lo:hi].copy()
        return People(**out)

    def activity_factor(self, cal: Calendar) -> np.ndarray:
        """(n, months) activity multiplier: 1 normally, fading for churners, 0 after the churn month."""
        m = np.arange(cal.months)[None, :]
        f = np.ones((self.n, cal.months))
        ch = self.is_churned[:, None]
        fs = self.fade_start[:, None]
        cm = self.churn_month[:, None]
        span = np.maximum(cm - fs, 1)
        fading = ch & (m >= fs) & (m < cm)
        f = np.where(fading, 1.0 - (m - fs + 1) / (span + 1), f)
        f = np.where(ch & (m >= cm), 0.0, f)
        onboard_m = cal.month_of(self.onboarding_day)[:, None]
        return np.where(m < onboard_m, 0.0, f)


def generate_people(n: int, seed: int, cal: Calendar, overlap: float) -> People:
    """The whole population (vectorised over ``n``)."""
    ref = load_reference()
    rng = np.random.default_rng([seed & 0xFFFFFFFF, 1])
    k = len(ARCHETYPES)
    shares = np.array([a.share for a in ARCHETYPES])
    arch = rng.choice(k, size=n, p=shares / shares.sum()).astype(np.int8)
    means = np.array([[a.traits[t] for t in TRAITS] for a in ARCHETYPES])
    centre = shares @ means / shares.sum()
    spread = centre + TRAIT_SEPARATION * (means - centre)
    # log-scale traits keep the population's mean on the natural scale (separation must not change volumes)
    weights = shares / shares.sum()
    volume = np.log(weights @ np.exp(means)) - np.log(weights @ np.exp(spread))
    means = spread + np.where(np.isin(TRAITS, LOG_TRAITS), volume, 0.0)
    sd = np.array([TRAIT_SD[t] for t in TRAITS])
    # log-scale traits keep their mean on the natural scale (spread must not change volumes)
    shift = np.where(np.isin(TRAITS, LOG_TRAITS), -0.5 * sd**2 * (overlap**2 - 1), 0.0)
    traits = means[arch] + shift + rng.standard_normal((n, len(TRAITS))) * sd * overlap
    # blend a share of people with a second archetype: real customers are mixtures
    p_mix = min(0.6, BLEND_SHARE * overlap)
    mixed = rng.random(n) < p_mix
    other = (arch + rng.integers(1, k, n)) % k
    w = np.where(mixed, rng.uniform(*BLEND_WEIGHT, n), 0.0)
    blend = means[other] + shift + rng.standard_normal((n, len(TRAITS))) * sd * overlap
    traits = traits * (1 - w[:, None]) + blend * w[:, None]
    arch2 = np.where(mixed, other, -1).astype(np.int8)

    # ages: archetype age band, blended like the traits
    age_mean = np.array([a.age[0] for a in ARCHETYPES])
    age_sd = np.array([a.age[1] for a in ARCHETYPES])
    age_lo = np.array([a.age[2] for a in ARCHETYPES])
    age_hi = np.array([a.age[3] for a in ARCHETYPES])
    age = age_mean[arch] + rng.standard_normal(n) * age_sd[arch] * overlap
    age = np.where(mixed, (1 - w) * age + w * (age_mean[other] + rng.standard_normal(n) * age_sd[other]), age)
    age = np.clip(age, np.minimum(age_lo[arch], 18 + 3 * (overlap > 1)), age_hi[arch] + 5 * overlap)
    age = np.clip(age, 18.2, 95)
    birth_day = (cal.end - age * 365.25).astype(np.int64)
    male = rng.random(n) < np.where(arch == ARCHETYPE_NAMES.index("retiree"), 0.46, 0.51)

    # occupation / education / marital status
    kappa = min(0.8, 0.08 * overlap)
    occ_p = np.array([[a.occupation.get(o, 0.0) for o in OCCUPATIONS] for a in ARCHETYPES])
    occ_global = shares @ occ_p
    occ = _cat_table(rng, (1 - kappa) * occ_p + kappa * occ_global, arch).astype(np.int8)
    retired_idx, student_idx = OCCUPATIONS.index("09"), OCCUPATIONS.index("08")
    occ = np.where((age >= 63) & (rng.random(n) < 0.75), retired_idx, occ)
    occ = np.where((occ == retired_idx) & (age < 50), OCCUPATIONS.index("99"), occ)
    occ = np.where((age < 23) & (rng.random(n) < 0.5), student_idx, occ)
    occ = np.where((occ == student_idx) & (age > 30), OCCUPATIONS.index("03"), occ).astype(np.int8)
    edu_p = np.array([[a.education.get(e, 0.0) for e in EDUCATIONS] for a in ARCHETYPES])
    edu_p[:, EDUCATIONS.index("90")] = 0.03
    edu = _cat_table(rng, (1 - kappa) * edu_p + kappa * (shares @ edu_p), arch).astype(np.int8)
    mar_p = np.array([[0.85, 0.15, 0.0, 0.0, 0.03], [0.45, 0.5, 0.0, 0.05, 0.03], [0.08, 0.8, 0.02, 0.1, 0.03],
                      [0.0, 0.7, 0.22, 0.08, 0.03]])  # fmt: skip
    marital = _cat_table(rng, mar_p, np.select([age < 25, age < 35, age < 60], [0, 1, 2], 3)).astype(np.int8)

    log_income = traits[:, TRAITS.index("log_income")]
    income = np.round(np.exp(log_income) / 100) * 100
    income_known = rng.random(n) > 0.02

    # names
    sn_w = np.array([s[1] for s in SURNAMES])
    sn_idx = rng.choice(len(SURNAMES), size=n, p=sn_w / sn_w.sum())
    g1_m = rng.integers(0, len(GIVEN_MALE), n)
    g1_f = rng.integers(0, len(GIVEN_FEMALE), n)
    g2_m = rng.integers(0, len(GIVEN_MALE), n)
    g2_f = rng.integers(0, len(GIVEN_FEMALE), n)
    two = rng.random(n) < 0.7

    # cities and households
    city_w = np.array([c[1] for c in CITIES], dtype=float)
    city = rng.choice(len(CITIES), size=n, p=city_w / city_w.sum()).astype(np.int16)
    household = np.full(n, -1, dtype=np.int64)
    role = np.zeros(n, dtype=np.int8)
    partner = np.full(n, -1, dtype=np.int64)
    pair_a, pair_b = _pair_households(rng, age, male, n)
    hh = np.arange(len(pair_a))
    household[pair_a] = hh
    household[pair_b] = hh
    spouse = np.abs(age[pair_a] - age[pair_b]) < 15
    role[pair_a] = np.where(spouse, 1, 2)
    role[pair_b] = np.where(spouse, 1, 3)
    partner[pair_b] = pair_a
    city[pair_b] = city[pair_a]
    sn_idx[pair_b] = np.where(spouse, sn_idx[pair_b], sn_idx[pair_a])  # children carry the parent's surname
    marital[pair_a[spouse]] = MARITAL.index("20")
    marital[pair_b[spouse]] = MARITAL.index("20")

    surname = tf.take([s[0] for s in SURNAMES], sn_idx)
    first = pc.if_else(pa.array(male), tf.take(GIVEN_MALE, g1_m), tf.take(GIVEN_FEMALE, g1_f))
    second = pc.if_else(
        pa.array(male), tf.take([g.lower() for g in GIVEN_MALE], g2_m), tf.take([g.lower() for g in GIVEN_FEMALE], g2_f)
    )
    second = pc.if_else(pa.array(two), second, pa.scalar(""))
    given = tf.join(first, second)

    # resident ID: region (birthplace) + birth date + sequence (odd for men) + check character
    n_regions = np.array([len(c[2]) for c in CITIES])
    local_region = np.array([int(c[2][0]) for c in CITIES])[city]
    district = rng.integers(0, 1 << 30, n) % n_regions[city]
    region = np.array([int(r) for c in CITIES for r in c[2]])[np.cumsum(np.r_[0, n_regions[:-1]])[city] + district]
    migrant = rng.random(n) < 0.4
    region = np.where(
        migrant, np.array([int(r) for r in BIRTH_REGIONS])[rng.integers(0, len(BIRTH_REGIONS), n)], region
    )
    region = np.where(region <= 0, local_region, region)
    y, m, d = tf.ymd(birth_day)
    bdate = y * 10000 + m * 100 + d
    seq = rng.integers(0, 500, n) * 2 + male.astype(np.int64)
    _redraw_clashes(rng, region * 100_000_000 + bdate, seq, male)  # resident IDs are unique
    body = tf.concat_fixed(tf.digits(region, 6), tf.digits(bdate, 8), tf.digits(seq, 3), n=n)
    national_id = tf.from_fixed(tf.concat_fixed(body, national_id_check(body), n=n))

    gender_code = np.where(male, 0, 1).astype(np.int8)
    gender_code[rng.random(n) < 0.01] = 2  # "not stated" on a few legacy records

    # phones: unique 8-digit suffix behind a carrier prefix; household members share one phone
    gidx = np.arange(n, dtype=np.int64)
    ks_phone = KeySpace(seed, "phone", "", 8)
    suffix = (ks_phone.numbers(gidx) % 99_999_999) + 1
    prefix = np.array([p.encode() for p in PHONE_PREFIXES], dtype="S3")[rng.integers(0, len(PHONE_PREFIXES), n)]
    phone_b = tf.concat_fixed(prefix, tf.digits(suffix, 8), n=n)
    phone_b[pair_b] = phone_b[pair_a]
    phone = tf.from_fixed(phone_b)

    # e-mails: unique (QQ numbers or a unique number after the pinyin)
    ks_mail = KeySpace(seed, "email", "", 9)
    uniq = ks_mail.numbers(gidx)
    qq = rng.random(n) < 0.4
    dom_w = np.array([d[1] for d in EMAIL_DOMAINS])
    dom = tf.take([d[0] for d in EMAIL_DOMAINS], rng.choice(len(EMAIL_DOMAINS), size=n, p=dom_w / dom_w.sum()))
    sur_l = pc.utf8_lower(surname)
    giv_l = pc.utf8_lower(given)
    style = rng.integers(0, 3, n)
    local = pc.choose(
        pa.array(style.astype(np.int8)),
        tf.join(giv_l, sur_l, sep="."),
        tf.join(sur_l, giv_l),
        tf.join(pc.utf8_slice_codeunits(giv_l, 0, 1), sur_l),
    )
    num = tf.num_text(uniq % 10_000_000)
    name_mail = tf.join(tf.join(local, num), dom, sep="@")
    qq_mail = tf.join(tf.num_text(10_000 + uniq), "qq.com", sep="@")
    email = pc.if_else(pa.array(qq), qq_mail, name_mail)

    # onboarding: most joined before the window, some during it
    new_rate = np.array([a.new_customer_rate for a in ARCHETYPES])[arch]
    is_new = rng.random(n) < new_rate
    adult = birth_day + int(18 * 365.25) + 30
    tenure = np.exp(rng.normal(np.log(6 * 365), 0.8, n))
    onboard = np.where(is_new, cal.start + (rng.random(n) * cal.ndays).astype(np.int64), cal.start - 1 - tenure)
    onboard = np.maximum(onboard, np.maximum(adult, tf.day_of("1996-01-02"))).astype(np.int64)
    onboard = np.minimum(onboard, cal.end)

    branch_codes = [b[0] for b in ref.branches]
    branch_city = [b[1] for b in ref.branches]
    near = {"Suzhou": "Shanghai", "Chongqing": "Chengdu"}
    by_city = []
    for c in CITIES:
        name = near.get(c[0], c[0])
        idx = [i for i, bc in enumerate(branch_city) if bc == name] or list(range(len(branch_codes)))
        by_city.append(idx)
    maxb = max(len(b) for b in by_city)
    table = np.array([(b * maxb)[:maxb] for b in by_city])
    nb = np.array([len(b) for b in by_city])
    home_branch = table[city, rng.integers(0, 1 << 30, n) % nb[city]]
    moved = rng.random(n) < 0.04
    home_branch = np.where(moved, rng.integers(0, len(branch_codes), n), home_branch)

    pd_days = np.array([p[0] for p in PAYDAYS])
    pd_p = np.array([p[1] for p in PAYDAYS])
    payday = pd_days[rng.choice(len(PAYDAYS), size=n, p=pd_p)]

    # churn: a planted month after which the relationship has ended, fading over 2-4 months before it
    churn_rate = np.array([a.churn_rate for a in ARCHETYPES])[arch] * 1.1
    months = cal.months
    is_churned = np.zeros(n, dtype=bool)
    churn_month = np.full(n, -1, dtype=np.int64)
    fade_start = np.full(n, -1, dtype=np.int64)
    if months >= 4:
        cm = rng.integers(min(3, months - 1), months, n)
        fade = rng.integers(2, 5, n)
        fs = np.maximum(cm - fade, 0)
        onboard_m = cal.month_of(onboard)
        ok = onboard_m < fs
        is_churned = (rng.random(n) < churn_rate) & ok
        churn_month = np.where(is_churned, cm, -1)
        fade_start = np.where(is_churned, fs, -1)

    def flag(logit):
        return rng.random(n) < _logistic(logit)

    tr = {t: traits[:, i] for i, t in enumerate(TRAITS)}
    has_core = rng.random(n) > 0.03
    is_cardholder = flag(tr["card"] - 0.3) | ~has_core
    is_digital = flag(tr["digital"] + 0.3) & (has_core | is_cardholder)
    is_borrower = flag(tr["loan"] + 0.5 * tr["business"].clip(0) - 0.5)
    is_investor = has_core & flag(tr["invest"] - 0.5)
    is_kyc = is_investor | (has_core & (rng.random(n) < 0.2))
    is_crm = rng.random(n) < 0.93
    is_respondent = rng.random(n) < 0.22 + 0.1 * is_digital

    return People(
        gidx=gidx, arch=arch, arch2=arch2, mix_weight=w, traits=traits, male=male, birth_day=birth_day, age=age,
        surname=surname, given=given, gender_code=gender_code, national_id=national_id, phone=phone, email=email,
        city=city, occupation=occ, education=edu, marital=marital, annual_income=income, income_known=income_known,
        onboarding_day=onboard, home_branch=home_branch, payday=payday, is_churned=is_churned,
        churn_month=churn_month, fade_start=fade_start, household=household, household_role=role,
        has_core=has_core, is_cardholder=is_cardholder, is_digital=is_digital, is_borrower=is_borrower,
        is_investor=is_investor, is_kyc=is_kyc, is_crm=is_crm, is_respondent=is_respondent,
    )  # fmt: skip


def _pair_households(rng, age, male, n):
    """Pairs of different people who share a household phone and city: spouses and parent/child."""
    idx = np.arange(n)
    cand = rng.random(n) < 0.05
    # spouses: men and women of similar age
    men = idx[cand & male & (age >= 24)]
    women = idx[cand & ~male & (age >= 22)]
    men = men[np.argsort(age[men], kind="stable")]
    women = women[np.argsort(age[women], kind="stable")]
    k = min(len(men), len(women))
    a, b = men[:k], women[:k]
    ok = np.abs(age[a] - age[b]) < 8
    pa_, pb_ = a[ok], b[ok]
    # parents and adult children
    used = np.zeros(n, dtype=bool)
    used[pa_] = used[pb_] = True
    cand2 = (rng.random(n) < 0.03) & ~used
    parents = idx[cand2 & (age >= 50)]
    kids = idx[cand2 & (age >= 19) & (age <= 34)]
    parents = parents[np.argsort(age[parents], kind="stable")]
    kids = kids[np.argsort(age[kids], kind="stable")]
    k2 = min(len(parents), len(kids))
    parents, kids = parents[:k2], kids[:k2]
    ok2 = (age[parents] - age[kids] >= 20) & (age[parents] - age[kids] <= 42)
    return np.concatenate([pa_, parents[ok2]]), np.concatenate([pb_, kids[ok2]])
