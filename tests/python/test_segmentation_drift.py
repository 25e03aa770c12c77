"""Population stability index per feature and the refit decision."""

import json
import math

import numpy as np
import pandas as pd
import pytest

from bankseg.segmentation.drift import (
    DriftPolicy,
    bin_shares,
    drift_reference,
    drift_report,
    population_stability_index,
    quantile_edges,
)


def test_psi_is_zero_for_identical_distributions():
    values = np.random.default_rng(3).lognormal(size=500)
    assert population_stability_index(values, values.copy(), bins=10) == 0.0


def test_psi_matches_a_hand_computed_value():
    expected = list(range(1, 11))  # bins (-inf, 3], (3, 6], (6, inf): 0.3, 0.3, 0.4
    actual = [1, 2, 3, 3, 4, 5, 7, 8]  # 0.5, 0.25, 0.25
    hand = 0.2 * math.log(0.5 / 0.3) + (-0.05) * math.log(0.25 / 0.3) + (-0.15) * math.log(0.25 / 0.4)
    assert population_stability_index(expected, actual, edges=[3, 6]) == pytest.approx(hand)
    assert hand == pytest.approx(0.181782, abs=1e-6)


def test_quantile_edges_are_inner_training_quantiles_without_repeats():
    assert quantile_edges(range(1, 11), bins=4).tolist() == [3.25, 5.5, 7.75]
    # quantiles 0.2, 0.4, 0.6 are all 0; 0.8 interpolates a fifth of the way from 0 to 1
    assert quantile_edges([0, 0, 0, 0, 0, 0, 0, 0, 1, 2], bins=5).tolist() == pytest.approx([0.0, 0.2])


def test_bins_are_closed_on_the_right_open_at_both_ends_and_missing_values_have_their_own():
    assert bin_shares([-100, 3, 3.5, 6, 1000, np.nan, np.nan, np.nan], [3, 6]).tolist() == [
        0.25,
        0.25,
        0.125,
        0.375,
    ]


def test_a_rise_in_missing_values_is_drift():
    psi = population_stability_index([1.0, 2.0, 3.0, 4.0], [1.0, 2.0, np.nan, np.nan], edges=[2])
    hand = (0.5 - 0.5) * 0 + (1e-4 - 0.5) * math.log(1e-4 / 0.5) + (0.5 - 1e-4) * math.log(0.5 / 1e-4)
    assert psi == pytest.approx(hand)


def train_and_current():
    train = pd.DataFrame({"x": np.arange(1000.0), "level": ["C1", "C2", "C3", "C4"] * 250})
    current = pd.DataFrame({"x": np.arange(1000.0), "level": ["C3"] * 900 + ["C5"] * 100})
    return train, current


def test_drift_report_flags_a_shifted_feature_and_asks_for_a_refit():
    train, current = train_and_current()
    report = drift_report(train, current)
    table = report.features.set_index("feature")
    assert table.loc["x", "psi"] == 0.0 and table.loc["x", "status"] == "stable"
    # level: C1, C2, C4 at 0.25 -> 0 (floored), C3 0.25 -> 0.9, unseen C5 0 -> 0.1
    e = 1e-4
    hand = 3 * (e - 0.25) * math.log(e / 0.25) + 0.65 * math.log(0.9 / 0.25) + (0.1 - e) * math.log(0.1 / e)
    assert table.loc["level", "psi"] == pytest.approx(hand)
    assert table.loc["level", "status"] == "significant" and table.loc["level", "is_flagged"]
    assert report.refit_required
    assert report.reasons[0].startswith("level PSI")


def test_the_recorded_reference_gives_the_same_report_as_the_training_frame():
    train, current = train_and_current()
    reference = json.loads(json.dumps(drift_reference(train, ["x", "level"])))
    assert drift_report(reference, current).features.equals(drift_report(train, current).features)
    assert reference["level"]["categories"] == ["C1", "C2", "C3", "C4"]


def test_a_moderate_shift_refits_only_through_the_mean_rule():
    reference = {"a": {"kind": "numeric", "edges": [0.5], "expected_shares": [0.5, 0.5, 0.0]}}
    current = pd.DataFrame({"a": [0.0] * 7 + [1.0] * 3})  # 0.7, 0.3: PSI 0.1695
    report = drift_report(reference, current)
    assert report.features["psi"].iloc[0] == pytest.approx(0.2 * math.log(1.4) - 0.2 * math.log(0.6))
    assert report.features["status"].tolist() == ["moderate"]
    assert not report.features["is_flagged"].iloc[0]
    assert report.refit_required and report.reasons == ["mean PSI 0.1695 >= 0.1"]
    lenient = drift_report(reference, current, policy={"drift_mean_psi_refit": "0.2"})
    assert not lenient.refit_required and lenient.reasons == []


def test_the_policy_reads_its_thresholds_from_a_seed_table():
    seed = pd.DataFrame({"parameter": ["drift_feature_psi_refit", "drift_bins"], "value": ["0.3", "5"]})
    assert DriftPolicy.from_config(seed) == DriftPolicy(feature_psi_refit=0.3, bins=5)
