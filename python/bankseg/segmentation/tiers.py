"""Value tiers: the effective tier after hysteresis, over the raw tiers the SQL rules give.

The RFM scores and the raw tier rules are SQL (``int_segment_tier_scores_monthly``, pinned by dbt unit tests;
doc blocks ``segment_rfm_scores`` and ``segment_tiers``), reading every threshold from the
``ref_segment_tier_config`` seed. What is sequential - a customer's tier this month depends on last month's -
is here: :func:`apply_hysteresis` and :func:`effective_tier_history`, with the ladder and the downgrade delay
from the same seed.

**Hysteresis** (:func:`apply_hysteresis`), per customer over consecutive month ends, on the *ladder* of ranked
tiers (``tier_ladder`` in the config, highest first, e.g. ``high_value|potential|mass|inactive``):

- an upgrade (raw tier above the effective one at month end t) takes effect at the next month end, t+1, even
  if the raw tier falls back at t+1 (the downgrade count then starts);
- a downgrade takes effect at the month end that completes ``downgrade_after_months`` consecutive months with
  the raw tier below the effective one, to the highest raw tier of those months (so a customer who sat in
  potential and mass for 3 months goes to potential, and on to mass if mass continues long enough);
  ``downgrade_after_months = 1`` downgrades at once;
- tiers outside the ladder (``churned``, ``new``, ``at_risk``) are states, not value levels: they take effect
  in the month they are raw, and leaving them takes the raw tier at once;
- a customer's first month, or the month after a gap in the history, takes the raw tier.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from .config import ConfigLike, as_list, read_config, require


@dataclass(frozen=True)
class TierConfig:
    """Parsed tier parameters (see the module doc for every key)."""

    params: Mapping[str, Any]

    @classmethod
    def from_config(cls, config: ConfigLike | TierConfig) -> TierConfig:
        """Read and check a config table or dict; raises ``KeyError`` naming missing keys.

        Only the hysteresis keys are read here; the SQL rules' parameters are checked by the singular test
        assert_segment_tier_config_is_valid.
        """
        if isinstance(config, TierConfig):
            return config
        params = read_config(config)
        require(params, ("tier_ladder", "downgrade_after_months"), "tier")
        return cls(params=params)

    def __getitem__(self, key: str) -> Any:
        return self.params[key]

    @property
    def tier_rank(self) -> dict[str, int]:
        """Ranks of the ``tier_ladder`` key (highest first in the config, highest rank here)."""
        require(self.params, ("tier_ladder",), "tier")
        return tier_rank_from_ladder(as_list(self.params["tier_ladder"]))

    @property
    def downgrade_after_months(self) -> int:
        """The ``downgrade_after_months`` key."""
        require(self.params, ("downgrade_after_months",), "tier")
        return int(self.params["downgrade_after_months"])


def tier_rank_from_ladder(ladder: Sequence[str]) -> dict[str, int]:
    """Ranks for a ladder listed highest first: ``["high_value", "mass"]`` -> ``{"high_value": 2, "mass": 1}``."""
    ladder = [str(t) for t in ladder]
    if len(set(ladder)) != len(ladder):
        raise ValueError(f"tier ladder names a tier twice: {ladder}")
    return {tier: len(ladder) - i for i, tier in enumerate(ladder)}


def apply_hysteresis(
    history: pd.DataFrame,
    tier_rank: Mapping[str, int],
    downgrade_after_months: int,
    *,
    customer_column: str = "customer_id",
    date_column: str = "month_end_date",
    tier_column: str = "raw_tier",
) -> pd.DataFrame:
    """Effective tiers from raw tiers with the bank's hysteresis (rules in the module doc).

    ``history`` has one row per customer and month end. Returns, sorted by customer and date: the customer and
    date columns, ``raw_tier``, ``effective_tier``, ``months_below`` (consecutive months with the raw tier below
    the effective one, counted towards a downgrade) and ``is_tier_change`` (the effective tier differs from the
    customer's previous month; False in a customer's first month).
    """
    if downgrade_after_months < 1:
        raise ValueError("downgrade_after_months must be at least 1")
    rank = dict(tier_rank)
    ordered = history[[customer_column, date_column, tier_column]].sort_values(
        [customer_column, date_column], kind="mergesort"
    )
    dates = pd.to_datetime(ordered[date_column])
    month_number = (dates.dt.year * 12 + dates.dt.month).to_numpy(dtype="int64")
    customer_codes = pd.factorize(ordered[customer_column], sort=False)[0]
    # sorted, so two rows of one customer and month are neighbours
    if ((customer_codes[1:] == customer_codes[:-1]) & (month_number[1:] == month_number[:-1])).any():
        raise ValueError(f"history has more than one row per {customer_column} and month")
    raws = ordered[tier_column].astype("string")
    # tiers as integer codes (0 = missing), with the ladder rank of each code (-1 = not on the ladder)
    codes, names = pd.factorize(raws, use_na_sentinel=True)
    codes = codes.astype("int64") + 1
    code_rank = np.array([-1, *[rank.get(str(name), -1) for name in names]], dtype="int64")
    effective, below, change = _hysteresis_by_month(
        customer_codes, month_number, codes, code_rank, downgrade_after_months
    )
    labels = np.array([pd.NA, *[str(name) for name in names]], dtype=object)
    return pd.DataFrame(
        {
            customer_column: ordered[customer_column].to_numpy(),
            date_column: ordered[date_column].to_numpy(),
            "raw_tier": pd.array(raws.to_numpy(dtype=object), dtype="string"),
            "effective_tier": pd.array(labels[effective], dtype="string"),
            "months_below": below,
            "is_tier_change": change,
        }
    )


def _hysteresis_by_month(
    customer_codes: np.ndarray,
    month_number: np.ndarray,
    codes: np.ndarray,
    code_rank: np.ndarray,
    downgrade_after_months: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The rules of :func:`apply_hysteresis` on rows sorted by customer and month, all customers at once.

    The state machine is sequential within a customer, so it steps through the k-th month of every customer
    together (as many steps as the longest history, 12 to 24 for the monthly marts) with NumPy arrays: one Python
    iteration per row took most of int_segment_tiers_monthly's time at scale (5.4 s of 9.8 s on 1.2M rows). Codes
    index ``code_rank``; the downgrade run is a buffer of ``downgrade_after_months`` codes per customer.
    Returns per row: the effective tier code, the months below, the tier-change flag.
    """
    n = len(codes)
    effective_out = np.zeros(n, dtype="int64")
    below_out = np.zeros(n, dtype="int64")
    change_out = np.zeros(n, dtype=bool)
    if n == 0:
        return effective_out, below_out, change_out
    starts = np.flatnonzero(np.r_[True, customer_codes[1:] != customer_codes[:-1]])
    lengths = np.diff(np.r_[starts, n])
    customers = len(starts)
    width = downgrade_after_months
    effective = np.zeros(customers, dtype="int64")
    pending = np.full(customers, -1, dtype="int64")
    run = np.zeros((customers, width), dtype="int64")
    run_length = np.zeros(customers, dtype="int64")
    positions = np.arange(width)
    for step in range(int(lengths.max())):
        who = np.flatnonzero(lengths > step)  # customers with a k-th month
        row = starts[who] + step
        raw = codes[row]
        first = step == 0
        restart = np.ones(len(who), dtype=bool) if first else month_number[row] - month_number[row - 1] != 1
        before = effective[who]
        eff = before.copy()
        pend = pending[who]
        runs = run[who]
        length = run_length[who]
        reset = restart | (code_rank[raw] < 0) | (code_rank[eff] < 0)
        eff[reset], pend[reset], length[reset] = raw[reset], -1, 0
        go = ~reset
        took = go & (pend >= 0)  # the upgrade decided last month end takes effect now
        eff[took], pend[took], length[took] = pend[took], -1, 0
        raw_rank, eff_rank = code_rank[raw], code_rank[eff]
        up = go & (raw_rank > eff_rank)
        pend[up], length[up] = raw[up], 0
        length[go & (raw_rank == eff_rank)] = 0
        down = np.flatnonzero(go & (raw_rank < eff_rank))
        runs[down, length[down]] = raw[down]
        length[down] += 1
        done = down[length[down] >= width]
        if len(done):
            held = runs[done]
            ranks = np.where(positions < length[done, None], code_rank[held], -2)
            top = ranks.max(axis=1)
            eff[done] = held[np.arange(len(done)), np.argmax(ranks == top[:, None], axis=1)]
            last = width - 1 - np.argmax((ranks == top[:, None])[:, ::-1], axis=1)
            keep = length[done] - last - 1
            shifted = np.take_along_axis(held, np.minimum(positions + last[:, None] + 1, width - 1), axis=1)
            runs[done] = np.where(positions < keep[:, None], shifted, 0)
            length[done] = keep
        effective[who], pending[who], run[who], run_length[who] = eff, pend, runs, length
        effective_out[row] = eff
        below_out[row] = length
        change_out[row] = False if first else before != eff
    return effective_out, below_out, change_out


