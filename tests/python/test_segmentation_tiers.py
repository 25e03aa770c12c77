"""Value tiers: bank-style hysteresis over the raw tiers of the SQL rules (the rules themselves are pinned by
dbt unit tests in models/intermediate/segmentation/_int_segment_tiers__unit_tests.yml)."""

import numpy as np
import pandas as pd
import pytest

from bankseg.segmentation.tiers import (
    TierConfig,
    apply_hysteresis,
    effective_tier_history,
    tier_rank_from_ladder,
)

CONFIG = {
    "rfm_method": "fixed",
    "recency_days_cut_points": [30, 60, 90, 180],
    "frequency_cut_points": [3, 6, 12, 24],
    "monetary_cut_points": [1000, 5000, 20000, 50000],
    "churned_lifecycle_statuses": ["churned"],
    "new_max_tenure_months": 3,
    "at_risk_lifecycle_statuses": ["dormant"],
    "at_risk_lookback_months": 3,
    "at_risk_aum_decline_rate": 0.3,
    "at_risk_activity_decline_rate": 0.5,
    "at_risk_min_aum_amount": 50000,
    "high_value_min_aum_amount": 500000,
    "high_value_min_rfm_score": 14,
    "potential_min_aum_amount": 100000,
    "potential_min_rfm_score": 10,
    "mass_lifecycle_statuses": ["active"],
    "tier_ladder": ["high_value", "potential", "mass", "inactive"],
    "downgrade_after_months": 3,
}

SEED = pd.DataFrame(
    [
        ("rfm_method", "fixed"),
        ("recency_days_cut_points", "30|60|90|180"),
        ("frequency_cut_points", "3|6|12|24"),
        ("monetary_cut_points", "1000|5000|20000|50000"),
        ("churned_lifecycle_statuses", "churned"),
        ("new_max_tenure_months", "3"),
        ("at_risk_lifecycle_statuses", "dormant"),
        ("at_risk_lookback_months", "3"),
        ("at_risk_aum_decline_rate", "0.3"),
        ("at_risk_activity_decline_rate", "0.5"),
        ("at_risk_min_aum_amount", "50000"),
        ("high_value_min_aum_amount", "500000"),
        ("high_value_min_rfm_score", "14"),
        ("potential_min_aum_amount", "100000"),
        ("potential_min_rfm_score", "10"),
        ("mass_lifecycle_statuses", "active"),
        ("tier_ladder", "high_value|potential|mass|inactive"),
        ("downgrade_after_months", "3"),
    ],
    columns=["parameter", "value"],
)


def test_a_missing_hysteresis_parameter_is_named_not_defaulted():
    # the SQL rules' parameters are checked by the singular test assert_segment_tier_config_is_valid
    config = {k: v for k, v in CONFIG.items() if k != "downgrade_after_months"}
    with pytest.raises(KeyError, match="downgrade_after_months"):
        TierConfig.from_config(config)


RANK = tier_rank_from_ladder(["high_value", "potential", "mass", "inactive"])


def history(*raw, customer="c1", start="2024-01-31"):
    dates = pd.date_range(start, periods=len(raw), freq="ME")
    return pd.DataFrame({"customer_id": customer, "month_end_date": dates, "raw_tier": list(raw)})


def effective(frame, months=3):
    return apply_hysteresis(frame, RANK, months)["effective_tier"].tolist()


def test_the_ladder_ranks_the_first_tier_highest():
    assert RANK == {"high_value": 4, "potential": 3, "mass": 2, "inactive": 1}


def test_an_upgrade_takes_effect_at_the_next_month_end():
    assert effective(history("mass", "high_value", "high_value")) == ["mass", "mass", "high_value"]


def test_an_upgrade_takes_effect_even_if_the_raw_tier_falls_back_that_month():
    out = apply_hysteresis(history("mass", "high_value", "mass"), RANK, 3)
    assert out["effective_tier"].tolist() == ["mass", "mass", "high_value"]
    assert out["months_below"].tolist() == [0, 0, 1]


def test_a_one_month_dip_does_not_downgrade():
    out = apply_hysteresis(history("high_value", "high_value", "mass", "high_value", "high_value"), RANK, 3)
    assert out["effective_tier"].tolist() == ["high_value"] * 5
    assert out["months_below"].tolist() == [0, 0, 1, 0, 0]


