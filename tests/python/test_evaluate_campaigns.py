"""Campaign uplift intervals and churn counts against the planted truth (bankseg.evaluate_campaigns)."""

from __future__ import annotations

import math

import duckdb
import pandas as pd
import pytest

from _warehouse import built_bank  # noqa: F401 - pytest fixture
from bankseg.evaluate_campaigns import (
    binomial_central_range,
    campaign_coverage,
    churn_comparison,
    evaluate_campaigns,
    uplift_interval,
)


def test_wald_interval_is_the_difference_plus_minus_z_standard_errors():
    # p1 = 10/100, p0 = 2/50: se = sqrt(0.1 * 0.9 / 100 + 0.04 * 0.96 / 50) = sqrt(0.001668)
    result = uplift_interval(100, 10, 50, 2, method="wald")
    assert result["uplift"] == pytest.approx(0.06)
    assert result["standard_error"] == pytest.approx(math.sqrt(0.001668))
    assert result["ci_lower"] == pytest.approx(0.06 - 1.959964 * math.sqrt(0.001668))
    assert result["ci_upper"] == pytest.approx(0.06 + 1.959964 * math.sqrt(0.001668))


def test_agresti_caffo_adds_one_success_and_one_failure_per_group():
    # p1 = 11/102, p0 = 3/52; the interval is centred on their difference, the estimate stays 10/100 - 2/50
    p1, p0 = 11 / 102, 3 / 52
    se = math.sqrt(p1 * (1 - p1) / 102 + p0 * (1 - p0) / 52)
    result = uplift_interval(100, 10, 50, 2)
    assert result["uplift"] == pytest.approx(0.06)
    assert result["standard_error"] == pytest.approx(se)
    assert result["ci_lower"] == pytest.approx(p1 - p0 - 1.959964 * se)
    assert result["ci_upper"] == pytest.approx(p1 - p0 + 1.959964 * se)
    assert (round(result["ci_lower"], 6), round(result["ci_upper"], 6)) == (-0.037254, 0.137556)


def test_no_control_conversion_makes_the_wald_interval_overconfident():
    """5/100 treated, 0/20 control: Wald ignores the control's uncertainty and excludes 0; Agresti-Caffo does not."""
    wald = uplift_interval(100, 5, 20, 0, method="wald")
    adjusted = uplift_interval(100, 5, 20, 0)
    assert wald["ci_lower"] > 0
    assert adjusted["ci_lower"] < 0 < adjusted["ci_upper"]
    assert adjusted["standard_error"] > 2 * wald["standard_error"]


def test_bounds_are_clipped_and_empty_groups_give_no_interval():
    assert uplift_interval(1, 1, 1, 0)["ci_upper"] == 1.0
    assert uplift_interval(0, 0, 10, 1) == {"uplift": None, "standard_error": None, "ci_lower": None, "ci_upper": None}
    with pytest.raises(ValueError, match="between 0 and the group size"):
        uplift_interval(10, 11, 10, 1)
    with pytest.raises(ValueError, match="method"):
        uplift_interval(10, 1, 10, 1, method="exact")


def test_expected_covered_range_of_a_correct_95_percent_interval():
    # Binomial(10, 0.95): P(X <= 7) = 0.0115 < 0.025 < P(X <= 8) = 0.0861; P(X = 10) = 0.599
    assert binomial_central_range(10) == (8, 10)
    assert binomial_central_range(100) == (90, 99)
    assert binomial_central_range(0) == (0, 0)


def test_campaign_coverage_counts_intervals_covering_the_planted_uplift():
    estimates = pd.DataFrame(
        {
            "campaign_id": ["A", "B", "C"],
            "contacted_count": [100, 100, 100],
            "contacted_converted_count": [10, 5, 0],
            "control_count": [50, 20, 0],
            "control_converted_count": [2, 0, 0],
            "uplift": [0.06, 0.05, None],
            "uplift_ci_lower": [-0.04, 0.01, None],
            "uplift_ci_upper": [0.14, 0.09, None],
        }
    )
    truth = pd.DataFrame({"campaign_id": ["A", "B", "C", "D"], "true_uplift": [0.05, 0.0, 0.02, 0.03]})
    result = campaign_coverage(estimates, truth)
    by_id = {row["campaign_id"]: row for row in result["campaigns"]}
    assert (by_id["A"]["covered"], by_id["B"]["covered"]) == (True, False)
    assert by_id["C"] == {"campaign_id": "C", "planted_uplift": 0.02, "estimated": False, "covered": None}
    assert by_id["D"]["estimated"] is False
    assert (result["campaign_count"], result["estimated_campaign_count"], result["covered_count"]) == (4, 2, 1)
    assert result["coverage_share"] == 0.5
    assert result["expected_covered_range_95"] == [1, 2]
    assert result["mean_absolute_error"] == pytest.approx((0.01 + 0.05) / 2)


