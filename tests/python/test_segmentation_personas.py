"""Personas: distinguishing features by standardised mean difference, unique deterministic names."""

import json
import math

import pandas as pd
import pytest

from bankseg.segmentation.personas import describe_clusters, standardised_mean_differences, unique_persona_names

FEATURES = ["aum_amount", "age_years", "digital_channel_share_3m"]


def planted() -> tuple[pd.DataFrame, list[int]]:
    frame = pd.DataFrame(
        {
            "aum_amount": [100.0, 100.0, 0.0, 0.0, 50.0, 50.0],
            "age_years": [40, 40, 20, 20, 40, 40],
            "digital_channel_share_3m": [0.5, 0.5, 0.9, 0.9, 0.1, 0.1],
        }
    )
    return frame, [1, 1, 2, 2, 3, 3]


def test_standardised_mean_differences_against_the_population():
    frame, labels = planted()
    smd = standardised_mean_differences(frame, labels, FEATURES)
    r = math.sqrt(1.5)  # e.g. aum: (100 - 50) / population sd 40.82
    assert smd.loc[1].tolist() == pytest.approx([r, math.sqrt(0.5), 0.0])
    assert smd.loc[2].tolist() == pytest.approx([-r, -math.sqrt(2), r])
    assert smd.loc[3].tolist() == pytest.approx([0.0, math.sqrt(0.5), -r])


def test_describe_clusters_names_sizes_and_top_features_of_a_planted_frame():
    frame, labels = planted()
    out = describe_clusters(frame, labels, FEATURES, "aum_amount")
    assert out["cluster_id"].tolist() == [1, 2, 3]
    assert out["persona_name"].tolist() == [
        "Affluent, senior customers",
        "Young, low-balance customers",  # aum and digital tie at 1.22 SD: the first listed feature wins
        "Branch-reliant, senior customers",
    ]
    assert out["persona_name_zh"].tolist() == ["高资产、年长客户", "年轻、低资产客户", "依赖网点、年长客户"]
    assert out["customer_count"].tolist() == [2, 2, 2]
    assert out["customer_share"].tolist() == pytest.approx([1 / 3] * 3)
    assert out["median_value_amount"].tolist() == [100.0, 0.0, 50.0]
    assert out.loc[1, "top_features"] == "age_years -1.41 SD; aum_amount -1.22 SD; digital_channel_share_3m +1.22 SD"
    top = json.loads(out.loc[0, "top_features_json"])
    assert top[0] == {
        "feature": "aum_amount",
        "smd": 1.2247,
        "direction": "high",
        "cluster_median": 100.0,
        "population_median": 50.0,
    }


def test_personas_do_not_depend_on_row_order():
    frame, labels = planted()
    order = [5, 2, 0, 4, 1, 3]
    shuffled = describe_clusters(frame.iloc[order].reset_index(drop=True), [labels[i] for i in order], FEATURES)
    assert shuffled.equals(describe_clusters(frame, labels, FEATURES))


def test_clusters_with_the_same_leading_phrases_take_their_next_phrase():
    phrases = {
        1: [("affluent", "高资产"), ("senior", "年长"), ("digital-first", "数字化")],
        2: [("affluent", "高资产"), ("senior", "年长"), ("saving", "偏好储蓄")],
        3: [("young", "年轻")],
    }
    assert unique_persona_names(phrases) == {
        1: ("Affluent, senior, digital-first customers", "高资产、年长、数字化客户"),
        2: ("Affluent, senior, saving customers", "高资产、年长、偏好储蓄客户"),
        3: ("Young customers", "年轻客户"),
    }


def test_clusters_that_run_out_of_phrases_are_told_apart_by_their_id():
    names = unique_persona_names({4: [("affluent", "高资产")], 2: [("affluent", "高资产")], 5: []})
    assert names == {
        2: ("Affluent customers (cluster 2)", "高资产客户（客群2）"),
        4: ("Affluent customers (cluster 4)", "高资产客户（客群4）"),
        5: ("Mainstream customers", "大众客户"),
    }


def test_a_feature_without_a_template_gets_a_generic_phrase_and_no_chinese_name():
    frame = pd.DataFrame({"widget_count": [1.0, 1.0, 9.0, 9.0]})
    out = describe_clusters(frame.assign(aum_amount=1.0), [1, 1, 2, 2], ["widget_count"])
    assert out["persona_name"].tolist() == ["Low widget count customers", "High widget count customers"]
    assert out["persona_name_zh"].isna().tolist() == [True, True]


def test_small_differences_do_not_name_a_cluster():
    frame = pd.DataFrame({"aum_amount": [49.0] * 9 + [51.0] * 9 + [100.0, 0.0]})  # clusters 1, 2: -/+0.06 SD
    labels = [1] * 9 + [2] * 9 + [3, 4]
    names = describe_clusters(frame, labels, ["aum_amount"])["persona_name"].tolist()
    assert names[:2] == ["Mainstream customers (cluster 1)", "Mainstream customers (cluster 2)"]
    assert names[2:] == ["Affluent customers", "Low-balance customers"]
