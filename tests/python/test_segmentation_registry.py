"""The model registry entry: JSON round trip, deterministic version, assigning a month with a recorded model."""

import json

import numpy as np
import pandas as pd
import pytest

from bankseg.segmentation.clustering import choose_k, fit_clusters, match_cluster_ids, relabel
from bankseg.segmentation.drift import drift_reference
from bankseg.segmentation.features import FeatureSpec, build_feature_matrix
from bankseg.segmentation.registry import (
    assign_with_model,
    centroids_of,
    entry_from_json,
    entry_to_json,
    make_registry_entry,
    model_version,
)

SPEC = FeatureSpec(
    heavy_tailed=("aum_amount",),
    numeric=("age_years",),
    bounded=("digital_channel_share_3m",),
    ordinal={"kyc_risk_level": ("C1", "C2", "C3", "C4", "C5")},
    categorical=("gender",),
    categorical_weight=0.1,  # gender is noise here: a small weight keeps it from splitting the planted groups
)
PARAMS = {"k_range": [2, 3, 4], "seeds": [0, 1], "random_state": 0, "n_init": 4}


def customers(seed: int, n: int = 240) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    group = rng.integers(0, 3, n)
    return pd.DataFrame(
        {
            "aum_amount": np.exp(rng.normal(7 + 3 * group, 0.4)),
            "age_years": rng.normal(25 + 20 * group, 3),
            "digital_channel_share_3m": np.clip(rng.normal(0.9 - 0.35 * group, 0.05), 0, 1),
            "kyc_risk_level": np.array(["C5", "C3", "C1"])[group],
            "gender": rng.choice(["female", "male"], n),
        }
    )


@pytest.fixture(scope="module")
def fitted():
    frame = customers(seed=1)
    matrix, transform = build_feature_matrix(frame, SPEC)
    selection = choose_k(matrix, PARAMS["k_range"], PARAMS["seeds"], sample_size=None, n_threads=1)
    model = fit_clusters(matrix, selection.k, random_state=0, n_init=4, n_threads=1)
    ids = match_cluster_ids(None, model.cluster_centers_)
    labels = relabel(model.labels_, ids)
    sizes = dict(zip(*np.unique(labels, return_counts=True), strict=True))
    entry = make_registry_entry(
        transform=transform,
        centroids=dict(zip(ids, model.cluster_centers_, strict=True)),
        as_of_date="2024-06-30",
        params=PARAMS,
        cluster_sizes=sizes,
        selection=selection,
        drift_reference=drift_reference(frame, SPEC.input_columns),
    )
    return frame, model, ids, labels, entry


def test_the_entry_survives_json_and_assigns_exactly_as_the_fitted_model(fitted):
    frame, _, _, labels, entry = fitted
    text = json.dumps(entry, allow_nan=False)  # strict JSON: no NaN, no numpy types
    recorded = entry_from_json(entry_to_json(json.loads(text)))
    assert recorded == entry
    assert np.array_equal(assign_with_model(recorded, frame), labels)


def test_a_later_month_is_assigned_to_the_nearest_recorded_centroid(fitted):
    _, model, ids, _, entry = fitted
    later = customers(seed=2)
    matrix = build_feature_matrix(customers(seed=1), SPEC)[1].apply(later)
    assert np.array_equal(assign_with_model(entry, later), relabel(model.predict(matrix), ids))


def test_the_entry_records_what_an_auditor_needs(fitted):
    _, _, ids, labels, entry = fitted
    assert entry["k"] == 3 and entry["as_of_date"] == "2024-06-30"
    assert entry["feature_columns"] == [
        "aum_amount",
        "age_years",
        "digital_channel_share_3m",
        "kyc_risk_level",
        "gender",
    ]
    assert entry["feature_names"][-2:] == ["gender=female", "gender=male"]
    assert set(entry["scaling"]["medians"]) == {"aum_amount", "age_years", "digital_channel_share_3m", "kyc_risk_level"}
    assert [c["cluster_id"] for c in entry["centroids"]] == [1, 2, 3]
    assert sorted(centroids_of(entry)) == sorted(ids)
    assert entry["next_cluster_id"] == 4
    assert set(entry["quality"]) == {"silhouette", "davies_bouldin", "calinski_harabasz", "stability"}
    assert [s["k"] for s in entry["k_selection"]["scores"]] == [2, 3, 4]
    assert sum(s["customer_count"] for s in entry["cluster_sizes"]) == len(labels)
    assert entry["drift_reference"]["kyc_risk_level"]["kind"] == "categorical"


def test_the_version_is_a_deterministic_hash_of_features_params_and_as_of_date(fitted):
    entry = fitted[4]
    assert entry["model_version"] == model_version(SPEC, PARAMS, "2024-06-30")
    assert (
        model_version(SPEC.to_dict(), dict(reversed(PARAMS.items())), pd.Timestamp("2024-06-30"))
        == (entry["model_version"])
    )
    assert model_version(SPEC, PARAMS, "2024-07-31") != entry["model_version"]
    assert model_version(SPEC, {**PARAMS, "random_state": 1}, "2024-06-30") != entry["model_version"]
    assert model_version(FeatureSpec(numeric=("age_years",)), PARAMS, "2024-06-30") != entry["model_version"]
    assert len(entry["model_version"]) == 16
