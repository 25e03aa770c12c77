"""Segment evaluation against the planted truth, on small hand-made frames."""

import pandas as pd
import pytest

from bankseg.evaluate_segments import customer_persons, segment_scores


def test_a_customer_takes_the_person_most_of_its_records_belong_to():
    keys = pd.DataFrame(
        {
            "system": ["core_banking", "kyc", "cards", "core_banking"],
            "system_key": ["p1", "k1", "c1", "p2"],
            "person_id": ["G1", "G1", "G2", "G2"],
        }
    )
    identity = pd.DataFrame(
        {
            "system": ["core_banking", "kyc", "cards", "core_banking"],
            "system_key": [" P1", "k1", "C1", "p2"],
            "customer_id": ["A", "A", "A", "B"],
        }
    )
    out = customer_persons(keys, identity)
    assert out.to_dict("records") == [{"customer_id": "A", "person_id": "G1"}, {"customer_id": "B", "person_id": "G2"}]


def frame(clusters, archetypes, tiers, churned):
    return pd.DataFrame({"cluster_id": clusters, "archetype": archetypes, "tier_code": tiers, "is_churned": churned})


def test_clusters_that_relabel_the_archetypes_score_an_ari_of_one():
    f = frame([2, 2, 1, 1], ["retiree", "retiree", "dormant", "dormant"], ["mass"] * 4, [False] * 4)
    assert segment_scores(f)["cluster_archetype_ari"] == pytest.approx(1.0)


def test_one_cluster_for_two_archetypes_scores_zero():
    f = frame([1, 1, 1, 1], ["retiree", "retiree", "dormant", "dormant"], ["mass"] * 4, [False] * 4)
    assert segment_scores(f)["cluster_archetype_ari"] == pytest.approx(0.0)


def test_tier_agreement_counts_precision_and_recall():
    f = frame(
        [1, 1, 2, 2],
        ["affluent_investor", "retiree", "affluent_investor", "dormant"],
        ["high_value", "high_value", "churned", "churned"],
        [False, False, True, False],
    )
    scores = segment_scores(f)
    assert scores["churn_vs_churned_tier"] == {
        "truth_count": 1,
        "predicted_count": 2,
        "precision": 0.5,
        "recall": 1.0,
        "agreement": 0.75,
    }
    assert scores["value_vs_high_value_tier"]["precision"] == 0.5
    assert scores["value_vs_high_value_tier"]["recall"] == 0.5


def test_a_feature_that_orders_the_archetypes_scores_one_and_noise_about_zero():
    import numpy as np

    from bankseg.evaluate_segments import single_feature_ari

    truth = pd.Series(["a"] * 50 + ["b"] * 50 + ["c"] * 50)
    ordered = pd.Series(np.r_[np.linspace(0, 1, 50), np.linspace(5, 6, 50), np.linspace(10, 11, 50)])
    assert single_feature_ari(ordered, truth) == pytest.approx(1.0)
    noise = pd.Series(np.random.default_rng(0).normal(size=150))
    assert single_feature_ari(noise, truth) < 0.1
    # amounts on the log scale: three decades apart are three groups
    amounts = pd.Series(np.r_[np.full(50, 10.0), np.full(50, 1e4), np.full(50, 1e7)])
    assert single_feature_ari(amounts, truth, log_scale=True) == pytest.approx(1.0)
    # a missing value sits at the median; a constant feature scores zero
    assert single_feature_ari(pd.Series([np.nan] * 150), truth) == 0.0


def test_a_feature_that_splits_one_archetype_off_scores_below_one():
    from bankseg.evaluate_segments import single_feature_ari

    truth = pd.Series(["a"] * 40 + ["b"] * 40 + ["c"] * 40)
    # a is low, b and c share the same high values
    values = pd.Series([1.0] * 40 + [9.0, 10.0] * 40)
    assert 0.3 < single_feature_ari(values, truth) < 0.7
