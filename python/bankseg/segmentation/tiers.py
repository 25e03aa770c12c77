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
    periods = pd.to_datetime(ordered[date_column]).dt.to_period("M")
    if pd.DataFrame({"c": ordered[customer_column].to_numpy(), "p": periods.to_numpy()}).duplicated().any():
        raise ValueError(f"history has more than one row per {customer_column} and month")
    month_number = (periods.dt.year * 12 + periods.dt.month).to_numpy()
    customers = ordered[customer_column].to_numpy(dtype=object)
    raws = ordered[tier_column].astype("string").to_numpy(dtype=object)

    effective_out: list[str] = []
    below_out: list[int] = []
    change_out: list[bool] = []
    effective: str | None = None
    pending: str | None = None
    run: list[str] = []
    for i, raw in enumerate(raws):
        first = i == 0 or customers[i] != customers[i - 1]
        restart = first or month_number[i] - month_number[i - 1] != 1
        before = None if first else effective
        if restart or raw not in rank or effective not in rank:
            effective, pending, run = raw, None, []
        else:
            if pending is not None:  # the upgrade decided last month end takes effect now
                effective, pending, run = pending, None, []
            if rank[raw] > rank[effective]:
                pending, run = raw, []
            elif rank[raw] == rank[effective]:
                run = []
            else:
                run.append(raw)
                if len(run) >= downgrade_after_months:
                    effective = max(run, key=lambda t: rank[t])
                    last = max(j for j, t in enumerate(run) if rank[t] == rank[effective])
                    run = run[last + 1 :]
        effective_out.append(effective)
        below_out.append(len(run))
        change_out.append(before is not None and before != effective)
    return pd.DataFrame(
        {
            customer_column: ordered[customer_column].to_numpy(),
            date_column: ordered[date_column].to_numpy(),
            "raw_tier": pd.array(raws, dtype="string"),
            "effective_tier": pd.array(effective_out, dtype="string"),
            "months_below": np.asarray(below_out, dtype="int64"),
            "is_tier_change": np.asarray(change_out, dtype=bool),
        }
    )


def effective_tier_history(raw: pd.DataFrame, config: ConfigLike | TierConfig) -> pd.DataFrame:
    """Effective tiers (hysteresis) over the raw tiers of ``int_segment_tier_scores_monthly``.

    ``raw`` has one row per customer and month end with ``raw_tier_code`` and the RFM scores (the raw tier rules
    run in SQL, where dbt unit tests pin them); only the ladder and ``downgrade_after_months`` of the config are
    used here. Output sorted by customer and month, one row per input row.
    """
    cfg = TierConfig.from_config(config)
    frame = raw.assign(month_end_date=pd.to_datetime(raw["month_end_date"]))
    effective = apply_hysteresis(
        frame.rename(columns={"raw_tier_code": "raw_tier"}), cfg.tier_rank, cfg.downgrade_after_months
    )
    scores = ["recency_score", "frequency_score", "monetary_score", "rfm_score"]
    out = frame[["customer_id", "month_end_date", *scores]].merge(
        effective, on=["customer_id", "month_end_date"], how="inner", validate="one_to_one"
    )
    if len(out) != len(raw):
        raise ValueError(f"hysteresis returned {len(out)} rows for {len(raw)} raw tier rows")
    out = out.rename(columns={"effective_tier": "tier_code", "months_below": "months_below_tier"})
    out["month_end_date"] = out["month_end_date"].dt.date
    for column in (*scores, "months_below_tier"):
        out[column] = out[column].astype("int64")
    out["raw_tier"] = out["raw_tier"].astype(str)
    out["tier_code"] = out["tier_code"].astype(str)
    out = out.sort_values(["customer_id", "month_end_date"], kind="mergesort").reset_index(drop=True)
    return out[
        ["customer_id", "month_end_date", *scores, "raw_tier", "tier_code", "months_below_tier", "is_tier_change"]
    ]
