"""The whole fit in one call: clusters, stable ids across refits, personas and the registry entry."""

import json

import numpy as np
import pandas as pd
import pytest

from bankseg.segmentation.features import FeatureSpec
from bankseg.segmentation.pipeline import fit_segmentation
from bankseg.segmentation.registry import assign_with_model

SPEC = FeatureSpec(
    heavy_tailed=("aum_amount",),
    numeric=("age_years",),
    bounded=("digital_channel_share_3m",),
    ordinal={"kyc_risk_level": ("C1", "C2", "C3", "C4", "C5")},
)
#: planted groups: (log AUM, age, digital share, KYC level)
GROUPS = [(7.0, 25.0, 0.9, "C5"), (10.0, 45.0, 0.55, "C3"), (13.0, 65.0, 0.2, "C1"), (10.0, 30.0, 0.1, "C2")]


def customers(seed: int, groups: int = 3, per_group: int = 60, aum_factor: float = 1.0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    parts = []
    for g in range(groups):
        log_aum, age, digital, level = GROUPS[g]
        parts.append(
            pd.DataFrame(
                {
                    "customer_id": [f"g{g}-{i:03d}" for i in range(per_group)],
                    "planted_group": g,
                    "aum_amount": np.exp(rng.normal(log_aum, 0.3, per_group)) * aum_factor,
                    "age_years": rng.normal(age, 2.0, per_group),
                    "digital_channel_share_3m": np.clip(rng.normal(digital, 0.03, per_group), 0, 1),
                    "kyc_risk_level": level,
                }
            )
        )
    return pd.concat(parts, ignore_index=True).sample(frac=1, random_state=seed).reset_index(drop=True)


FIT = {"k_range": range(2, 6), "seeds": (0, 1), "sample_size": None, "n_init": 4, "n_threads": 1}


def ids_by_group(result, frame) -> dict[int, int]:
    joined = frame.merge(result.assignments, on="customer_id")
    pairs = joined.groupby("planted_group")["cluster_id"].agg(lambda s: sorted(set(s)))
    assert all(len(v) == 1 for v in pairs), "a planted group was split"
    return {int(g): int(v[0]) for g, v in pairs.items()}


@pytest.fixture(scope="module")
def june():
    frame = customers(seed=1)
    return frame, fit_segmentation(frame, SPEC, as_of_date="2024-06-30", **FIT)


def test_the_fit_finds_the_planted_groups_and_numbers_them_from_one(june):
    frame, result = june
    assert result.selection.k == 3
    assert sorted(ids_by_group(result, frame).values()) == [1, 2, 3]
    assert result.assignments.columns.tolist() == ["customer_id", "cluster_id", "model_version"]


def test_personas_are_unique_readable_and_recorded(june):
    _, result = june
    names = result.personas["persona_name"].tolist()
    assert len(set(names)) == 3
    assert result.personas["customer_count"].tolist() == [60, 60, 60]
    by_name = dict(zip(result.personas["persona_name"], result.personas["persona_name_zh"], strict=True))
    assert all(zh is not None and zh.endswith("客户") for zh in by_name.values())
    assert [p["persona_name"] for p in result.entry["personas"]] == names


def test_the_same_inputs_give_the_same_result(june):
    frame, result = june
    again = fit_segmentation(frame, SPEC, as_of_date="2024-06-30", **FIT)
    assert again.assignments.equals(result.assignments)
    assert again.personas.equals(result.personas)
    assert again.entry == result.entry


def test_the_entry_is_json_and_assigns_like_the_fit(june):
    frame, result = june
    entry = json.loads(json.dumps(result.entry, allow_nan=False, ensure_ascii=False))
    assert np.array_equal(assign_with_model(entry, frame), result.assignments["cluster_id"].to_numpy())


def test_a_refit_next_month_keeps_every_group_on_its_id(june):
    frame, result = june
    july_frame = customers(seed=2, aum_factor=1.5)  # new draws, other order, AUM up: medians and IQRs move
    july = fit_segmentation(july_frame, SPEC, as_of_date="2024-07-31", previous_entry=result.entry, **FIT)
    assert ids_by_group(july, july_frame) == ids_by_group(result, frame)
    assert july.entry["previous_model_version"] == result.entry["model_version"]
    assert july.entry["model_version"] != result.entry["model_version"]


def test_a_new_group_gets_the_next_id_and_the_old_ones_keep_theirs(june):
    frame, result = june
    august_frame = customers(seed=3, groups=4)
    august = fit_segmentation(august_frame, SPEC, as_of_date="2024-08-31", previous_entry=result.entry, **FIT)
    assert august.selection.k == 4
    expected = {**ids_by_group(result, frame), 3: 4}
    assert ids_by_group(august, august_frame) == expected
    assert august.entry["next_cluster_id"] == 5


def test_when_the_features_change_ids_are_matched_by_shared_customers(june):
    frame, result = june
    fewer = FeatureSpec(heavy_tailed=("aum_amount",), numeric=("age_years",))
    refit = fit_segmentation(frame, fewer, as_of_date="2024-06-30", previous_entry=result.entry, **FIT)
    assert ids_by_group(refit, frame) == ids_by_group(result, frame)


def test_a_fixed_k_skips_the_search(june):
    frame, _ = june
    fixed = fit_segmentation(frame, SPEC, as_of_date="2024-06-30", fixed_k=2, **FIT)
    assert fixed.entry["k"] == 2 and fixed.entry["k_selection"]["rule"] == "fixed k"


def test_rows_with_gaps_are_left_out_of_the_fit_and_join_the_group_their_known_features_point_to():
    frame = customers(seed=3)
    # a customer of group 2 (old, rich, not digital) known only from a card record: no AUM, no channel share
    gappy = pd.DataFrame(
        {
            "customer_id": ["gap-old", "gap-young"],
            "planted_group": [2, 0],
            "aum_amount": [np.nan, np.nan],
            "age_years": [66.0, 24.0],
            "digital_channel_share_3m": [np.nan, np.nan],
            "kyc_risk_level": ["C1", "C5"],
        }
    )
    result = fit_segmentation(pd.concat([frame, gappy], ignore_index=True), SPEC, as_of_date="2024-06-30", **FIT)
    assert result.entry["params"]["fit_customer_count"] == len(frame)
    ids = ids_by_group(result, pd.concat([frame, gappy], ignore_index=True))
    assert set(ids) == {0, 1, 2}
    # the training medians and scales ignore the gappy rows
    plain = fit_segmentation(frame, SPEC, as_of_date="2024-06-30", **FIT)
    assert result.entry["scaling"] == plain.entry["scaling"]


def test_without_fit_complete_rows_the_gaps_are_imputed_and_fitted():
    frame = customers(seed=3)
    frame.loc[:4, "aum_amount"] = np.nan
    result = fit_segmentation(frame, SPEC, as_of_date="2024-06-30", fit_complete_rows=False, **FIT)
    assert result.entry["params"]["fit_customer_count"] == len(frame)
    assert result.entry["params"]["fit_complete_rows"] is False


def test_a_feature_the_data_set_lacks_is_left_out_and_recorded_not_fatal():
    """A data set without income (Berka) or without a digital channel (every share 0) still clusters."""
    frame = customers(seed=3).assign(annual_income_amount=np.nan, digital_channel_share_3m=0.0)
    spec = FeatureSpec(
        heavy_tailed=("aum_amount", "annual_income_amount"),
        numeric=("age_years",),
        bounded=("digital_channel_share_3m",),
        ordinal={"kyc_risk_level": ("C1", "C2", "C3", "C4", "C5")},
    )
    result = fit_segmentation(frame, spec, as_of_date="2024-06-30", **FIT)
    dropped = result.entry["params"]["dropped_features"]
    assert set(dropped) == {"annual_income_amount", "digital_channel_share_3m"}
    assert dropped["annual_income_amount"] == "no values"
    assert "annual_income_amount" not in result.entry["feature_columns"]
    assert len(set(ids_by_group(result, frame).values())) == 3


def test_profile_features_describe_the_personas_without_moving_the_clusters():
    # group 2 (the old, affluent one) alone holds investments: a profile feature names it "investing" while the
    # partition stays the one the clustering features give
    frame = customers(seed=1)
    frame["investment_value_amount"] = np.where(frame["planted_group"] == 2, 500_000.0, 0.0)
    plain = fit_segmentation(frame, SPEC, as_of_date="2024-06-30", **FIT)
    profiled = fit_segmentation(
        frame,
        SPEC,
        as_of_date="2024-06-30",
        profile_features={"heavy_tailed": ["investment_value_amount"], "numeric": [], "bounded": [], "ordinal": {}},
        **FIT,
    )
    assert profiled.assignments["cluster_id"].tolist() == plain.assignments["cluster_id"].tolist()
    investing = ids_by_group(profiled, frame)[2]
    names = profiled.personas.set_index("cluster_id")["persona_name"]
    assert "investing" in names[investing].lower() and "non-investing" not in names[investing].lower()
    assert all("investing" not in n.lower() for n in plain.personas["persona_name"])
    assert profiled.entry["params"]["profile_features"] == ["investment_value_amount"]
    assert plain.entry["params"]["profile_features"] == []
    with pytest.raises(KeyError, match="loan_outstanding_amount"):
        fit_segmentation(
            frame, SPEC, as_of_date="2024-06-30", profile_features={"numeric": ["loan_outstanding_amount"]}, **FIT
        )
