"""Compare a built warehouse with the generator's planted truth (``<data>/ground_truth/``).

Models never read the truth; only this module does, to report figures.
"""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pandas as pd


def pair_count(sizes: pd.Series) -> int:
    """Number of unordered pairs inside groups of the given sizes: sum of n(n-1)/2."""
    s = sizes.astype("int64")
    return int((s * (s - 1) // 2).sum())


def pairwise_scores(predicted: pd.Series, truth: pd.Series) -> dict[str, float | int]:
    """Pairwise precision and recall of a clustering against the truth.

    ``predicted`` and ``truth`` are aligned labels (one per record). A pair of records is a true
    positive when both put the two records in one group. Precision = true pairs found / pairs predicted;
    recall = true pairs found / true pairs. With no pairs at all, both are 1.
    """
    if len(predicted) != len(truth):
        raise ValueError("predicted and truth must have the same length")
    frame = pd.DataFrame({"p": predicted.to_numpy(), "t": truth.to_numpy()})
    predicted_pairs = pair_count(frame.groupby("p").size())
    true_pairs = pair_count(frame.groupby("t").size())
    found = pair_count(frame.groupby(["p", "t"]).size())
    return {
        "records": len(frame),
        "predicted_pairs": predicted_pairs,
        "true_pairs": true_pairs,
        "correct_pairs": found,
        "precision": found / predicted_pairs if predicted_pairs else 1.0,
        "recall": found / true_pairs if true_pairs else 1.0,
    }


def _normalise_key(keys: pd.Series) -> pd.Series:
    return keys.astype("string").str.strip().str.upper()


def evaluate_identity(warehouse: Path | str, data: Path | str) -> dict:
    """Pairwise precision/recall of ``int_customer_identity_map`` against ``ground_truth/system_keys``.

    Records are matched on (system, key) with keys trimmed and upper-cased as staging does. Truth
    records that staging quarantined (so have no customer) are counted, not scored.
    """
    truth_path = Path(data) / "ground_truth" / "system_keys.parquet"
    if not truth_path.exists():
        raise FileNotFoundError(f"no ground truth at {truth_path} (only generated banks have one)")
    truth = pd.read_parquet(truth_path, columns=["system", "system_key", "person_id"])
    truth["system_key"] = _normalise_key(truth["system_key"])
    truth = truth.drop_duplicates(["system", "system_key"])
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        mapped = con.execute(
            "select source_system as system, system_key, customer_id from intermediate.int_customer_identity_map"
        ).df()
    finally:
        con.close()
    mapped["system_key"] = _normalise_key(mapped["system_key"])
    joined = truth.merge(mapped, on=["system", "system_key"], how="left")
    scored = joined.dropna(subset=["customer_id"])
    result = pairwise_scores(scored["customer_id"], scored["person_id"])
    result.update(
        {
            "truth_records": len(truth),
            "unmapped_truth_records": int(joined["customer_id"].isna().sum()),
            "mapped_records_not_in_truth": int(len(mapped) - mapped.merge(truth, on=["system", "system_key"]).shape[0]),
            "customers": int(scored["customer_id"].nunique()),
            "persons": int(scored["person_id"].nunique()),
        }
    )
    return result


def to_json(result: dict) -> str:
    return json.dumps(result, indent=2, sort_keys=True)
