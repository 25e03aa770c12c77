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
