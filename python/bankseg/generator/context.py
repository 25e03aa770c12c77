"""Shared state of one generation run and of one chunk of people."""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa

from bankseg.generator import textfmt as tf
from bankseg.generator.calendar import Calendar
from bankseg.generator.keys import KeySpace

#: second of the day each system's nightly extract runs on the end date ("the end date's evening")
EXTRACT_SECOND = {
    "core_banking": 21 * 3600,
    "loans": 21 * 3600 + 1800,
    "cards": 22 * 3600,
    "digital": 23 * 3600,
    "crm": 20 * 3600,
    "feedback": 20 * 3600 + 1800,
    "kyc": 22 * 3600 + 1800,
}

#: (name, prefix, digits, slots per person, hexadecimal)
KEY_SPACES = (
    ("party", "P", 10, 1, False),
    ("account", "6217", 15, 16, False),
    ("holding", "WMH", 12, 16, False),
    ("borrower", "BR", 10, 1, False),
    ("application", "LA", 12, 8, False),
    ("loan", "LN", 12, 8, False),
    ("cardholder", "CH", 10, 1, False),
    ("card", "CA", 12, 8, False),
    ("user", "u", 12, 1, True),
    ("contact", "CRM", 9, 1, False),
    ("campaign_contact", "CC", 12, 16, False),
    ("response", "RS", 12, 16, False),
    ("respondent", "R", 9, 1, False),
    ("survey", "SV", 12, 32, False),
    ("complaint", "CPL", 12, 32, False),
    ("subject", "KYC", 10, 1, False),
    ("assessment", "RA", 12, 16, False),
    # scrambled parent numbers inside composite event ids (transaction, card transaction, event, repayment)
    ("txn_account", "", 10, 16, False),
    ("txn_card", "", 10, 8, False),
    ("txn_user", "", 10, 1, False),
    ("txn_loan", "", 10, 8, False),
)


@dataclass
class RunConfig:
    customers: int
    seed: int
    months: int
    end_day: int
    dirt_rate: float
    overlap: float
    chunk_size: int

    def calendar(self) -> Calendar:
        return Calendar(self.end_day, self.months)


@dataclass
class Ctx:
    cfg: RunConfig
    chunk: int
    cal: Calendar
    campaigns: list
    nav: np.ndarray
    keys: dict[str, KeySpace] = field(default_factory=dict)

    def __post_init__(self):
        if not self.keys:
            self.keys = make_keys(self.cfg.seed)

    @property
    def dirt_rate(self) -> float:
        return self.cfg.dirt_rate

    def rng(self, stream: str) -> np.random.Generator:
        return np.random.default_rng([self.cfg.seed & 0xFFFFFFFF, 1000 + self.chunk, zlib.crc32(stream.encode())])

    def extracted_at(self, system: str, n: int) -> pa.Array:
        return tf.constant(normal_extracted_at(system, self.cal.end), n)


def make_keys(seed: int) -> dict[str, KeySpace]:
    return {name: KeySpace(seed, name, prefix, width, slots, hexa) for name, prefix, width, slots, hexa in KEY_SPACES}


def normal_extracted_at(system: str, end_day: int) -> str:
    s = EXTRACT_SECOND[system]
    return f"{tf.date_text(end_day)} {s // 3600:02d}:{s // 60 % 60:02d}:00"
