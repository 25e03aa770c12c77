"""Planted dirt: the defects real source extracts have, each counted exactly.

Row-level kinds are assigned to disjoint slices of one uniform draw per table,
so a row carries at most one of them and every other column of a dirtied row
stays clean (a test can recount each kind from the files).  Two kinds add rows
instead: ``exact_duplicate`` (an identical copy of a row, appended to the same
file) and ``near_duplicate`` (the same person recorded again under a second
key, built by the system's builder, see :func:`near_duplicate_variant`).
Near-duplicate records get no other dirt.  Recount rules (on DISTINCT rows):

================== ==================================================================
kind               recount
================== ==================================================================
exact_duplicate    rows minus distinct rows
near_duplicate     ground_truth.system_keys rows with is_near_duplicate
phone_format       phone with a non-digit character (clean: 11 plain digits)
email_format       email differing from lower(trim(email))
name_typo          name tokens (lower-cased, split on spaces) differ from the person's
whitespace_case    value differs from its clean form only by spaces / letter case
invalid_date       non-null date text that does not parse as YYYY-MM-DD[ HH:MM:SS]
negative_age       birth_date after onboarding_date (parties) or after the end date
unknown_code       non-null code outside the seed's code set
wrong_sign_amount  amount < 0
orphan_fk          key not present in the parent table
late_arriving      extracted_at later than the system's normal extract time
junk_identifier    phone in JUNK_PHONES or email in JUNK_EMAILS
================== ==================================================================
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from bankseg.generator import textfmt as tf
from bankseg.generator.reference import JUNK_EMAILS, JUNK_PHONES

KINDS = (
    "exact_duplicate", "near_duplicate", "phone_format", "email_format", "name_typo", "whitespace_case",
    "invalid_date", "negative_age", "unknown_code", "wrong_sign_amount", "orphan_fk", "late_arriving",
    "junk_identifier",
)  # fmt: skip

#: junk identifiers are rare: this share of the dirt rate
JUNK_SHARE = 0.1
#: row kinds of one table never take more than this share of its rows together
MAX_DIRTY_SHARE = 0.9


class DirtLog:
    """Counts of dirtied rows per (kind, system, table, column)."""

    def __init__(self):
        self.counts: dict[tuple[str, str, str, str], int] = {}

    def add(self, kind: str, system: str, table: str, column: str, count: int) -> None:
        if kind not in KINDS:
            raise ValueError(kind)
        key = (kind, system, table, column)
        self.counts[key] = self.counts.get(key, 0) + int(count)

    def merge(self, other: DirtLog) -> None:
        for k, v in other.counts.items():
            self.counts[k] = self.counts.get(k, 0) + v

    def rows(self) -> list[tuple[str, str, str, str, int]]:
        return [(*k, v) for k, v in sorted(self.counts.items())]

    def by_kind(self) -> dict[str, int]:
        out = {k: 0 for k in KINDS}
        for (kind, *_), v in self.counts.items():
            out[kind] += v
        return out


@dataclass
class Tab:
    """One landing table of one chunk while it is built: columns plus helper arrays for dirt."""

    system: str
    name: str
    cols: dict[str, pa.Array | np.ndarray]
    meta: dict[str, np.ndarray] = field(default_factory=dict)

    @property
    def n(self) -> int:
        return len(next(iter(self.cols.values())))

    def arrow(self) -> pa.Table:
        return pa.table(
            {k: v if isinstance(v, pa.Array | pa.ChunkedArray) else pa.array(v) for k, v in self.cols.items()}
        )


@dataclass(frozen=True)
class Spot:
    """One row-level dirt kind applied to one column of a table."""

    kind: str
    column: str
    codes: tuple[str, ...] = ()  # unknown_code: values to write
    style: str = ""  # invalid_date: 'date' or 'ts'; negative_age: 'onboarding' or 'future'


def _replace(arr: pa.Array, mask: np.ndarray, values: pa.Array) -> pa.Array:
    """``arr`` with the rows of ``mask`` replaced by ``values`` (in order)."""
    if not mask.any():
        return arr
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    w = tf.fixed_width(arr)
    if w is not None and tf.fixed_width(values) == w:  # same-width text: patch the bytes
        b = tf.fixed_bytes(arr, w)
        b[mask] = tf.fixed_bytes(values, w)
        return tf.from_fixed(b)
    return pc.replace_with_mask(arr, pa.array(mask), values.cast(arr.type))


def phone_variants(phones: pa.Array, rng: np.random.Generator) -> pa.Array:
    """The same 11-digit numbers written the ways other systems and people write them."""
    a = pc.utf8_slice_codeunits(phones, 0, 3)
    b = pc.utf8_slice_codeunits(phones, 3, 7)
    c = pc.utf8_slice_codeunits(phones, 7, 11)
    styles = [
        tf.join("+86 ", tf.join(a, b, c, sep="-")),
        tf.join("0086 ", phones),
        tf.join(a, b, c, sep=" "),
        tf.join("(+86)", phones),
        tf.join("+86", phones),
        tf.join(a, b, c, sep="-"),
    ]
    pick = rng.integers(0, len(styles), len(phones)).astype(np.int8)
    return pc.choose(pa.array(pick), *styles)


def email_variants(emails: pa.Array, rng: np.random.Generator) -> pa.Array:
    """Upper/mixed case or surrounding spaces; always differs from lower(trim(email))."""
    at = pc.split_pattern(emails, "@", max_splits=1)
    local = pc.list_element(at, 0)
    dom = pc.list_element(at, 1)
    styles = [
        pc.utf8_upper(emails),
        tf.join(pc.utf8_capitalize(local), pc.utf8_upper(dom), sep="@"),
        tf.join(" ", emails, " "),
        tf.join(emails, "  "),
        tf.join(" ", pc.utf8_upper(emails)),
    ]
    pick = rng.integers(0, len(styles), len(emails)).astype(np.int8)
    out = pc.choose(pa.array(pick), *styles)
    same = pc.equal(out, emails)
    return pc.if_else(same, tf.join(" ", emails), out)


def whitespace_case_variants(values: pa.Array, rng: np.random.Generator) -> pa.Array:
    """Stray spaces (leading, trailing, doubled) or changed letter case; never equal to the input."""
    styles = [
        pc.utf8_lower(values),
        pc.utf8_upper(values),
        pc.utf8_swapcase(values),
        tf.join(" ", values),
        tf.join(values, "  "),
        pc.replace_substring(values, " ", "  ", max_replacements=1),
        tf.join("  ", pc.utf8_lower(values), " "),
    ]
    pick = rng.integers(0, len(styles), len(values)).astype(np.int8)
    out = pc.choose(pa.array(pick), *styles)
    same = pc.equal(out, values)
    return pc.if_else(same, tf.join(values, " "), out)


_SIMILAR = (("zh", "z"), ("sh", "s"), ("ch", "c"), ("ng", "n"), ("ang", "an"), ("ing", "in"), ("ei", "ai"), ("x", "s"))


def typo(name: str, r: np.random.Generator) -> str:
    """One realistic typo in a pinyin name (a letter swapped, dropped, doubled or a similar sound)."""
    tokens = name.split(" ")
    for _ in range(20):
        t = int(r.integers(0, len(tokens)))
        word = tokens[t]
        if len(word) < 2:
            continue
        how = int(r.integers(0, 4))
        low = word.lower()
        if how == 0:  # similar-sounding pinyin
            opts = [(a, b) for a, b in _SIMILAR if a in low] + [
                (b, a) for a, b in _SIMILAR if b in low and a not in low
            ]
            if not opts:
                continue
            a, b = opts[int(r.integers(0, len(opts)))]
            i = low.index(a)
            rep = b.upper() if word[i : i + len(a)].isupper() and len(word) > 1 and word.isupper() else b
            if i == 0 and word[0].isupper():
                rep = rep[:1].upper() + rep[1:]
            new = word[:i] + rep + word[i + len(a) :]
        elif how == 1:  # transposition
            i = int(r.integers(1, len(word) - 1)) if len(word) > 2 else 0
            new = word[:i] + word[i + 1] + word[i] + word[i + 2 :]
            if i == 0 and word[0].isupper() and not word.isupper():
                new = new[0].upper() + new[1:].lower()
        elif how == 2:  # dropped letter (not the first)
            i = int(r.integers(1, len(word)))
            new = word[:i] + word[i + 1 :]
        else:  # doubled letter
            i = int(r.integers(1, len(word)))
            new = word[:i] + word[i] + word[i:]
        if new and new.lower() != low:
            tokens[t] = new
            return " ".join(tokens)
    return name + "n" if not name.endswith("n") else name + "g"


def invalid_date_values(values: pa.Array, rng: np.random.Generator, style: str) -> pa.Array:
    """Impossible or unparseable dates built from the original values."""
    n = len(values)
    year = pc.utf8_slice_codeunits(values, 0, 4)
    day = pc.utf8_slice_codeunits(values, 8, 10)
    rest = pc.utf8_slice_codeunits(values, 10, 19) if style == "ts" else pa.array([""] * n)
    styles = [
        tf.join(year, "-02-30", rest),
        tf.join(year, "-04-31", rest),
        tf.join(year, "-13-", day, rest),
        tf.join(day, "/13/", year, rest),
        pa.array(["N/A"] * n),
        pa.array([""] * n),
        tf.join("0000-00-00", rest),
        tf.join(year, "-00-", day, rest),
    ]
    pick = rng.integers(0, len(styles), n).astype(np.int8)
    return pc.choose(pa.array(pick), *styles)


def near_duplicate_variant(
    phone: pa.Array, email: pa.Array | None, name: pa.Array | None, rng: np.random.Generator
) -> tuple[pa.Array, pa.Array | None, pa.Array | None]:
    """Identity fields of a second record of the same person: one of phone format, e-mail case, name typo."""
    n = len(phone)
    options = [0] + ([1] if email is not None else []) + ([2] if name is not None else [])
    how = np.array(options)[rng.integers(0, len(options), n)]
    if email is not None:
        how = np.where((how == 1) & ~np.asarray(email.is_valid()), 0, how)
    ph = _replace(
        phone,
        (how == 0) & np.asarray(phone.is_valid()),
        phone_variants(phone.filter(pa.array((how == 0) & np.asarray(phone.is_valid()))), rng),
    )
    em = email
    if email is not None:
        m = how == 1
        em = _replace(email, m, email_variants(email.filter(pa.array(m)), rng))
    nm = name
    if name is not None:
        m = how == 2
        sub = name.filter(pa.array(m)).to_pylist()
        nm = _replace(name, m, pa.array([typo(s, rng) for s in sub], type=pa.string()))
    return ph, em, nm


def apply_row_dirt(
    tab: Tab,
    spots: list[Spot],
    rate: float,
    rng: np.random.Generator,
    log: DirtLog,
    ctx,
    exempt: np.ndarray | None = None,
) -> None:
    """Apply every row-level kind of ``spots`` to disjoint random rows of ``tab`` and log the counts."""
    n = tab.n
    if n == 0 or rate <= 0 or not spots:
        for s in spots:
            log.add(s.kind, tab.system, tab.name, s.column, 0)
        return
    rates = np.array([rate * (JUNK_SHARE if s.kind == "junk_identifier" else 1.0) for s in spots])
    if rates.sum() > MAX_DIRTY_SHARE:
        rates *= MAX_DIRTY_SHARE / rates.sum()
    edges = np.concatenate([[0.0], np.cumsum(rates)])
    u = rng.random(n)
    for k, s in enumerate(spots):
        sel = (u >= edges[k]) & (u < edges[k + 1])
        if exempt is not None:
            sel &= ~exempt
        col = tab.cols[s.column]
        if isinstance(col, pa.Array | pa.ChunkedArray) and s.kind not in (
            "orphan_fk",
            "unknown_code",
            "junk_identifier",
        ):
            sel &= (
                np.asarray(col.is_valid()) if isinstance(col, pa.Array) else np.asarray(col.combine_chunks().is_valid())
            )
        if s.kind == "late_arriving":
            sel &= tab.meta["event_day"] >= ctx.cal.end - 29
            sel &= tab.meta.get("valid_ts", np.ones(n, dtype=bool))
        if s.kind == "negative_age" and s.style == "onboarding":
            sel &= tab.meta["onboarding_day"] > tab.meta["birth_day"] + 400
        cnt = int(sel.sum())
        log.add(s.kind, tab.system, tab.name, s.column, cnt)
        if cnt == 0:
            continue
        r = rng
        if s.kind == "phone_format":
            tab.cols[s.column] = _replace(col, sel, phone_variants(col.filter(pa.array(sel)), r))
        elif s.kind == "email_format":
            tab.cols[s.column] = _replace(col, sel, email_variants(col.filter(pa.array(sel)), r))
        elif s.kind == "name_typo":
            sub = col.filter(pa.array(sel)).to_pylist()
            tab.cols[s.column] = _replace(col, sel, pa.array([typo(x, r) for x in sub], type=pa.string()))
        elif s.kind == "whitespace_case":
            tab.cols[s.column] = _replace(col, sel, whitespace_case_variants(col.filter(pa.array(sel)), r))
        elif s.kind == "invalid_date":
            tab.cols[s.column] = _replace(col, sel, invalid_date_values(col.filter(pa.array(sel)), r, s.style))
            if "valid_ts" in tab.meta:
                tab.meta["valid_ts"] = tab.meta["valid_ts"] & ~sel
        elif s.kind == "negative_age":
            if s.style == "onboarding":
                base = tab.meta["onboarding_day"][sel]
                new_day = base + r.integers(1, 3000, cnt)
            else:
                new_day = ctx.cal.end + r.integers(1, 3650, cnt)
            tab.cols[s.column] = _replace(col, sel, tf.dates(new_day))
        elif s.kind == "unknown_code":
            vals = np.array(s.codes, dtype=object)[r.integers(0, len(s.codes), cnt)]
            tab.cols[s.column] = _replace(col, sel, pa.array(vals.tolist(), type=pa.string()))
        elif s.kind == "wrong_sign_amount":
            arr = np.array(col, dtype=np.float64, copy=True)
            arr[sel] = -np.abs(arr[sel])
            tab.cols[s.column] = arr
        elif s.kind == "orphan_fk":
            tab.cols[s.column] = _replace(col, sel, tab.meta["orphan_maker"](cnt, r))
        elif s.kind == "late_arriving":
            ev = tab.meta["event_day"][sel]
            late = ev + r.integers(3, 10, cnt)
            late = np.where(late <= ctx.cal.end, ctx.cal.end + r.integers(1, 4, cnt), late)
            secs = np.full(cnt, tab.meta["extract_second"], dtype=np.int64)
            tab.cols[s.column] = _replace(col, sel, tf.timestamps(late, secs))
        elif s.kind == "junk_identifier":
            pool = JUNK_PHONES if s.column == "phone" else JUNK_EMAILS
            vals = np.array(pool, dtype=object)[r.integers(0, len(pool), cnt)]
            tab.cols[s.column] = _replace(col, sel, pa.array(vals.tolist(), type=pa.string()))
        else:  # pragma: no cover - every kind is handled above
            raise ValueError(s.kind)


def exact_duplicates(tab: Tab, rate: float, rng: np.random.Generator, log: DirtLog) -> pa.Table:
    """The table as Arrow with identical copies of about ``rate`` of its rows appended."""
    t = tab.arrow()
    if tab.n == 0 or rate <= 0:
        log.add("exact_duplicate", tab.system, tab.name, "*", 0)
        return t
    idx = np.flatnonzero(rng.random(tab.n) < rate)
    log.add("exact_duplicate", tab.system, tab.name, "*", len(idx))
    if len(idx) == 0:
        return t
    return pa.concat_tables([t, t.take(pa.array(idx))])