def test_n_consecutive_months_below_downgrade_at_the_nth_month_end():
    raw = ("high_value", "mass", "mass", "mass", "mass")
    assert effective(history(*raw)) == ["high_value", "high_value", "high_value", "mass", "mass"]
    assert effective(history(*raw), months=2) == ["high_value", "high_value", "mass", "mass", "mass"]
    assert effective(history(*raw), months=1) == ["high_value", "mass", "mass", "mass", "mass"]


def test_a_downgrade_goes_to_the_highest_tier_held_throughout_then_continues():
    out = apply_hysteresis(history("high_value", "potential", "mass", "mass", "mass", "mass"), RANK, 3)
    assert out["effective_tier"].tolist() == ["high_value", "high_value", "high_value", "potential", "mass", "mass"]
    assert out["months_below"].tolist() == [0, 1, 2, 2, 0, 0]


def test_churned_and_new_are_states_that_take_effect_at_once_both_ways():
    assert effective(history("high_value", "churned", "mass")) == ["high_value", "churned", "mass"]
    assert effective(history("new", "new", "high_value")) == ["new", "new", "high_value"]


def test_a_gap_in_the_history_restarts_from_the_raw_tier():
    frame = pd.DataFrame(
        {
            "customer_id": "c1",
            "month_end_date": pd.to_datetime(["2024-01-31", "2024-02-29", "2024-04-30"]),
            "raw_tier": ["high_value", "high_value", "mass"],
        }
    )
    assert effective(frame) == ["high_value", "high_value", "mass"]


def test_customers_are_kept_apart_and_the_output_is_sorted():
    frame = pd.concat(
        [history("mass", "high_value", "high_value", customer="b"), history("high_value", "mass", "mass", customer="a")]
    ).sample(frac=1, random_state=0)
    out = apply_hysteresis(frame, RANK, 3)
    assert out["customer_id"].tolist() == ["a"] * 3 + ["b"] * 3
    assert out["effective_tier"].tolist() == ["high_value"] * 3 + ["mass", "mass", "high_value"]
    assert out["is_tier_change"].tolist() == [False] * 5 + [True]


def test_the_as_of_date_inside_a_month_counts_as_that_month():
    frame = pd.DataFrame(
        {
            "customer_id": "c1",
            "month_end_date": pd.to_datetime(["2024-05-31", "2024-06-30", "2024-07-15"]),
            "raw_tier": ["mass", "high_value", "high_value"],
        }
    )
    assert effective(frame) == ["mass", "mass", "high_value"]


def test_two_rows_in_one_month_are_rejected():
    frame = pd.concat([history("mass"), history("high_value")])
    with pytest.raises(ValueError, match="more than one row"):
        apply_hysteresis(frame, RANK, 3)


def test_the_config_gives_ladder_and_downgrade_months():
    config = TierConfig.from_config(SEED)
    assert config.tier_rank == RANK
    assert config.downgrade_after_months == 3


def test_effective_tier_history_applies_hysteresis_over_the_sql_raw_tiers_and_keeps_the_scores():
    raw = pd.DataFrame(
        {
            "customer_id": ["b", "a", "a", "a", "a"],
            "month_end_date": pd.to_datetime(["2024-01-31", "2024-04-30", "2024-01-31", "2024-02-29", "2024-03-31"]),
            "recency_score": [5, 1, 5, 2, 2],
            "frequency_score": [5, 1, 5, 2, 2],
            "monetary_score": [4, 1, 4, 2, 1],
            "rfm_score": [14, 3, 14, 6, 5],
            "raw_tier_code": ["churned", "mass", "high_value", "mass", "mass"],
        }
    )
    out = effective_tier_history(raw, SEED)
    assert out["customer_id"].tolist() == ["a"] * 4 + ["b"]
    assert out["tier_code"].tolist() == ["high_value", "high_value", "high_value", "mass", "churned"]
    assert out["raw_tier"].tolist() == ["high_value", "mass", "mass", "mass", "churned"]
    assert out["rfm_score"].tolist() == [14, 6, 5, 3, 14]
    assert out["months_below_tier"].tolist() == [0, 1, 2, 0, 0]
    assert out["is_tier_change"].tolist() == [False, False, False, True, False]
    assert str(out["month_end_date"].iloc[0]) == "2024-01-31"


