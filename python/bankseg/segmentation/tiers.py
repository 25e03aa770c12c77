"""Value tiers (the management view) from recency, frequency, monetary value and assets, with hysteresis.

Every cut point and threshold comes from a config (a parameter seed passed in as a DataFrame or a dict, see
:mod:`.config`); nothing business-specific is a literal here.

**RFM scores** (:func:`score_rfm`), each 1 (worst) to ``levels`` (best):

- ``rfm_method = fixed``: ascending cut points. Recency (days since last activity, lower is better) scores
  ``1 + the number of recency cut points >= days``; frequency and monetary value score
  ``1 + the number of cut points <= value``. With ``30|60|90|180`` days, 30 days scores 5, 31 scores 4 and
  more than 180 scores 1.
- ``rfm_method = quantile``: ``rfm_score_levels`` equal-count groups within each month end, from the rank
  (ties share the lowest rank): ``score = 1 + floor(levels * (rank - 1) / n)``. Recency ranks the fewest days
  best.

A missing recency (no activity ever) scores 1, as do missing frequency and monetary values. ``rfm_score`` is
the sum of the three.

**Raw tier** (:func:`assign_raw_tiers`), the first rule that holds, for each customer-month:

1. ``churned``: ``lifecycle_status`` in ``churned_lifecycle_statuses``;
2. ``new``: tenure below ``new_max_tenure_months``: the ``tenure_months`` column, or else the calendar months
   from ``relationship_start_date`` to the month end counted as ``dim_customers.tenure_months`` counts them
   (``dbt.datediff`` month boundaries: 31 March to 30 June is 3). ``tenure_months`` must be as of each row's
   month end: for the monthly history join ``relationship_start_date``, not ``dim_customers.tenure_months``
   (which is as of the as-of date);
3. ``at_risk``: worth keeping - current AUM or AUM ``at_risk_lookback_months`` earlier at least
   ``at_risk_min_aum_amount`` - and showing a warning sign: lifecycle in ``at_risk_lifecycle_statuses``, AUM
   down by at least ``at_risk_aum_decline_rate`` over the lookback, or 3-month transactions down by at least
   ``at_risk_activity_decline_rate`` against the same column ``at_risk_lookback_months`` earlier (declines need
   that earlier row in the frame: pass the monthly history, not only the current month);
4. ``high_value``: AUM >= ``high_value_min_aum_amount`` or RFM score >= ``high_value_min_rfm_score``;
5. ``potential``: AUM >= ``potential_min_aum_amount`` or RFM score >= ``potential_min_rfm_score``;
6. ``mass``: lifecycle in ``mass_lifecycle_statuses`` (e.g. active customers of ordinary value);
7. ``inactive``: everyone else.

**Hysteresis** (:func:`apply_hysteresis`), per customer over consecutive month ends, on the *ladder* of ranked
tiers (``tier_ladder`` in the config, highest first, e.g. ``high_value|potential|mass|inactive``):

- an upgrade (raw tier above the effective one at month end t) takes effect at the next month end, t+1, even
  if the raw tier falls back at t+1 (the downgrade count then starts);
- a downgrade takes effect at the month end that completes ``downgrade_after_months`` consecutive months with
  the raw tier below the effective one, to the highest raw tier of those months (so a customer who sat in
  potential and mass for 3 months goes to potential, and on to mass if mass continues long enough);
  ``downgrade_after_months = 1`` downgrades at once;
- tiers outside the ladder (``churned``, ``new``; ``at_risk`` too unless the caller ranks it) are states, not
  value levels: they take effect in the month they are raw, and leaving them takes the raw tier at once;
- a customer's first month, or the month after a gap in the history, takes the raw tier.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from .config import ConfigLike, as_list, read_config, require

TIERS = ("churned", "new", "at_risk", "high_value", "potential", "mass", "inactive")

_COMMON_KEYS = (
    "rfm_method",
    "churned_lifecycle_statuses",
    "new_max_tenure_months",
    "at_risk_lifecycle_statuses",
    "at_risk_lookback_months",
    "at_risk_aum_decline_rate",
    "at_risk_activity_decline_rate",
    "at_risk_min_aum_amount",
    "high_value_min_aum_amount",
    "high_value_min_rfm_score",
    "potential_min_aum_amount",
    "potential_min_rfm_score",
    "mass_lifecycle_statuses",
)
_FIXED_KEYS = ("recency_days_cut_points", "frequency_cut_points", "monetary_cut_points")

#: Input columns (fct_customer_features_monthly names); a config may rename them with these keys.
DEFAULT_COLUMNS = {
    "customer_column": "customer_id",
    "date_column": "month_end_date",
    "recency_column": "days_since_last_activity",
    "frequency_column": "transaction_count_3m",
    "monetary_column": "debit_amount_3m",
    "value_column": "aum_amount",
    "lifecycle_column": "lifecycle_status",
}


@dataclass(frozen=True)
class TierConfig:
    """Parsed tier parameters (see the module doc for every key)."""

    params: Mapping[str, Any]

    @classmethod
    def from_config(cls, config: ConfigLike | TierConfig) -> TierConfig:
        """Read and check a config table or dict; raises ``KeyError`` naming missing keys."""
        if isinstance(config, TierConfig):
            return config
        params = read_config(config)
        require(params, _COMMON_KEYS, "tier")
        method = params["rfm_method"]
        if method == "fixed":
            require(params, _FIXED_KEYS, "tier (rfm_method fixed)")
            for key in _FIXED_KEYS:
                points = [float(p) for p in as_list(params[key])]
                if points != sorted(points):
                    raise ValueError(f"{key} must be ascending, got {points}")
        elif method == "quantile":
            require(params, ("rfm_score_levels",), "tier (rfm_method quantile)")
        else:
            raise ValueError(f"rfm_method must be 'fixed' or 'quantile', got {method!r}")
        return cls(params=params)

    def __getitem__(self, key: str) -> Any:
        return self.params[key]

    def column(self, role: str) -> str:
        """Input column for a role (``recency_column``, ...), the config's or the default."""
        return str(self.params.get(role, DEFAULT_COLUMNS[role]))

    def statuses(self, key: str) -> list[str]:
        """A list of lifecycle statuses from the config."""
        return [str(s) for s in as_list(self.params[key])]

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


