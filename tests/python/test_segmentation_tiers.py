"""Value tiers: RFM scores from configured cut points, the tier rules, and bank-style hysteresis."""

import pandas as pd
import pytest

from bankseg.segmentation.tiers import (
    TierConfig,
    apply_hysteresis,
    assign_raw_tiers,
    effective_tier_history,
    score_rfm,
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


def rows(*records) -> pd.DataFrame:
    columns = [
        "customer_id",
        "month_end_date",
        "lifecycle_status",
        "tenure_months",
        "aum_amount",
        "days_since_last_activity",
        "transaction_count_3m",
        "debit_amount_3m",
    ]
    frame = pd.DataFrame(records, columns=columns)
    frame["month_end_date"] = pd.to_datetime(frame["month_end_date"])
    return frame


def test_fixed_cut_points_score_recency_downwards_and_frequency_and_money_upwards():
    frame = pd.DataFrame(
        {
            "month_end_date": pd.to_datetime(["2024-06-30"] * 6),
            "days_since_last_activity": [None, 0, 30, 31, 180, 181],
            "transaction_count_3m": [0, 2, 3, 23, 24, 100],
            "debit_amount_3m": [0, 999.99, 1000, 50000, 49999, None],
        }
    )
    scores = score_rfm(frame, CONFIG)
    assert scores["recency_score"].tolist() == [1, 5, 5, 4, 2, 1]
    assert scores["frequency_score"].tolist() == [1, 1, 2, 4, 5, 5]
    assert scores["monetary_score"].tolist() == [1, 1, 2, 5, 4, 1]
    assert scores["rfm_score"].tolist() == [3, 7, 9, 13, 11, 7]


def test_quantile_scores_rank_within_each_month_and_ties_share_a_score():
    june = pd.DataFrame(
        {
            "month_end_date": pd.to_datetime(["2024-06-30"] * 10),
            "days_since_last_activity": list(range(1, 11)),
            "transaction_count_3m": [0, 0, 10, 20, 30, 40, 50, 60, 70, 80],
            "debit_amount_3m": [5.0] * 10,
        }
    )
    july = june.assign(month_end_date=pd.Timestamp("2024-07-31"), transaction_count_3m=[900] + [1] * 9)
    config = {**CONFIG, "rfm_method": "quantile", "rfm_score_levels": 5}
    scores = score_rfm(pd.concat([june, july], ignore_index=True), config)
    assert scores["frequency_score"].tolist()[:10] == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]
    assert scores["frequency_score"].tolist()[10:] == [5] + [1] * 9
    assert scores["recency_score"].tolist()[:10] == [5, 5, 4, 4, 3, 3, 2, 2, 1, 1]
    assert scores["monetary_score"].tolist() == [1] * 20


def rule_frame() -> pd.DataFrame:
    return rows(
        ("churn_rich", "2024-06-30", "churned", 60, 1_000_000, 400, 0, 0),
        ("new_rich", "2024-06-30", "active", 2, 1_000_000, 5, 10, 1000),
        ("dormant_worth_keeping", "2024-06-30", "dormant", 24, 60_000, 200, 0, 0),
        ("dormant_small", "2024-06-30", "dormant", 24, 1_000, 200, 0, 0),
        ("rich", "2024-06-30", "active", 24, 600_000, 80, 1, 0),
        ("busy", "2024-06-30", "active", 24, 10_000, 5, 30, 30_000),
        ("comfortable", "2024-06-30", "active", 24, 150_000, 80, 1, 0),
        ("engaged", "2024-06-30", "active", 24, 10_000, 45, 7, 6_000),
        ("ordinary", "2024-06-30", "active", 24, 10_000, 45, 4, 2_000),
        ("quiet", "2024-06-30", "inactive", 24, 10_000, 120, 0, 0),
    )


def test_each_tier_rule_in_order():
    frame = rule_frame()
    tiers = assign_raw_tiers(frame, CONFIG)
    assert dict(zip(frame["customer_id"], tiers, strict=True)) == {
        "churn_rich": "churned",
        "new_rich": "new",
        "dormant_worth_keeping": "at_risk",
        "dormant_small": "inactive",
        "rich": "high_value",
        "busy": "high_value",  # RFM 5 + 5 + 4 = 14
        "comfortable": "potential",
        "engaged": "potential",  # RFM 4 + 3 + 3 = 10
        "ordinary": "mass",  # RFM 4 + 2 + 2 = 8
        "quiet": "inactive",
    }
    assert tiers.name == "raw_tier"
    assert tiers.index.equals(frame.index)


def test_declines_against_the_lookback_month_put_valuable_customers_at_risk():
    frame = rows(
        ("aum_drop", "2024-03-31", "active", 24, 200_000, 10, 10, 3_000),
        ("aum_drop", "2024-06-30", "active", 27, 140_000, 10, 10, 3_000),
        ("aum_dip", "2024-03-31", "active", 24, 200_000, 10, 10, 3_000),
        ("aum_dip", "2024-06-30", "active", 27, 150_000, 10, 10, 3_000),
        ("activity_drop", "2024-03-31", "active", 24, 60_000, 10, 20, 3_000),
        ("activity_drop", "2024-06-30", "active", 27, 60_000, 10, 10, 3_000),
        ("activity_drop_small", "2024-03-31", "active", 24, 1_000, 10, 20, 500),
        ("activity_drop_small", "2024-06-30", "active", 27, 1_000, 10, 10, 500),
    )
    tiers = assign_raw_tiers(frame, CONFIG)
    june = dict(zip(frame["customer_id"][1::2], tiers[1::2], strict=True))
    assert june == {
        "aum_drop": "at_risk",  # down 30 %
        "aum_dip": "potential",  # down 25 %
        "activity_drop": "at_risk",  # transactions halved
        "activity_drop_small": "mass",  # halved, but too small to be worth a retention call
    }
    assert tiers[0] == "potential"  # no earlier month in the frame: no decline to see


def test_tenure_is_computed_from_the_relationship_start_when_not_given():
    frame = rows(
        ("a", "2024-06-30", "active", None, 10_000, 45, 4, 2_000),
        ("b", "2024-06-30", "active", None, 10_000, 45, 4, 2_000),
        ("c", "2024-06-30", "active", None, 10_000, 45, 4, 2_000),
    ).drop(columns="tenure_months")
    frame["relationship_start_date"] = pd.to_datetime(["2024-04-30", "2024-03-31", "2024-03-01"])
    # month boundaries crossed, as dbt.datediff counts dim_customers.tenure_months: 2, 3 and 3
    assert assign_raw_tiers(frame, CONFIG).tolist() == ["new", "mass", "mass"]


def test_a_seed_table_of_text_values_configures_exactly_like_the_dict():
    from_seed, from_dict = TierConfig.from_config(SEED), TierConfig.from_config(CONFIG)
    assert from_seed["recency_days_cut_points"] == [30, 60, 90, 180]
    assert from_seed["at_risk_aum_decline_rate"] == 0.3
    assert from_seed.statuses("mass_lifecycle_statuses") == ["active"]
    assert assign_raw_tiers(rule_frame(), from_seed).equals(assign_raw_tiers(rule_frame(), from_dict))


def test_a_missing_threshold_is_named_not_defaulted():
    config = {k: v for k, v in CONFIG.items() if k != "high_value_min_aum_amount"}
    with pytest.raises(KeyError, match="high_value_min_aum_amount"):
        TierConfig.from_config(config)


def test_cut_points_must_ascend():
    with pytest.raises(ValueError, match="ascending"):
        TierConfig.from_config({**CONFIG, "frequency_cut_points": [6, 3, 12, 24]})


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
