"""Choosing k, deterministic k-means and cluster ids that stay stable from run to run."""

import json

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import make_blobs

from bankseg.segmentation.clustering import choose_k, fit_clusters, match_cluster_ids, relabel, select_k

CENTERS = [(0.0, 0.0), (6.0, 0.0), (0.0, 6.0), (6.0, 6.0)]


@pytest.fixture(scope="module")
def blobs() -> np.ndarray:
    matrix, _ = make_blobs(n_samples=300, centers=CENTERS, cluster_std=0.6, random_state=11)
    return matrix


@pytest.fixture(scope="module")
def selection(blobs):
    return choose_k(blobs, range(2, 8), seeds=(0, 1, 2), sample_size=None, random_state=0, n_threads=1)


def test_choose_k_finds_the_planted_number_of_blobs(selection):
    assert selection.k == 4
    assert not selection.stability_fallback


def test_choose_k_records_every_score_of_every_k(selection):
    assert selection.scores["k"].tolist() == [2, 3, 4, 5, 6, 7]
    assert {"silhouette", "davies_bouldin", "stability", "inertia", "is_stable", "is_candidate"} <= set(
        selection.scores.columns
    )
    chosen = selection.scores_of(4)
    assert chosen["stability"] == pytest.approx(1.0)
    assert chosen["silhouette"] == selection.scores["silhouette"].max()
    assert chosen["davies_bouldin"] == selection.scores["davies_bouldin"].min()
    recorded = json.loads(json.dumps(selection.to_dict()))
    assert recorded["k"] == 4 and [r["k"] for r in recorded["scores"]] == [2, 3, 4, 5, 6, 7]


SCORES = pd.DataFrame(
    {
        "k": [2, 3, 4, 5],
        "silhouette": [0.50, 0.61, 0.60, 0.70],
        "davies_bouldin": [0.70, 0.60, 0.55, 0.40],
        "calinski_harabasz": [900.0, 1100.0, 1300.0, 1500.0],
        "stability": [1.00, 0.95, 0.92, 0.60],
    }
)


def test_the_k_rule_keeps_stable_k_then_near_best_silhouette_then_highest_calinski_harabasz():
    scores, k, fallback = select_k(SCORES, min_stability=0.9, silhouette_tolerance=0.02)
    assert k == 4  # k=5 is unstable; 3 and 4 are within 0.02 of the best stable silhouette; 4 has the higher CH
    assert not fallback
    assert scores["is_stable"].tolist() == [True, True, True, False]
    assert scores["is_candidate"].tolist() == [False, True, True, False]
    assert select_k(SCORES, min_stability=0.9, silhouette_tolerance=0.0)[1] == 3


def test_the_k_rule_takes_the_smallest_k_on_a_calinski_harabasz_tie():
    tied = SCORES.assign(calinski_harabasz=[900.0, 1300.0, 1300.0, 1500.0])
    assert select_k(tied, min_stability=0.9, silhouette_tolerance=0.02)[1] == 3


def test_the_k_rule_ignores_davies_bouldin_and_a_flat_silhouette_does_not_pull_k_down():
    # silhouette within 0.02 everywhere and DB favouring the fewest clusters: CH's peak decides
    flat = pd.DataFrame(
        {
            "k": [3, 4, 5, 6, 7],
            "silhouette": [0.425, 0.440, 0.400, 0.422, 0.432],
            "davies_bouldin": [0.85, 0.93, 0.93, 0.98, 0.98],
            "calinski_harabasz": [2322.0, 2752.0, 2842.0, 2845.0, 2998.0],
            "stability": [1.0, 1.0, 0.99, 1.0, 1.0],
        }
    )
    scores, k, _ = select_k(flat, min_stability=0.9, silhouette_tolerance=0.02)
    assert k == 7
    assert scores["is_candidate"].tolist() == [True, True, False, True, True]


def test_the_k_rule_falls_back_to_every_k_when_none_is_stable():
    unstable = SCORES.assign(stability=[0.5, 0.6, 0.7, 0.8])
    scores, k, fallback = select_k(unstable, min_stability=0.9, silhouette_tolerance=0.02)
    assert (k, fallback) == (5, True)
    assert scores["is_candidate"].tolist() == [False, False, False, True]


def test_choose_k_is_deterministic(blobs, selection):
    again = choose_k(blobs, range(2, 8), seeds=(0, 1, 2), sample_size=None, random_state=0, n_threads=1)
    assert again.scores.equals(selection.scores)


def test_choose_k_samples_large_data_with_its_seed(blobs):
    one = choose_k(blobs, [3, 4], seeds=(0, 1), sample_size=120, random_state=5, n_threads=1)
    two = choose_k(blobs, [3, 4], seeds=(0, 1), sample_size=120, random_state=5, n_threads=1)
    assert one.params["rows_used"] == 120
    assert one.scores.equals(two.scores)
    assert one.k == 4


def test_a_fixed_k_is_taken_and_only_its_scores_are_computed(blobs):
    fixed = choose_k(blobs, range(2, 8), seeds=(0, 1), sample_size=None, fixed_k=3, n_threads=1)
    assert fixed.k == 3
    assert fixed.scores["k"].tolist() == [3]
    assert fixed.rule == "fixed k"


def test_choose_k_needs_two_seeds_and_a_sensible_k(blobs):
    with pytest.raises(ValueError, match="two seeds"):
        choose_k(blobs, [3], seeds=(0,))
    with pytest.raises(ValueError, match="between 2"):
        choose_k(blobs, [1, 3], seeds=(0, 1))


