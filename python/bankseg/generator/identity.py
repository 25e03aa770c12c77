"""Person records of the source systems, including near-duplicate records.

A near duplicate is the same person entered a second time in one system under
a second key (a new customer number at another branch, a second sign-up),
with exactly one identity field written differently: the phone in another
format, the e-mail in other letter case / with spaces, or a typo in the name.
Its key comes from the near-duplicate block of the system's key space.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from bankseg.generator.dirt import near_duplicate_variant
from bankseg.generator.keys import BLOCK
from bankseg.generator.people import People, format_name

#: (system, table, key column, key space)
PERSON_TABLES = (
    ("core_banking", "parties", "party_id", "party"),
    ("loans", "borrowers", "borrower_id", "borrower"),
    ("cards", "cardholders", "cardholder_id", "cardholder"),
    ("digital", "users", "user_id", "user"),
    ("crm", "contacts", "contact_id", "contact"),
    ("feedback", "respondents", "respondent_id", "respondent"),
    ("kyc", "subjects", "subject_id", "subject"),
)
_TABLE = {s: (t, k, ks) for s, t, k, ks in PERSON_TABLES}


@dataclass
class NearDups:
    persons: np.ndarray  # local person index
    keys: pa.Array
    phone: pa.Array
    email: pa.Array | None
    names: dict[str, pa.Array]

    def name(self, system: str) -> pa.Array:
        return self.names[system]


def near_duplicates(
    ctx, system: str, members: np.ndarray, log, people: People, with_email: bool = True, with_name: bool = True
) -> NearDups:
    """Pick about ``dirt_rate`` of a system's person records to be recorded a second time."""
    table, key_col, space = _TABLE[system]
    rng = ctx.rng(f"near_dup.{system}")
    rate = ctx.dirt_rate
    sel = members[rng.random(len(members)) < rate] if rate > 0 else members[:0]
    log.add("near_duplicate", system, table, key_col, len(sel))
    keys = ctx.keys[space].keys(BLOCK + people.gidx[sel])
    idx = pa.array(sel, type=pa.int64())
    phone = people.phone.take(idx)
    email = people.email.take(idx) if with_email else None
    name = format_name(system, people.surname.take(idx), people.given.take(idx)) if with_name else None
    ph, em, nm = near_duplicate_variant(phone, email, name, rng)
    names = {system: nm} if nm is not None else {}
    return NearDups(persons=sel, keys=keys, phone=ph, email=em, names=names)


@dataclass
class PersonRecords:
    """Primary records of a system's members followed by their near-duplicate records."""

    persons: np.ndarray  # local person index of every record
    keys: pa.Array
    name: pa.Array | None
    phone: pa.Array
    email: pa.Array | None
    near_dup: np.ndarray  # bool per record
    n_primary: int
    primary_keys: pa.Array


def person_records(ctx, people: People, system: str, members: np.ndarray, log, *, with_email: bool = True,
                   with_name: bool = True, email_null: float = 0.0, phone_null: float = 0.0,
                   phone_or_email: bool = False) -> PersonRecords:  # fmt: skip
    """Identity columns of a system's person table, in the system's conventions, with near duplicates."""
    _, _, space = _TABLE[system]
    rng = ctx.rng(f"identity.{system}")
    n = len(members)
    idx = pa.array(members, type=pa.int64())
    keys = ctx.keys[space].keys(people.gidx[members])
    phone = people.phone.take(idx)
    email = people.email.take(idx) if with_email else None
    ph_ok = rng.random(n) >= phone_null
    em_ok = rng.random(n) >= email_null
    if phone_or_email:
        ph_ok |= ~em_ok
    phone = pc.if_else(pa.array(ph_ok), phone, pa.scalar(None, pa.string()))
    if email is not None:
        email = pc.if_else(pa.array(em_ok), email, pa.scalar(None, pa.string()))
    name = format_name(system, people.surname.take(idx), people.given.take(idx)) if with_name else None
    nd = near_duplicates(ctx, system, members, log, people, with_email=with_email, with_name=with_name)
    k = len(nd.persons)
    persons = np.concatenate([members, nd.persons])
    all_keys = pa.concat_arrays([keys, nd.keys])
    phone = pa.concat_arrays([phone, nd.phone])
    if email is not None:
        email = pa.concat_arrays([email, nd.email])
    if name is not None:
        name = pa.concat_arrays([name, nd.name(system)])
    near = np.r_[np.zeros(n, dtype=bool), np.ones(k, dtype=bool)]
    return PersonRecords(persons, all_keys, name, phone, email, near, n, keys)