def test_customers_in_parts_give_the_history_of_all_customers_at_once():
    """int_segment_tiers_monthly runs the hysteresis on a few customers at a time (marts.per_customer_share, over
    marts.in_parts) to bound memory."""
    import numpy as np

    from bankseg.segmentation.marts import in_parts

    rng = np.random.default_rng(3)
    ids = [f"C{i:03d}" for i in range(40)]
    months = pd.date_range("2024-01-31", periods=12, freq="ME")
    raw = pd.DataFrame(
        {
            "customer_id": [c for c in ids for _ in months],
            "month_end_date": [m for _ in ids for m in months],
            "recency_score": rng.integers(1, 6, len(ids) * 12),
            "frequency_score": rng.integers(1, 6, len(ids) * 12),
            "monetary_score": rng.integers(1, 6, len(ids) * 12),
            "raw_tier_code": rng.choice(["high_value", "potential", "mass", "inactive", "churned"], len(ids) * 12),
        }
    ).sample(frac=1, random_state=1)
    raw["rfm_score"] = raw["recency_score"] + raw["frequency_score"] + raw["monetary_score"]
    bucket = raw["customer_id"].map(lambda c: int(c[1:]) % 3)

    def fetch(part):
        return raw[bucket == part]

    whole = effective_tier_history(raw, SEED)
    parted = in_parts(
        [2, 0, 1],
        fetch,
        lambda f: effective_tier_history(f, SEED),
        ["customer_id", "month_end_date"],
        empty=raw.iloc[0:0],
    )
    pd.testing.assert_frame_equal(parted, whole)
    assert whole["is_tier_change"].any() and (whole["months_below_tier"] > 0).any()

    # the model's form: per_customer_share of a DuckDB relation, here 5 shares of about 100 of the 480 rows
    import duckdb

    from bankseg.segmentation.marts import per_customer_share

    relation = duckdb.connect().from_df(raw)
    parted = per_customer_share(
        relation, 100, lambda f: effective_tier_history(f, SEED), ["customer_id", "month_end_date"]
    )
    pd.testing.assert_frame_equal(parted, effective_tier_history(relation.df(), SEED))


def reference_hysteresis(customers, month_numbers, raws, rank, downgrade_after_months):
    """The hysteresis rules one row at a time, as the module doc states them (apply_hysteresis runs them for all
    customers at once): rows sorted by customer and month; returns effective tiers, months below, changes."""
    effective_out, below_out, change_out = [], [], []
    effective, pending, run = None, None, []
    for i, raw in enumerate(raws):
        first = i == 0 or customers[i] != customers[i - 1]
        restart = first or month_numbers[i] - month_numbers[i - 1] != 1
        before = None if first else effective
        if restart or raw not in rank or effective not in rank:
            effective, pending, run = raw, None, []
        else:
            if pending is not None:
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
    return effective_out, below_out, change_out


@pytest.mark.parametrize("downgrade_after_months", [1, 2, 3, 5])
def test_all_customers_at_once_equal_the_rules_applied_row_by_row(downgrade_after_months):
    rng = np.random.default_rng(downgrade_after_months)
    tiers = ["high_value", "potential", "mass", "inactive", "churned", "new", "at_risk"]
    rows = []
    for customer in range(400):
        month = int(rng.integers(0, 6))
        for _ in range(int(rng.integers(1, 25))):
            month += 1 + int(rng.random() < 0.05)  # now and then a gap in the history
            # runs of the same tier, so upgrades, dips and downgrades all happen
            tier = rows[-1][2] if rows and rows[-1][0] == customer and rng.random() < 0.5 else rng.choice(tiers)
            rows.append((customer, month, str(tier)))
    frame = pd.DataFrame(rows, columns=["customer_id", "month", "raw_tier"])
    frame["month_end_date"] = pd.to_datetime("2020-01-01") + pd.to_timedelta(frame["month"] * 31, unit="D")
    frame = frame.drop_duplicates(["customer_id", "month_end_date"]).sample(frac=1, random_state=0)
    rank = tier_rank_from_ladder(["high_value", "potential", "mass", "inactive"])

    out = apply_hysteresis(frame, rank, downgrade_after_months)

    ordered = frame.sort_values(["customer_id", "month_end_date"], kind="mergesort")
    periods = ordered["month_end_date"].dt.to_period("M")
    expected = reference_hysteresis(
        ordered["customer_id"].tolist(),
        (periods.dt.year * 12 + periods.dt.month).tolist(),
        ordered["raw_tier"].tolist(),
        rank,
        downgrade_after_months,
    )
    assert out["effective_tier"].tolist() == expected[0]
    assert out["months_below"].tolist() == expected[1]
    assert out["is_tier_change"].tolist() == expected[2]
    # the draw exercises the rules: many tier changes, and downgrade runs wherever a run can last a month
    assert out["is_tier_change"].sum() > 50
    assert downgrade_after_months == 1 or (out["months_below"] > 0).sum() > 50