def test_the_same_data_and_seed_give_identical_labels(blobs):
    first = fit_clusters(blobs, 4, random_state=3, n_init=4, n_threads=1)
    second = fit_clusters(blobs, 4, random_state=3, n_init=4, n_threads=1)
    assert np.array_equal(first.labels_, second.labels_)
    assert np.array_equal(first.cluster_centers_, second.cluster_centers_)


A, B, C = np.array([0.0, 0.0]), np.array([6.0, 0.0]), np.array([0.0, 6.0])


def test_first_ids_follow_the_lexicographic_order_of_the_centroids():
    assert match_cluster_ids(None, np.vstack([B, A, C])) == [3, 1, 2]


def test_ids_survive_a_permutation_and_a_small_shift_of_the_centroids():
    previous = {7: A, 3: B, 9: C}
    new = np.vstack([C + 0.1, A - 0.2, B + np.array([0.1, -0.1])])
    assert match_cluster_ids(previous, new) == [9, 7, 3]


def test_a_new_extra_cluster_gets_the_next_id_after_the_largest_previous_one():
    previous = {1: A, 2: B}
    new = np.vstack([B, np.array([20.0, 20.0]), A])
    assert match_cluster_ids(previous, new) == [2, 3, 1]


def test_a_retired_id_is_not_reused_when_next_id_is_given():
    assert match_cluster_ids({1: A, 2: B}, np.vstack([B, C, A]), next_id=10) == [2, 10, 1]


def test_a_match_farther_than_max_distance_is_a_new_cluster():
    previous = {1: A, 2: B}
    new = np.vstack([A, np.array([30.0, 30.0])])
    assert match_cluster_ids(previous, new) == [1, 2]
    assert match_cluster_ids(previous, new, max_distance=5.0) == [1, 3]


def test_a_vanished_cluster_leaves_the_others_their_ids():
    assert match_cluster_ids({1: A, 2: B, 3: C}, np.vstack([C, A])) == [3, 1]


def test_centroids_of_another_dimension_are_rejected():
    with pytest.raises(ValueError, match="features"):
        match_cluster_ids({1: A}, np.array([[0.0, 0.0, 0.0]]))


def test_relabel_maps_kmeans_labels_to_stable_ids():
    assert relabel(np.array([0, 2, 1, 0]), [7, 3, 9]).tolist() == [7, 9, 3, 7]


def test_stable_ids_of_a_refit_on_shuffled_data_label_every_point_as_before(blobs):
    first = fit_clusters(blobs, 4, random_state=0, n_init=4, n_threads=1)
    first_ids = match_cluster_ids(None, first.cluster_centers_)
    order = np.random.default_rng(1).permutation(len(blobs))
    second = fit_clusters(blobs[order] + 0.05, 4, random_state=9, n_init=4, n_threads=1)
    previous = dict(zip(first_ids, first.cluster_centers_, strict=True))
    second_ids = match_cluster_ids(previous, second.cluster_centers_)
    assert np.array_equal(relabel(second.labels_, second_ids), relabel(first.labels_, first_ids)[order])


def test_nearest_centroid_without_gaps_is_the_plain_nearest_centroid():
    from bankseg.segmentation.clustering import nearest_centroid

    centroids = np.array([[0.0, 0.0], [4.0, 0.0], [0.0, 4.0]])
    points = np.array([[0.5, 0.2], [3.0, 1.0], [1.0, 3.5], [2.0, 0.0]])
    # [2, 0] is as far from the first centroid as from the second: the lower index wins
    assert nearest_centroid(points, centroids).tolist() == [0, 1, 2, 0]


def test_nearest_centroid_compares_a_row_with_gaps_on_the_features_it_has():
    from bankseg.segmentation.clustering import nearest_centroid

    centroids = np.array([[0.0, 0.0, 0.0], [5.0, 5.0, 0.0]])
    # imputing the median (0) would put this row at the first centroid; its one known feature says the second
    row = np.array([[np.nan, 4.5, np.nan]])
    assert nearest_centroid(row, centroids).tolist() == [1]
    # a row with nothing known is compared at the medians
    assert nearest_centroid(np.array([[np.nan, np.nan, np.nan]]), centroids).tolist() == [0]
    with pytest.raises(ValueError, match="features"):
        nearest_centroid(np.zeros((1, 2)), centroids)


def test_without_a_silhouette_tolerance_the_calinski_harabasz_peak_among_stable_k_wins():
    # the project's default (segmentation_silhouette_tolerance: null); a tolerance of 0.02 would cut the peak
    # (k=5) for a silhouette 0.03 below the best, k=7 is dropped for being unstable
    scores = pd.DataFrame(
        {
            "k": [3, 4, 5, 6, 7],
            "silhouette": [0.47, 0.45, 0.44, 0.40, 0.46],
            "davies_bouldin": [0.9, 0.8, 0.8, 0.9, 0.9],
            "calinski_harabasz": [3100.0, 3400.0, 3500.0, 3300.0, 3600.0],
            "stability": [1.0, 1.0, 1.0, 0.99, 0.7],
        }
    )
    checked, k, fallback = select_k(scores, min_stability=0.9, silhouette_tolerance=None)
    assert (k, fallback) == (5, False)
    assert checked["is_candidate"].tolist() == [True, True, True, True, False]
    assert select_k(scores, min_stability=0.9, silhouette_tolerance=0.02)[1] == 4