def _floats(frame: pd.DataFrame, column: str) -> np.ndarray:
    if column not in frame.columns:
        raise KeyError(f"tier input column {column!r} is not in the frame")
    return frame[column].astype("float64").to_numpy()


def _fixed_scores(values: np.ndarray, cut_points: Sequence[float], lower_is_better: bool) -> np.ndarray:
    points = np.asarray([float(p) for p in cut_points])
    if lower_is_better:
        scores = 1 + (len(points) - np.searchsorted(points, values, side="left"))
    else:
        scores = 1 + np.searchsorted(points, values, side="right")
    return np.where(np.isnan(values), 1, scores).astype("int64")


def _quantile_scores(values: pd.Series, groups: pd.Series, levels: int, lower_is_better: bool) -> np.ndarray:
    keyed = -values if lower_is_better else values
    ranks = keyed.groupby(groups).rank(method="min")
    counts = keyed.groupby(groups).transform("count")
    scores = 1 + np.floor(levels * (ranks - 1) / counts)
    return scores.fillna(1).astype("int64").to_numpy()


def score_rfm(frame: pd.DataFrame, config: ConfigLike | TierConfig) -> pd.DataFrame:
    """Recency, frequency and monetary scores and their sum, one row per row of ``frame`` (same index)."""
    cfg = TierConfig.from_config(config)
    roles = {"recency": True, "frequency": False, "monetary": False}  # role -> lower is better
    out = pd.DataFrame(index=frame.index)
    for role, lower_is_better in roles.items():
        values = _floats(frame, cfg.column(f"{role}_column"))
        if cfg["rfm_method"] == "fixed":
            key = "recency_days_cut_points" if role == "recency" else f"{role}_cut_points"
            scores = _fixed_scores(values, as_list(cfg[key]), lower_is_better)
        else:
            groups = frame[cfg.column("date_column")].reset_index(drop=True)
            scores = _quantile_scores(pd.Series(values), groups, int(cfg["rfm_score_levels"]), lower_is_better)
        out[f"{role}_score"] = scores
    out["rfm_score"] = out["recency_score"] + out["frequency_score"] + out["monetary_score"]
    return out


