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
