"""Personas: a readable name and profile for every cluster, so marketing can read the clusters.

**Profile.** For each cluster and feature the standardised mean difference is
``SMD = (cluster mean - population mean) / population standard deviation`` (population = every customer
described, standard deviation with ddof 0; 0 when the feature is constant). Columns listed in ``log_columns``
are compared on the signed-log scale so one billionaire does not hide every other difference. The top
``top_n`` features by ``|SMD|`` (ties: the order of ``feature_columns``) are given as text and as JSON with
the cluster and population medians in the original units.

**Name.** Each feature with ``|SMD| >= min_effect`` (0.2, the conventional "small effect") yields a phrase
from :data:`PHRASES` (e.g. ``aum_amount`` high -> "affluent" / 高资产, low -> "low-balance" / 低资产), or a
generic "high <column words>" / "low <column words>" when the feature has no template. A cluster's name joins
the phrases of its first ``name_features`` features ("Affluent, digital-first customers"); a cluster without
any is "Mainstream customers". When two clusters would share a name, both take their next phrase, and so on;
if they run out of phrases the cluster id is appended. The Chinese name is built the same way when every
phrase used has a Chinese template, else it is null. Names depend only on the data and the parameters, so they
are deterministic.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from .features import signed_log1p

#: feature -> (high phrase, low phrase, high phrase in Chinese, low phrase in Chinese). Wording, not thresholds.
PHRASES: dict[str, tuple[str, str, str | None, str | None]] = {
    "aum_amount": ("affluent", "low-balance", "高资产", "低资产"),
    "deposit_balance_amount": ("deposit-rich", "low-deposit", "存款充裕", "存款较少"),
    "investment_value_amount": ("investing", "non-investing", "投资型", "少投资"),
    "annual_income_amount": ("high-income", "lower-income", "高收入", "中低收入"),
    "annual_income_reporting_amount": ("high-income", "lower-income", "高收入", "中低收入"),
    "age_years": ("senior", "young", "年长", "年轻"),
    "tenure_months": ("long-standing", "recently joined", "老客户", "新近客户"),
    "days_since_last_activity": ("lapsing", "recently active", "久未活动", "近期活跃"),
    "transaction_count_3m": ("frequent-transacting", "light-transacting", "交易活跃", "交易较少"),
    "transaction_count_90d": ("frequent-transacting", "light-transacting", "交易活跃", "交易较少"),
    "transaction_count_365d": ("frequent-transacting", "light-transacting", "交易活跃", "交易较少"),
    "transaction_amount_3m": ("high-turnover", "low-turnover", "资金流水大", "资金流水小"),
    "transaction_amount_90d": ("high-turnover", "low-turnover", "资金流水大", "资金流水小"),
    "transaction_amount_365d": ("high-turnover", "low-turnover", "资金流水大", "资金流水小"),
    "debit_amount_3m": ("big-spending", "low-spending", "支出高", "支出低"),
    "salary_credit_amount_3m": ("salaried", "non-salaried", "代发工资", "无代发工资"),
    "salary_credit_amount_365d": ("salaried", "non-salaried", "代发工资", "无代发工资"),
    "digital_channel_share": ("digital-first", "branch-reliant", "数字化", "依赖网点"),
    "digital_channel_share_3m": ("digital-first", "branch-reliant", "数字化", "依赖网点"),
    "digital_channel_share_24m": ("digital-first", "branch-reliant", "数字化", "依赖网点"),
    "branch_channel_share_24m": ("branch-loyal", "branch-averse", "偏好网点", "少去网点"),
    "monthly_transaction_count_24m": ("frequent-transacting", "light-transacting", "交易活跃", "交易较少"),
    "max_aum_24m_amount": ("affluent", "low-balance", "高资产", "低资产"),
    "salary_credit_share_24m": ("salaried", "non-salaried", "代发工资", "无代发工资"),
    "active_month_count_24m": ("steadily active", "sporadically active", "长期活跃", "偶尔活跃"),
    "digital_session_count_3m": ("app-engaged", "app-disengaged", "常用手机银行", "少用手机银行"),
    "digital_session_count_90d": ("app-engaged", "app-disengaged", "常用手机银行", "少用手机银行"),
    "branch_channel_share": ("branch-loyal", "branch-averse", "偏好网点", "少去网点"),
    "current_deposit_share": ("liquidity-focused", "low-liquidity", "偏好活期", "少活期"),
    "savings_deposit_share": ("saving", "non-saving", "偏好储蓄", "少储蓄"),
    "time_deposit_deposit_share": ("time-deposit-loving", "time-deposit-light", "偏好定期", "少定期"),
    "product_count": ("multi-product", "single-product", "多产品", "产品单一"),
    "loan_count": ("borrowing", "debt-free", "有贷款需求", "少贷款"),
    "loan_outstanding_amount": ("borrowing", "debt-free", "有贷款需求", "少贷款"),
    "credit_card_count": ("card-holding", "card-free", "持卡多", "少持卡"),
    "card_spend_amount_3m": ("card-spending", "card-light", "刷卡消费多", "少刷卡"),
    "card_spend_amount_365d": ("card-spending", "card-light", "刷卡消费多", "少刷卡"),
    "kyc_risk_level": ("risk-seeking", "risk-averse", "进取型", "保守型"),
    "kyc_risk_level_code": ("risk-seeking", "risk-averse", "进取型", "保守型"),
    "groceries_spend_share": ("household-focused", "few-groceries", "日常采购多", "日常采购少"),
    "dining_spend_share": ("dining-out", "rarely-dining-out", "爱外出就餐", "少外出就餐"),
    "travel_spend_share": ("travel-loving", "rarely-travelling", "爱旅行", "少旅行"),
    "luxury_spend_share": ("luxury-buying", "frugal", "奢侈品消费", "节俭"),
    "entertainment_spend_share": ("entertainment-loving", "low-entertainment", "爱娱乐", "少娱乐"),
    "education_spend_share": ("education-investing", "low-education-spend", "重教育", "教育支出少"),
    "health_spend_share": ("health-spending", "low-health-spend", "重健康", "健康支出少"),
    "latest_nps_score": ("promoting", "detracting", "满意度高", "满意度低"),
    "complaint_count_365d": ("complaining", "complaint-free", "投诉较多", "少投诉"),
}

MAINSTREAM = ("mainstream", "大众")


def standardised_mean_differences(
    frame: pd.DataFrame,
    labels: Sequence[int] | np.ndarray,
    feature_columns: Sequence[str],
    log_columns: Sequence[str] = (),
) -> pd.DataFrame:
    """SMD of every feature (columns) for every cluster (index, sorted ids); see the module doc."""
    labels = np.asarray(labels)
    clusters = sorted(pd.unique(labels).tolist())
    out = pd.DataFrame(index=pd.Index(clusters, name="cluster_id"), columns=list(feature_columns), dtype="float64")
    for column in feature_columns:
        values = frame[column].astype("float64").to_numpy()
        if column in log_columns:
            values = signed_log1p(values)
        mean, std = np.nanmean(values), np.nanstd(values)
        for cluster in clusters:
            in_cluster = values[labels == cluster]
            present = in_cluster[~np.isnan(in_cluster)]
            out.loc[cluster, column] = 0.0 if std <= 0 or present.size == 0 else (present.mean() - mean) / std
    return out


def _phrase(feature: str, smd: float, templates: Mapping[str, tuple]) -> tuple[str, str | None]:
    high = smd > 0
    if feature in templates:
        en_high, en_low, zh_high, zh_low = templates[feature]
        return (en_high, zh_high) if high else (en_low, zh_low)
    words = feature.replace("_", " ")
    return (f"high {words}" if high else f"low {words}"), None


def _name(phrases: Sequence[tuple[str, str | None]]) -> tuple[str, str | None]:
    if not phrases:
        phrases = [MAINSTREAM]
    english = ", ".join(p for p, _ in phrases) + " customers"
    english = english[0].upper() + english[1:]
    chinese = None if any(z is None for _, z in phrases) else "、".join(z for _, z in phrases) + "客户"
    return english, chinese


def unique_persona_names(
    phrases: Mapping[int, Sequence[tuple[str, str | None]]], name_features: int = 2
) -> dict[int, tuple[str, str | None]]:
    """English and Chinese names per cluster from ranked phrases, unique across clusters (see module doc)."""
    names: dict[int, tuple[str, str | None]] = {}
    remaining = sorted(phrases)
    depth = name_features
    longest = max((len(p) for p in phrases.values()), default=0)
    while remaining:
        candidates = {c: _name(list(phrases[c])[:depth]) for c in remaining}
        counts = Counter(en for en, _ in candidates.values())
        exhausted = depth >= longest
        still = []
        for cluster in remaining:
            english, chinese = candidates[cluster]
            if counts[english] == 1:
                names[cluster] = (english, chinese)
            elif exhausted:
                suffix_zh = None if chinese is None else f"{chinese}（客群{cluster}）"
                names[cluster] = (f"{english} (cluster {cluster})", suffix_zh)
            else:
                still.append(cluster)
        remaining = still
        depth += 1
    return names


def describe_clusters(
    frame: pd.DataFrame,
    labels: Sequence[int] | np.ndarray,
    feature_columns: Sequence[str],
    value_column: str = "aum_amount",
    *,
    log_columns: Sequence[str] = (),
    top_n: int = 3,
    name_features: int = 2,
    min_effect: float = 0.2,
    templates: Mapping[str, tuple[str, str, str | None, str | None]] | None = None,
) -> pd.DataFrame:
    """One row per cluster: id, English and Chinese persona names, size, share, median value, top features.

    Columns: ``cluster_id``, ``persona_name``, ``persona_name_zh`` (null without a Chinese template),
    ``customer_count``, ``customer_share`` (0-1), ``median_value_amount`` (median of ``value_column``),
    ``top_features`` (text, e.g. ``aum_amount +1.85 SD; age_years -0.92 SD``) and ``top_features_json``
    (list of {feature, smd, direction, cluster_median, population_median}). ``feature_columns`` must be numeric
    or boolean; ``templates`` replaces :data:`PHRASES`.
    """
    labels = np.asarray(labels)
    if len(labels) != len(frame):
        raise ValueError(f"{len(labels)} labels for {len(frame)} rows")
    templates = PHRASES if templates is None else templates
    smd = standardised_mean_differences(frame, labels, feature_columns, log_columns)
    order = {c: i for i, c in enumerate(feature_columns)}
    value = frame[value_column].astype("float64").to_numpy()
    rows = []
    ranked_phrases: dict[int, list[tuple[str, str | None]]] = {}
    for cluster in smd.index:
        effects = smd.loc[cluster]
        ranked = sorted(feature_columns, key=lambda f: (-round(abs(float(effects[f])), 9), order[f]))
        ranked_phrases[cluster] = [
            _phrase(f, float(effects[f]), templates) for f in ranked if abs(float(effects[f])) >= min_effect
        ]
        top = []
        in_cluster = labels == cluster
        for feature in ranked[:top_n]:
            values = frame[feature].astype("float64").to_numpy()
            top.append(
                {
                    "feature": feature,
                    "smd": round(float(effects[feature]), 4),
                    "direction": "high" if effects[feature] > 0 else "low" if effects[feature] < 0 else "typical",
                    "cluster_median": _median(values[in_cluster]),
                    "population_median": _median(values),
                }
            )
        rows.append(
            {
                "cluster_id": int(cluster),
                "customer_count": int(in_cluster.sum()),
                "customer_share": float(in_cluster.sum() / len(labels)),
                "median_value_amount": _median(value[in_cluster]),
                "top_features": "; ".join(f"{t['feature']} {t['smd']:+.2f} SD" for t in top),
                "top_features_json": json.dumps(top, ensure_ascii=False),
            }
        )
    names = unique_persona_names(ranked_phrases, name_features)
    out = pd.DataFrame(rows)
    out.insert(1, "persona_name", [names[c][0] for c in out["cluster_id"]])
    out.insert(2, "persona_name_zh", pd.array([names[c][1] for c in out["cluster_id"]], dtype="string"))
    return out


def _median(values: np.ndarray) -> float | None:
    present = values[~np.isnan(values)]
    return None if present.size == 0 else round(float(np.median(present)), 4)