def test_churn_comparison_counts_precision_recall_months_and_lag():
    planted = pd.DataFrame(
        {
            "customer_id": ["c1", "c2", "c3", "c4"],
            "is_churned": [True, True, False, False],
            "churn_month": ["2025-03-01", "2025-05-01", None, None],
        }
    )
    flagged = pd.DataFrame({"customer_id": ["c1", "c2", "c3", "c4"], "is_churned": [True, False, True, False]})
    monthly = pd.DataFrame(
        {
            "month_end_date": pd.to_datetime(["2025-03-31", "2025-04-30", "2025-05-31"]),
            "churned_customer_count": [0, 2, 0],
        }
    )
    events = pd.DataFrame({"customer_id": ["c1", "c3"], "month_end_date": pd.to_datetime(["2025-04-30", "2025-04-30"])})
    result = churn_comparison(planted, flagged, monthly, events)
    assert (result["planted_churned"], result["warehouse_churned_at_as_of"]) == (2, 2)
    assert (result["precision"], result["recall"]) == (0.5, 0.5)
    assert result["per_month"] == [
        {"month": "2025-03", "warehouse_churned": 0, "planted_churned": 1},
        {"month": "2025-04", "warehouse_churned": 2, "planted_churned": 0},
        {"month": "2025-05", "warehouse_churned": 0, "planted_churned": 1},
    ]
    assert result["warehouse_events_of_planted_churners"] == 1
    assert result["median_detection_lag_months"] == 1.0


def test_campaign_intervals_cover_the_planted_uplift_on_the_test_bank(built_bank):  # noqa: F811
    """Every planted campaign is measured; the covered count is where a correct 95% interval lands; the mart's
    SQL interval is the Python one; churn counts are close to the generator's."""
    result = evaluate_campaigns(built_bank.warehouse, built_bank.raw_dir)
    truth = pd.read_parquet(built_bank.raw_dir / "ground_truth" / "campaigns.parquet")
    assert result["estimated_campaign_count"] == len(truth) > 0
    assert result["is_coverage_plausible"], result
    for row in result["campaigns"]:
        expected = uplift_interval(
            row["contacted"], row["contacted_converted"], row["control"], row["control_converted"]
        )
        assert row["ci_lower"] == pytest.approx(expected["ci_lower"], abs=1e-9), row["campaign_id"]
        assert row["ci_upper"] == pytest.approx(expected["ci_upper"], abs=1e-9), row["campaign_id"]
        # staging quarantines a few dirty members (about 3% per dirt kind); the groups are otherwise the
        # generator's. Control groups can be a handful of people, so allow one lost member on top of 15%.
        assert row["contacted"] >= 0.85 * row["planted_n_treated"] - 1, row
        assert row["control"] >= 0.85 * row["planted_n_control"] - 1, row
        assert row["contacted"] <= row["planted_n_treated"] and row["control"] <= row["planted_n_control"], row
    churn = result["churn"]
    assert churn["precision"] >= 0.8, churn
    assert churn["recall"] >= 0.6, churn
    assert churn["median_detection_lag_months"] is not None and 0 <= churn["median_detection_lag_months"] <= 2


def test_evaluate_campaigns_names_a_missing_truth(tmp_path, built_bank):  # noqa: F811
    with pytest.raises(FileNotFoundError, match="no ground truth"):
        evaluate_campaigns(built_bank.warehouse, tmp_path)
    con = duckdb.connect(str(built_bank.warehouse), read_only=True)
    try:
        (rows,) = con.execute(
            "select count(*) from marts.fct_campaign_performance where segment_type = 'all'"
        ).fetchone()
    finally:
        con.close()
    assert rows == len(pd.read_parquet(built_bank.raw_dir / "ground_truth" / "campaigns.parquet"))
