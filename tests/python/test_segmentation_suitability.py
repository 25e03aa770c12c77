"""Suitability: a product rated Rn may go to a customer with a valid KYC level Cm only when n <= m."""

import numpy as np
import pandas as pd
import pytest

from bankseg.segmentation.suitability import SuitabilityPolicy, is_suitable

RATINGS = ["R1", "R2", "R3", "R4", "R5"]
LEVELS = ["C1", "C2", "C3", "C4", "C5"]


@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize("rating", RATINGS)
def test_truth_table_with_a_valid_kyc_level(rating, level):
    assert is_suitable(rating, level, True) is (int(rating[1]) <= int(level[1]))


@pytest.mark.parametrize("level", [*LEVELS, None])
@pytest.mark.parametrize("rating", RATINGS)
def test_without_a_valid_kyc_level_only_r1_is_allowed(rating, level):
    assert is_suitable(rating, level, False) is (rating == "R1")


def test_the_whole_table_at_once_is_vectorised():
    grid = pd.DataFrame([(r, c, v) for r in RATINGS for c in LEVELS for v in (True, False)], columns=["r", "c", "v"])
    allowed = is_suitable(grid["r"], grid["c"], grid["v"])
    assert isinstance(allowed, pd.Series) and allowed.index.equals(grid.index)
    expected = [(r == "R1") or (v and int(r[1]) <= int(c[1])) for r, c, v in grid.itertuples(index=False)]
    assert allowed.tolist() == expected
    assert int(allowed.sum()) == 15 + 5  # the 15 pairs with n <= m while valid; R1 with each level when expired


def test_a_missing_validity_counts_as_expired_and_a_bad_rating_is_never_suitable():
    assert is_suitable(np.array(["R2", "R1", None, "X9", " r2 "]), "C5", [None, pd.NA, True, True, True]).tolist() == [
        False,
        True,
        False,
        False,
        True,
    ]


def test_a_valid_flag_with_no_readable_level_is_treated_as_no_valid_level():
    assert is_suitable(["R1", "R2"], [None, "unknown"], True).tolist() == [True, False]


def test_the_rating_allowed_without_valid_kyc_is_a_parameter():
    assert is_suitable("R2", None, False, SuitabilityPolicy(max_rating_without_valid_kyc=2))
    assert not is_suitable("R3", None, False, {"suitability_max_rating_without_valid_kyc": "2"})
    strict = {"suitability_max_rating_without_valid_kyc": 0}  # nothing at all without a valid KYC level
    assert is_suitable("R1", "C5", True, strict) is True
    assert is_suitable("R1", "C5", False, strict) is False
