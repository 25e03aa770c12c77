"""The clustering feature matrix: signed log, robust scaling with fallbacks, ordinal and one-hot encoding."""

import json
import math

import numpy as np
import pandas as pd
import pytest

from bankseg.segmentation.features import FeatureSpec, FeatureTransform, build_feature_matrix, signed_log1p

LEVELS = ("C1", "C2", "C3", "C4", "C5")


def planted() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "aum_amount": [0.0, 9.0, 99.0, 999.0, 9999.0],
            "age_years": [20, 30, 40, 50, 60],
            "luxury_spend_share": [0.0, 0.0, 0.0, 0.0, 1.0],
            "kyc_risk_level": ["C1", "C2", "C3", "C4", "C5"],
            "segment": ["b", "a", "b", None, "a"],
        }
    )


SPEC = FeatureSpec(
    heavy_tailed=("aum_amount",),
    numeric=("age_years",),
    bounded=("luxury_spend_share",),
    ordinal={"kyc_risk_level": LEVELS},
    categorical=("segment",),
    categorical_weight=0.5,
)


def test_signed_log_is_log1p_for_positive_values_and_mirrored_for_negative_ones():
    assert signed_log1p(np.array([0.0, 9.0, -9.0])).tolist() == pytest.approx([0.0, math.log(10), -math.log(10)])
    assert np.isnan(signed_log1p(np.array([np.nan])))[0]


def test_heavy_tailed_columns_are_logged_then_scaled_by_median_and_iqr():
    matrix, transform = build_feature_matrix(planted(), SPEC)
    # log1p gives ln 1, ln 10, ln 100, ln 1000, ln 10000: median ln 100, IQR ln 1000 - ln 10 = ln 100
    assert matrix[:, 0].tolist() == pytest.approx([-1.0, -0.5, 0.0, 0.5, 1.0])
    assert transform.centers["aum_amount"] == pytest.approx(math.log(100))
    assert transform.scales["aum_amount"] == pytest.approx(math.log(100))
    assert transform.scale_methods["aum_amount"] == "iqr"


def test_plain_numeric_columns_are_scaled_without_log():
    matrix, transform = build_feature_matrix(planted(), SPEC)
    assert matrix[:, 1].tolist() == pytest.approx([-1.0, -0.5, 0.0, 0.5, 1.0])  # median 40, IQR 20
    assert (transform.centers["age_years"], transform.scales["age_years"]) == (40.0, 20.0)


def test_a_mostly_zero_share_with_zero_iqr_falls_back_to_the_standard_deviation():
    matrix, transform = build_feature_matrix(planted(), SPEC)
    assert transform.scale_methods["luxury_spend_share"] == "std"
    assert transform.scales["luxury_spend_share"] == pytest.approx(0.4)
    assert matrix[:, 2].tolist() == pytest.approx([0.0, 0.0, 0.0, 0.0, 2.5])


def test_a_constant_column_is_scaled_by_one():
    frame = planted().assign(luxury_spend_share=0.3)
    _, transform = build_feature_matrix(frame, SPEC)
    assert (transform.scales["luxury_spend_share"], transform.scale_methods["luxury_spend_share"]) == (1.0, "unit")


def test_ordinal_levels_become_their_rank_then_are_scaled():
    matrix, _ = build_feature_matrix(planted(), SPEC)
    assert matrix[:, 3].tolist() == pytest.approx([-1.0, -0.5, 0.0, 0.5, 1.0])  # codes 1..5, median 3, IQR 2


def test_categories_are_one_hot_with_their_weight_and_missing_is_all_zeros():
    matrix, transform = build_feature_matrix(planted(), SPEC)
    assert transform.feature_names[-2:] == ["segment=a", "segment=b"]
    assert matrix[:, 4:].tolist() == [[0.0, 0.5], [0.5, 0.0], [0.0, 0.5], [0.0, 0.0], [0.5, 0.0]]


def test_missing_and_unknown_values_of_a_new_month_are_imputed_with_the_training_median():
    _, transform = build_feature_matrix(planted(), SPEC)
    later = pd.DataFrame(
        {
            "aum_amount": [None],
            "age_years": [None],
            "luxury_spend_share": [None],
            "kyc_risk_level": ["C9"],
            "segment": ["z"],
        }
    )
    assert transform.apply(later).tolist() == [[0.0, 0.0, 0.0, 0.0, 0.0, 0.0]]


def test_bounded_shares_are_clipped_to_zero_one():
    _, transform = build_feature_matrix(planted(), SPEC)
    later = planted().assign(luxury_spend_share=[1.5, -0.2, 0.0, 0.0, 1.0])
    assert transform.apply(later)[:, 2].tolist() == pytest.approx([2.5, 0.0, 0.0, 0.0, 2.5])


def test_the_transform_survives_json_and_transforms_identically():
    matrix, transform = build_feature_matrix(planted(), SPEC)
    again = FeatureTransform.from_dict(json.loads(json.dumps(transform.to_dict())))
    assert again.feature_names == transform.feature_names
    assert np.array_equal(again.apply(planted()), matrix)


def test_rescale_moves_points_between_the_scaled_spaces_of_two_fits():
    first, later = planted(), planted().assign(age_years=[25, 45, 65, 85, 105], aum_amount=[1.0, 2, 3, 4, 5])
    _, old = build_feature_matrix(first, SPEC)
    _, new = build_feature_matrix(later, SPEC)
    points = planted().iloc[[0, 4]]
    assert np.allclose(new.rescale(old.apply(points), old), new.apply(points))


def test_a_column_in_two_roles_is_rejected():
    with pytest.raises(ValueError, match="more than one role"):
        FeatureSpec(heavy_tailed=("aum_amount",), numeric=("aum_amount",))


def test_the_spec_may_be_given_as_a_dict():
    matrix, transform = build_feature_matrix(planted(), SPEC.to_dict())
    assert transform.spec == SPEC
    assert matrix.shape == (5, 6)


def test_a_missing_column_is_named():
    with pytest.raises(KeyError, match="age_years"):
        build_feature_matrix(planted().drop(columns="age_years"), SPEC)


def test_without_imputation_a_missing_value_stays_missing_and_complete_rows_finds_the_full_rows():
    from bankseg.segmentation.features import complete_rows

    spec = FeatureSpec(heavy_tailed=("aum",), bounded=("share",), categorical=("segment",))
    frame = pd.DataFrame(
        {"aum": [0.0, 99.0, np.nan, 9.0], "share": [0.1, np.nan, 0.5, 0.2], "segment": ["a", "b", None, None]}
    )
    transform = FeatureTransform.fit(frame, spec)
    raw = transform.apply(frame, impute=False)
    assert np.isnan(raw[2, 0]) and np.isnan(raw[1, 1])
    assert np.array_equal(np.nan_to_num(raw, nan=0.0), transform.apply(frame))
    # a missing category is a valid (all-zeros) encoding, not a gap
    assert complete_rows(frame, spec).tolist() == [True, False, False, True]