def effective_tier_history(raw: pd.DataFrame, config: ConfigLike | TierConfig) -> pd.DataFrame:
    """Effective tiers (hysteresis) over the raw tiers of ``int_segment_tier_scores_monthly``.

    ``raw`` has one row per customer and month end with ``raw_tier_code`` and the RFM scores (the raw tier rules
    run in SQL, where dbt unit tests pin them); only the ladder and ``downgrade_after_months`` of the config are
    used here. Output sorted by customer and month, one row per input row.
    """
    cfg = TierConfig.from_config(config)
    scores = ["recency_score", "frequency_score", "monetary_score", "rfm_score"]
    frame = raw.assign(month_end_date=pd.to_datetime(raw["month_end_date"]))
    frame = frame.sort_values(["customer_id", "month_end_date"], kind="mergesort").reset_index(drop=True)
    # apply_hysteresis returns its rows in the same (customer, month) order, so its columns are taken as they are
    effective = apply_hysteresis(
        frame.rename(columns={"raw_tier_code": "raw_tier"}), cfg.tier_rank, cfg.downgrade_after_months
    )
    if not (
        np.array_equal(effective["customer_id"].to_numpy(), frame["customer_id"].to_numpy())
        and np.array_equal(effective["month_end_date"].to_numpy(), frame["month_end_date"].to_numpy())
    ):
        raise ValueError("hysteresis returned its rows in another order than the raw tier rows")
    out = frame[["customer_id", "month_end_date", *scores]].copy()
    out["month_end_date"] = out["month_end_date"].dt.date
    for column in scores:
        out[column] = out[column].astype("int64")
    out["raw_tier"] = effective["raw_tier"].astype(str).to_numpy()
    out["tier_code"] = effective["effective_tier"].astype(str).to_numpy()
    out["months_below_tier"] = effective["months_below"].astype("int64").to_numpy()
    out["is_tier_change"] = effective["is_tier_change"].to_numpy()
    return out
