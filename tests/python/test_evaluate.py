"""Pairwise precision and recall, the figures `bankseg evaluate identity` reports."""

import pandas as pd
import pytest

from bankseg.evaluate import pair_count, pairwise_scores


def test_pair_count_counts_unordered_pairs_within_groups():
    assert pair_count(pd.Series([1, 2, 3, 4])) == 0 + 1 + 3 + 6


def test_perfect_clustering_scores_one():
    truth = pd.Series(["a", "a", "b", "c", "c", "c"])
    scores = pairwise_scores(truth.map({"a": 1, "b": 2, "c": 3}), truth)
    assert scores["precision"] == 1.0 and scores["recall"] == 1.0
    assert scores["true_pairs"] == 1 + 3


def test_a_false_merge_costs_precision_and_a_missed_link_costs_recall():
    truth = pd.Series(["a", "a", "b", "b"])
    merged = pd.Series([1, 1, 1, 1])  # a and b merged: 6 predicted pairs, 2 of them right
    split = pd.Series([1, 2, 3, 3])  # a split: 1 predicted pair, right; 1 of 2 true pairs found
    assert pairwise_scores(merged, truth)["precision"] == pytest.approx(2 / 6)
    assert pairwise_scores(merged, truth)["recall"] == 1.0
    assert pairwise_scores(split, truth)["precision"] == 1.0
    assert pairwise_scores(split, truth)["recall"] == pytest.approx(1 / 2)


def test_lengths_must_match():
    with pytest.raises(ValueError, match="same length"):
        pairwise_scores(pd.Series([1]), pd.Series([1, 2]))