def _months_between(start: pd.Series, end: pd.Series) -> np.ndarray:
    """Calendar month boundaries crossed, as ``dbt.datediff(..., 'month')`` counts ``dim_customers.tenure_months``."""
    start = pd.to_datetime(start)
    end = pd.to_datetime(end)
    months = (end.dt.year - start.dt.year) * 12 + (end.dt.month - start.dt.month)
    return months.astype("float64").to_numpy()


def _tenure_months(frame: pd.DataFrame, cfg: TierConfig) -> np.ndarray:
    if "tenure_months" in frame.columns:
        return frame["tenure_months"].astype("float64").to_numpy()
    if "relationship_start_date" in frame.columns:
        return _months_between(frame["relationship_start_date"], frame[cfg.column("date_column")])
    raise KeyError("tiers need tenure_months or relationship_start_date to find new customers")


def _lagged(frame: pd.DataFrame, cfg: TierConfig, columns: Sequence[str], months: int) -> pd.DataFrame:
    """Values of ``columns`` for the same customer ``months`` month ends earlier (NaN when absent)."""
    customer, date = cfg.column("customer_column"), cfg.column("date_column")
    period = pd.to_datetime(frame[date]).dt.to_period("M")
    keys = pd.DataFrame({"customer": frame[customer].to_numpy(), "period": period.to_numpy()})
    earlier = keys.assign(**{c: frame[c].astype("float64").to_numpy() for c in columns})
    earlier["period"] = earlier["period"] + months
    if earlier.duplicated(["customer", "period"]).any():
        raise ValueError(f"the frame has more than one row per {customer} and month")
    merged = keys.merge(earlier, on=["customer", "period"], how="left", validate="one_to_one")
    return merged[list(columns)].set_axis(frame.index)


def _declined(now: np.ndarray, before: np.ndarray, rate: float) -> np.ndarray:
    with np.errstate(invalid="ignore"):
        return (before > 0) & (now <= (1 - rate) * before)


def assign_raw_tiers(frame: pd.DataFrame, config: ConfigLike | TierConfig) -> pd.Series:
    """The raw value tier of each customer-month (rules in the module doc), as a Series named ``raw_tier``.

    ``frame`` needs the columns of ``fct_customer_features_monthly`` named in :data:`DEFAULT_COLUMNS` plus
    ``tenure_months`` or ``relationship_start_date``.
    """
    cfg = TierConfig.from_config(config)
    scores = score_rfm(frame, cfg)["rfm_score"].to_numpy()
    status = frame[cfg.column("lifecycle_column")].astype("string").fillna("").to_numpy(dtype=object)
    aum = np.nan_to_num(_floats(frame, cfg.column("value_column")), nan=0.0)
    frequency = np.nan_to_num(_floats(frame, cfg.column("frequency_column")), nan=0.0)
    tenure = _tenure_months(frame, cfg)
    lookback = int(cfg["at_risk_lookback_months"])
    lagged = _lagged(frame, cfg, [cfg.column("value_column"), cfg.column("frequency_column")], lookback)
    aum_before = lagged[cfg.column("value_column")].to_numpy()
    frequency_before = lagged[cfg.column("frequency_column")].to_numpy()

    def in_statuses(key: str) -> np.ndarray:
        return np.isin(status, cfg.statuses(key))

    worth_keeping = np.fmax(aum, aum_before) >= float(cfg["at_risk_min_aum_amount"])
    warning = (
        in_statuses("at_risk_lifecycle_statuses")
        | _declined(aum, aum_before, float(cfg["at_risk_aum_decline_rate"]))
        | _declined(frequency, frequency_before, float(cfg["at_risk_activity_decline_rate"]))
    )
    conditions = [
        ("churned", in_statuses("churned_lifecycle_statuses")),
        ("new", tenure < float(cfg["new_max_tenure_months"])),
        ("at_risk", worth_keeping & warning),
        (
            "high_value",
            (aum >= float(cfg["high_value_min_aum_amount"])) | (scores >= float(cfg["high_value_min_rfm_score"])),
        ),
        (
            "potential",
            (aum >= float(cfg["potential_min_aum_amount"])) | (scores >= float(cfg["potential_min_rfm_score"])),
        ),
        ("mass", in_statuses("mass_lifecycle_statuses")),
    ]
    tiers = np.select([c for _, c in conditions], [t for t, _ in conditions], default="inactive")
    return pd.Series(tiers, index=frame.index, name="raw_tier", dtype="string")


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
