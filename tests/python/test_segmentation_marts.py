"""clustering_frame: the frame the cluster models fit on."""

from decimal import Decimal

import pandas as pd

from bankseg.segmentation.marts import clustering_frame


def test_text_attributes_stay_text_and_decimals_become_floats():
    monthly = pd.DataFrame(
        {
            "customer_id": ["C1", "C2"],
            "month_end_date": ["2025-12-31", "2025-12-31"],
            "aum_amount": [Decimal("10.50"), Decimal("0.00")],
            "lifecycle_status": ["active", "churned"],
        }
    )
    customers = pd.DataFrame(
        {"customer_id": ["C1", "C2"], "occupation": ["retired", "business_owner"], "kyc_risk_level": ["C2", None]}
    )
    frame = clustering_frame(monthly, customers, ["occupation", "kyc_risk_level"])
    assert frame["occupation"].tolist() == ["retired", "business_owner"]
    assert frame["kyc_risk_level"].tolist()[0] == "C2"
    assert frame["aum_amount"].tolist() == [10.5, 0.0]
    assert frame["lifecycle_status"].tolist() == ["active", "churned"]


def test_no_customer_to_cluster_gives_empty_typed_tables_not_an_error():
    """A data set whose people hold no product (the bank-additional campaign file) has nobody to cluster."""
    from bankseg.segmentation.marts import assign_history, drift_table, fit_registry, persona_table

    nobody = pd.DataFrame({"customer_id": pd.Series(dtype="string"), "month_end_date": pd.Series(dtype="object")})
    registry = fit_registry(nobody, {"heavy_tailed": ["aum_amount"]}, as_of_date=None)
    assert len(registry) == 0 and registry["k"].dtype == "int64" and registry["is_current"].dtype == bool
    assert len(assign_history(nobody, registry)) == 0
    assert len(persona_table(registry)) == 0
    assert list(drift_table(nobody, registry, None).columns)[:3] == ["model_version", "month_end_date", "feature_name"]
