"""Record keys: every source system numbers its records its own way.

A key is ``prefix + digits`` where the digits are an affine permutation of an
integer index (``(a * index + b) mod 10**width``) with ``a`` and ``b`` drawn from
the seed, so keys look arbitrary, never collide, need no global counter (chunks
compute their keys independently) and differ between systems for the same
person.  Index blocks keep kinds of records apart::

    [0, BLOCK)           primary records (person index, or person * slots + slot)
    [BLOCK, 2*BLOCK)     near-duplicate records of the same people
    [2*BLOCK, 3*BLOCK)   ids that exist nowhere (used for orphan foreign keys)
"""

from __future__ import annotations

import zlib

import numpy as np
import pyarrow as pa

from bankseg.generator import textfmt as tf

BLOCK = 100_000_000


class KeySpace:
    """A bijective, seed-dependent numbering ``index -> prefix + width digits``.

    Two affine rounds with a digit rotation in between, so consecutive indexes do
    not give evenly spaced keys.
    """

    def __init__(self, seed: int, name: str, prefix: str, width: int, slots: int = 1, hexa: bool = False):
        self.prefix = prefix
        self.width = width
        self.slots = slots
        self.hexa = hexa
        self.modulus = 16**width if hexa else 10**width
        self.split = 16 ** (width // 2) if hexa else 10 ** (width // 2)
        rng = np.random.default_rng([seed & 0xFFFFFFFF, zlib.crc32(name.encode())])
        max_index = 3 * BLOCK * slots
        self.a = self._multiplier(rng, min(self.modulus - 1, (2**62) // max_index))
        self.b = int(rng.integers(0, self.modulus))
        self.a2 = self._multiplier(rng, min(self.modulus - 1, (2**62) // self.modulus))
        self.b2 = int(rng.integers(0, self.modulus))

    def _multiplier(self, rng: np.random.Generator, limit: int) -> int:
        while True:
            a = int(rng.integers(max(3, limit // 10), max(limit, 4)))
            if a % 2 and (self.hexa or a % 5):
                return a

    def numbers(self, index: np.ndarray, slot: np.ndarray | int = 0) -> np.ndarray:
        idx = np.asarray(index, dtype=np.int64) * self.slots + np.asarray(slot, dtype=np.int64)
        if self.hexa:  # uint64 arithmetic wraps modulo 2**64, a multiple of the modulus
            m, sp = np.uint64(self.modulus), np.uint64(self.split)
            x = (idx.astype(np.uint64) * np.uint64(self.a) + np.uint64(self.b)) % m
            x = (x % sp) * (m // sp) + x // sp
            return (x * np.uint64(self.a2) + np.uint64(self.b2)) % m
        x = (idx * self.a + self.b) % self.modulus
        x = (x % self.split) * (self.modulus // self.split) + x // self.split
        return (x * self.a2 + self.b2) % self.modulus

    def keys(self, index: np.ndarray, slot: np.ndarray | int = 0) -> pa.Array:
        nums = self.numbers(index, slot)
        body = tf.hexdigits(nums, self.width) if self.hexa else tf.digits(nums, self.width)
        return tf.from_fixed(tf.concat_fixed(self.prefix.encode(), body, n=len(body)))
