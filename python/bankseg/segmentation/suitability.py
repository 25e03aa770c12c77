"""Suitability of an offer: a product's risk rating (R1-R5) against the customer's KYC risk level (C1-C5).

A product rated ``Rn`` may be offered to a customer with a *valid* (unexpired) KYC level ``Cm`` only when
``n <= m``. A customer without a valid KYC level (expired, missing, or an unreadable level) may only be offered
products rated up to ``max_rating_without_valid_kyc`` (R1 by default; config key
``suitability_max_rating_without_valid_kyc``). An unreadable or missing product rating is never suitable.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from .config import ConfigLike, read_config

_RATING = re.compile(r"^\s*R(\d+)\s*$", re.IGNORECASE)
_LEVEL = re.compile(r"^\s*C(\d+)\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class SuitabilityPolicy:
    """The highest product rating number allowed without a valid KYC level."""

    max_rating_without_valid_kyc: int = 1

    @classmethod
    def from_config(cls, config: ConfigLike | SuitabilityPolicy | None) -> SuitabilityPolicy:
        """Read ``suitability_max_rating_without_valid_kyc`` from a config table or dict (default 1)."""
        if config is None:
            return cls()
        if isinstance(config, SuitabilityPolicy):
            return config
        params = read_config(config)
        return cls(int(params.get("suitability_max_rating_without_valid_kyc", cls.max_rating_without_valid_kyc)))


def _number(value: Any, pattern: re.Pattern[str]) -> float:
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return np.nan
    match = pattern.match(str(value))
    return float(match.group(1)) if match else np.nan


def _valid(value: Any) -> bool:
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return False
    return bool(value)


def is_suitable(
    product_risk_rating: Any,
    kyc_level: Any,
    kyc_valid: Any,
    policy: SuitabilityPolicy | ConfigLike | None = None,
) -> np.ndarray | pd.Series | bool:
    """Whether each product rating may be offered to each customer (rule in the module doc), vectorised.

    Arguments are scalars or equal-length sequences (broadcast like numpy). Returns a bool for three scalars, a
    Series (with the index of the first Series argument) when any argument is a Series, else a bool array.
    ``kyc_valid`` missing counts as not valid.
    """
    policy = SuitabilityPolicy.from_config(policy)
    args = (product_risk_rating, kyc_level, kyc_valid)
    index = next((a.index for a in args if isinstance(a, pd.Series)), None)
    arrays = [np.asarray(a.to_numpy(dtype=object) if isinstance(a, pd.Series) else a, dtype=object) for a in args]
    ratings, levels, valid = np.broadcast_arrays(*arrays)
    shape = ratings.shape
    rating_n = np.array([_number(v, _RATING) for v in ratings.ravel()], dtype="float64").reshape(shape)
    level_n = np.array([_number(v, _LEVEL) for v in levels.ravel()], dtype="float64").reshape(shape)
    is_valid = np.array([_valid(v) for v in valid.ravel()], dtype=bool).reshape(shape) & ~np.isnan(level_n)
    with np.errstate(invalid="ignore"):
        allowed = ~np.isnan(rating_n) & (
            (is_valid & (rating_n <= level_n)) | (rating_n <= policy.max_rating_without_valid_kyc)
        )
    if index is not None:
        return pd.Series(allowed, index=index, name="is_suitable")
    if allowed.ndim == 0:
        return bool(allowed)
    return allowed
