"""Reference data the generator draws from.

Code values come from the dbt seeds (``seeds/*.csv`` next to the package), so the
generator never invents a code the warehouse does not know.  The generator does
use specific codes for their meaning (``'BRN'`` is the branch channel, ``'EMP'``
the employer counterparty); :func:`load_reference` checks that every such code
exists in the seeds and fails loudly if a seed loses one.

Static lists that are not reference data (pinyin surnames and given names,
cities with their resident-ID region codes, merchant names, e-mail domains,
Spring Festival dates) are plain constants here.
"""

from __future__ import annotations

import csv
import os
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

# --------------------------------------------------------------------------- seeds


def seeds_dir() -> Path:
    """The ``seeds/`` folder of the project (``BANKSEG_SEEDS_DIR`` overrides it)."""
    env = os.environ.get("BANKSEG_SEEDS_DIR")
    candidates = [Path(env)] if env else []
    here = Path(__file__).resolve()
    candidates += [p / "seeds" for p in here.parents]
    for cand in candidates:
        if (cand / "ref_code_map.csv").is_file():
            return cand
    raise FileNotFoundError(
        "cannot find the seeds/ folder (ref_code_map.csv) next to the bankseg package; set BANKSEG_SEEDS_DIR"
    )


def _read_csv(name: str) -> list[dict[str, str]]:
    with open(seeds_dir() / name, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


#: codes the generator uses by meaning: (code_set, code) pairs checked against ref_code_map.csv
_USED_CODES: dict[str, tuple[str, ...]] = {
    "gender": ("1", "2", "9"),
    "marital_status": ("10", "20", "30", "40", "90"),
    "education": ("10", "20", "30", "60", "70", "90"),
    "occupation": ("01", "02", "03", "04", "05", "06", "07", "08", "09", "10", "99"),
    "deposit_account_status": ("A", "D", "F", "C"),
    "loan_status": ("CUR", "DLQ", "DEF", "PAID", "WO"),
    "loan_decision": ("APPR", "DECL"),
    "card_status": ("A", "B", "C"),
    "digital_user_status": ("A", "L", "C"),
    "transaction_direction": ("D", "C"),
    "counterparty_type": ("IND", "MER", "EMP", "GOV", "FIN", "INT"),
    "campaign_group": ("T", "C"),
    "campaign_response": ("ACC", "DEC", "NR"),
    "campaign_objective": ("ACQUIRE", "XSELL", "UPSELL", "RETAIN", "WINBACK"),
    "survey_type": ("NPS", "CSAT"),
    "survey_topic": ("ONBOARD", "DIGITAL", "BRANCH", "FEES", "PRODUCT", "ADVICE"),
    "complaint_category": ("FEES", "SERVICE", "DIGITAL", "CARD", "LOAN", "FRAUD", "OTHER"),
    "complaint_outcome": ("UPHELD", "PARTIAL", "REJECTED", "WITHDRAWN"),
    "digital_event_type": ("LOGIN", "TRANSFER", "BILLPAY", "VIEW"),
    "device_os": ("IOS", "ANDROID", "WEB"),
    "kyc_risk_level": ("C1", "C2", "C3", "C4", "C5"),
    "investment_horizon": ("S", "M", "L"),
    "investment_experience": ("NONE", "BASIC", "EXP", "EXPERT"),
}
_USED_CHANNELS = ("BRN", "ATM", "WEB", "MOB", "POS", "TRF", "CC", "SMS", "EML", "RM")
_USED_PRODUCTS = (
    "CUR01", "CUR02", "SAV01", "SAV02", "TD03", "TD12", "TD36", "WM1", "WM2", "WM3", "WM4", "WM5",
    "MTG", "CON", "BUS", "CRL", "CCS", "CCG", "CCP",
)  # fmt: skip


@dataclass(frozen=True)
class Product:
    code: str
    family: str
    product_type: str
    risk_rating: str
    term_months: int | None
    currency: str


@dataclass(frozen=True)
class Reference:
    """Everything loaded from the seeds, with lookups the generator needs."""

    codes: dict[str, tuple[str, ...]]  # code_set -> raw codes (seed order)
    channels: tuple[str, ...]
    products: dict[str, Product]
    branches: tuple[tuple[str, str], ...]  # (branch_code, city)
    mccs: tuple[tuple[str, str], ...]  # (merchant_category_code, spend_group)
    branch_cities: tuple[str, ...] = field(default=())

    def valid(self, code_set: str) -> frozenset[str]:
        return frozenset(self.codes[code_set])


@lru_cache(maxsize=1)
def load_reference() -> Reference:
    codes: dict[str, list[str]] = {}
    for row in _read_csv("ref_code_map.csv"):
        codes.setdefault(row["code_set"], []).append(row["raw_code"])
    channels = tuple(r["channel_code"] for r in _read_csv("ref_channels.csv"))
    products = {}
    for r in _read_csv("ref_products.csv"):
        products[r["product_code"]] = Product(
            code=r["product_code"],
            family=r["product_family"],
            product_type=r["product_type"],
            risk_rating=r["risk_rating"],
            term_months=int(r["term_months"]) if r["term_months"] else None,
            currency=r["default_currency"],
        )
    branches = tuple((r["branch_code"], r["city"]) for r in _read_csv("ref_branches.csv"))
    mccs = tuple((r["merchant_category_code"], r["spend_group"]) for r in _read_csv("ref_merchant_category_groups.csv"))
    missing = []
    for code_set, used in _USED_CODES.items():
        have = set(codes.get(code_set, ()))
        missing += [f"{code_set}:{c}" for c in used if c not in have]
    missing += [f"channel:{c}" for c in _USED_CHANNELS if c not in channels]
    missing += [f"product:{p}" for p in _USED_PRODUCTS if p not in products]
    missing += [f"spend_group:{g}" for g in SPEND_GROUPS if g not in {m[1] for m in mccs}]
    if missing:
        raise ValueError(f"the seeds lack codes the generator uses: {missing}")
    cities = []
    for _, city in branches:
        if city not in cities:
            cities.append(city)
    return Reference(
        codes={k: tuple(v) for k, v in codes.items()},
        channels=channels,
        products=products,
        branches=branches,
        mccs=mccs,
        branch_cities=tuple(cities),
    )


# --------------------------------------------------------------------------- people

#: (pinyin surname, relative frequency) - the most common Chinese surnames
SURNAMES: tuple[tuple[str, float], ...] = (
    ("Wang", 7.1), ("Li", 7.0), ("Zhang", 6.4), ("Liu", 5.4), ("Chen", 4.5), ("Yang", 3.1), ("Huang", 2.3),
    ("Zhao", 2.2), ("Wu", 2.0), ("Zhou", 1.9), ("Xu", 1.7), ("Sun", 1.5), ("Ma", 1.4), ("Zhu", 1.3),
    ("Hu", 1.3), ("Guo", 1.2), ("He", 1.2), ("Gao", 1.1), ("Lin", 1.1), ("Luo", 0.9), ("Zheng", 0.9),
    ("Liang", 0.9), ("Xie", 0.7), ("Song", 0.7), ("Tang", 0.7), ("Han", 0.6), ("Feng", 0.6), ("Deng", 0.6),
    ("Cao", 0.6), ("Peng", 0.6), ("Zeng", 0.5), ("Xiao", 0.5), ("Tian", 0.5), ("Dong", 0.5), ("Yuan", 0.5),
    ("Pan", 0.5), ("Yu", 0.5), ("Jiang", 0.5), ("Cai", 0.4), ("Du", 0.4), ("Ye", 0.4), ("Cheng", 0.4),
    ("Wei", 0.4), ("Su", 0.4), ("Lu", 0.4), ("Ding", 0.4), ("Ren", 0.4), ("Shen", 0.4), ("Yao", 0.3),
    ("Jin", 0.3), ("Fu", 0.3), ("Fang", 0.3), ("Bai", 0.3), ("Qian", 0.2), ("Ouyang", 0.05), ("Sima", 0.02),
)  # fmt: skip

#: first syllables of given names (capitalised when they start the name)
GIVEN_MALE: tuple[str, ...] = (
    "Wei", "Qiang", "Jun", "Yong", "Jie", "Tao", "Ming", "Chao", "Hao", "Peng", "Lei", "Bo", "Gang", "Hui",
    "Jian", "Feng", "Hua", "Liang", "Bin", "Long", "Xiang", "Yu", "Zhi", "Kai", "Dong", "Cheng", "Hong",
    "Ping", "Guo", "Hai", "Xin", "Yi", "Zhen", "Rui", "Yang", "Fei", "Wen", "Xuan", "Zi", "Tian", "Shuo",
    "Jia", "Xiao", "Jun", "Zhong", "Guang", "Sheng", "Ze", "Hang", "Chen",
)  # fmt: skip
GIVEN_FEMALE: tuple[str, ...] = (
    "Fang", "Na", "Min", "Jing", "Li", "Yan", "Juan", "Xia", "Ling", "Ting", "Hui", "Lan", "Mei", "Qian",
    "Xue", "Yun", "Dan", "Ping", "Hong", "Jia", "Xiu", "Qing", "Yu", "Lin", "Wen", "Yue", "Xin", "Shan",
    "Ying", "Rong", "Zhen", "Chun", "Lu", "Qi", "Xi", "Si", "Yi", "Han", "Meng", "Xiao", "Shu", "Ya",
)  # fmt: skip

#: (city, weight, resident-ID region codes of its districts)
CITIES: tuple[tuple[str, float, tuple[str, ...]], ...] = (
    ("Shanghai", 14, ("310101", "310104", "310105", "310112", "310115")),
    ("Beijing", 13, ("110101", "110102", "110105", "110108")),
    ("Shenzhen", 10, ("440303", "440304", "440305", "440306")),
    ("Guangzhou", 10, ("440103", "440104", "440106", "440111")),
    ("Hangzhou", 7, ("330102", "330105", "330106", "330108")),
    ("Chengdu", 8, ("510104", "510105", "510106", "510107")),
    ("Wuhan", 6, ("420102", "420103", "420106")),
    ("Nanjing", 6, ("320102", "320104", "320106")),
    ("Xi'an", 5, ("610102", "610104", "610113")),
    ("Tianjin", 5, ("120101", "120103", "120104")),
    ("Suzhou", 3, ("320505", "320506", "320508")),
    ("Chongqing", 3, ("500103", "500105", "500106")),
)
#: birthplace region codes of people who moved to their city (migrants)
BIRTH_REGIONS: tuple[str, ...] = (
    "410102", "410105", "411302", "430102", "430104", "430602", "340102", "340104", "360102", "370102",
    "370202", "500103", "450103", "130102", "230102", "210102", "350102", "350203", "420106", "510107",
    "522301", "530102", "620102", "140105", "150102", "320583", "330302", "441900", "442000",
)  # fmt: skip

#: placeholder phones and test e-mails seen on genuine records in real extracts
JUNK_PHONES: tuple[str, ...] = ("13800000000", "00000000000")
JUNK_EMAILS: tuple[str, ...] = ("test@test.com", "none@none.com")

#: mobile prefixes (first three digits), weighted roughly by carrier share
PHONE_PREFIXES: tuple[str, ...] = (
    "130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152", "155", "156", "157",
    "158", "159", "166", "170", "173", "175", "176", "177", "180", "181", "182", "183", "185", "186", "187",
    "188", "189", "191", "198", "199",
)  # fmt: skip

EMAIL_DOMAINS: tuple[tuple[str, float], ...] = (
    ("163.com", 0.30), ("126.com", 0.12), ("sina.com", 0.08), ("139.com", 0.06), ("foxmail.com", 0.08),
    ("gmail.com", 0.06), ("outlook.com", 0.08), ("hotmail.com", 0.04), ("aliyun.com", 0.04), ("yeah.net", 0.04),
    ("sohu.com", 0.10),
)  # fmt: skip

# --------------------------------------------------------------------------- merchants

SPEND_GROUPS = (
    "groceries", "dining", "travel", "transport", "shopping", "luxury", "entertainment", "health", "education",
    "utilities", "financial", "home", "other",
)  # fmt: skip

MERCHANTS: dict[str, tuple[str, ...]] = {
    "groceries": ("Hema Fresh", "Walmart", "Yonghui Superstores", "RT-Mart", "Carrefour", "Lawson", "FamilyMart"),
    "dining": ("Meituan Waimai", "Haidilao", "Starbucks", "Luckin Coffee", "KFC", "McDonald's", "Xibei"),
    "travel": ("Ctrip", "China Eastern Airlines", "Air China", "Hanting Hotels", "Jinjiang Inn", "Fliggy"),
    "transport": ("Didi Chuxing", "Sinopec", "PetroChina", "Metro Card Top-up", "12306 China Railway"),
    "shopping": ("JD.com", "Tmall", "Taobao", "Uniqlo", "Suning", "Pinduoduo", "Wanda Plaza"),
    "luxury": ("Chow Tai Fook", "Lao Feng Xiang", "Louis Vuitton", "Cartier", "Hermes"),
    "entertainment": ("Wanda Cinemas", "Tencent Games", "iQIYI", "Bilibili", "Pure Fitness", "Welfare Lottery"),
    "health": ("Yifeng Pharmacy", "Laobaixing Pharmacy", "Ruijin Hospital", "Meinian Onehealth", "Aier Eye"),
    "education": ("New Oriental", "TAL Education", "Fudan University", "Youdao", "Zuoyebang"),
    "utilities": ("State Grid", "China Mobile", "China Unicom", "China Telecom", "City Gas", "Water Utility"),
    "financial": ("Ping An Insurance", "China Life", "CPIC", "Taikang Life"),
    "home": ("IKEA", "Red Star Macalline", "B&Q", "Gome", "Midea Store"),
    "other": ("Alipay Merchant", "WeChat Pay Merchant", "Local Store", "Online Merchant"),
}

# --------------------------------------------------------------------------- calendar

#: Spring Festival (Chinese New Year's day) by year
SPRING_FESTIVAL: dict[int, str] = {
    2000: "2000-02-05", 2001: "2001-01-24", 2002: "2002-02-12", 2003: "2003-02-01", 2004: "2004-01-22",
    2005: "2005-02-09", 2006: "2006-01-29", 2007: "2007-02-18", 2008: "2008-02-07", 2009: "2009-01-26",
    2010: "2010-02-14", 2011: "2011-02-03", 2012: "2012-01-23", 2013: "2013-02-10", 2014: "2014-01-31",
    2015: "2015-02-19", 2016: "2016-02-08", 2017: "2017-01-28", 2018: "2018-02-16", 2019: "2019-02-05",
    2020: "2020-01-25", 2021: "2021-02-12", 2022: "2022-02-01", 2023: "2023-01-22", 2024: "2024-02-10",
    2025: "2025-01-29", 2026: "2026-02-17", 2027: "2027-02-06", 2028: "2028-01-26", 2029: "2029-02-13",
    2030: "2030-02-03", 2031: "2031-01-23", 2032: "2032-02-11", 2033: "2033-01-31", 2034: "2034-02-19",
    2035: "2035-02-08", 2036: "2036-01-28", 2037: "2037-02-15", 2038: "2038-02-04", 2039: "2039-01-24",
    2040: "2040-02-12",
}  # fmt: skip
