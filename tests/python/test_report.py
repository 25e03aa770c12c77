"""The segment report (bankseg.report): the SVG chart helpers on tiny frames, the report from hand-made marts
(every section, missing marts, nothing to report, escaping, determinism, the CLI) and, end to end, the report of
the built test warehouse rendered in headless Chromium with its charts counted in the rendered DOM."""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import shutil
import struct
import subprocess
import time
from collections import Counter, defaultdict
from html.parser import HTMLParser
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from _warehouse import built_bank  # noqa: F401  (pytest fixture)
from bankseg import report
from bankseg.report import (
    BAR_PLOT_WIDTH,
    ReportError,
    bar_chart,
    fmt_count,
    fmt_money,
    fmt_points,
    fmt_share,
    heat_map,
    interval_chart,
    line_chart,
    nice_ticks,
    render_report,
)

HOSTILE = '<script>alert("x")</script> & co'


# ---- parsing what was rendered ----------------------------------------------------------------------------------


class _Census(HTMLParser):
    """Counts, per report section, the charts (svg[data-chart] by kind) and the marks inside them."""

    MARKS = ("data-bar", "data-cell", "data-whisker", "data-estimate", "data-point", "data-series")

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.section: str | None = None
        self.charts: dict[str, Counter] = defaultdict(Counter)
        self.marks: dict[str, Counter] = defaultdict(Counter)
        self.status: dict[str, str] = {}
        self.cells: list[dict[str, str]] = []
        self.bars: dict[str, list[dict[str, str]]] = defaultdict(list)
        self.chart: str | None = None
        self.scripts = 0
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "script":
            self.scripts += 1
        if tag == "section" and "data-section" in a:
            self.section = a["data-section"]
            self.status[self.section] = a.get("data-status", "")
        if tag == "svg" and "data-chart" in a:
            self.charts[self.section or ""][a["data-chart"]] += 1
            self.chart = a.get("data-name")
        for mark in self.MARKS:
            if mark in a:
                self.marks[self.section or ""][mark] += 1
        if "data-cell" in a:
            self.cells.append({**a, "chart": self.chart or ""})
        if "data-bar" in a:
            self.bars[self.chart or ""].append(a)

    def handle_endtag(self, tag: str) -> None:
        if tag == "section":
            self.section = None

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def census(document: str) -> _Census:
    parser = _Census()
    parser.feed(document)
    parser.close()
    return parser


def rect_widths(svg: str) -> list[float]:
    return [float(w) for w in re.findall(r'<rect x="[^"]+" y="[^"]+" width="([^"]+)" height="16"', svg)]


# ---- formatting and scales -------------------------------------------------------------------------------------


def test_formatters_give_the_figures_marketing_reads():
    assert fmt_count(1234.4) == "1,234"
    assert fmt_share(0.20123) == "20.1%"
    assert fmt_share(-0.00001) == "0.0%"  # never "-0.0%"
    assert fmt_points(0.0224) == "+2.2 pp"
    assert fmt_points(-0.5) == "-50.0 pp"
    assert fmt_money(415_652_700, "CNY") == "CNY 415.7M"
    assert fmt_money(2_500_000_000) == "2.50B"
    assert fmt_money(35_765.09, "CNY") == "CNY 35.8K"
    assert fmt_money(4_505) == "4,505"
    assert [fmt_count(None), fmt_share(float("nan")), fmt_money(None)] == ["n/a", "n/a", "n/a"]


def test_nice_ticks_cover_the_range_with_round_steps():
    assert nice_ticks(0, 465) == [0, 100, 200, 300, 400, 500]
    assert nice_ticks(-0.52, 0.4, 6) == [-0.6, -0.4, -0.2, 0, 0.2, 0.4]
    assert nice_ticks(0, 0) == [0, 0.2, 0.4, 0.6, 0.8, 1.0]


# ---- chart helpers on tiny frames ------------------------------------------------------------------------------


def test_bar_chart_scales_bars_from_zero_to_the_largest_value():
    frame = pd.DataFrame({"segment": ["a", "b", "c"], "customers": [1, 2, 4]})
    svg = bar_chart(frame, label="segment", value="customers", name="t", title="Customers")
    assert svg.startswith("<svg ") and 'data-chart="bar"' in svg
    assert rect_widths(svg) == [BAR_PLOT_WIDTH / 4, BAR_PLOT_WIDTH / 2, BAR_PLOT_WIDTH]
    assert [b["data-label"] for b in census(svg).bars["t"]] == ["a", "b", "c"]  # the frame's order
    assert ">4</text>" in svg  # default annotation is the formatted value


def test_bar_chart_draws_negative_values_left_of_the_zero_line():
    frame = pd.DataFrame({"feature": ["low", "high", "unknown"], "smd": [-1.0, 3.0, None]})
    svg = bar_chart(frame, label="feature", value="smd", name="f", title="Features")
    xs = [float(x) for x in re.findall(r'<rect x="([^"]+)" y="[^"]+" width="[^"]+" height="16"', svg)]
    assert rect_widths(svg) == [BAR_PLOT_WIDTH / 4, BAR_PLOT_WIDTH * 3 / 4]  # the missing value draws no bar
    assert xs[0] + BAR_PLOT_WIDTH / 4 == pytest.approx(xs[1])  # the negative bar ends where the positive starts
    assert 'fill="#C0504D"' in svg and ">n/a</text>" in svg


def test_chart_helpers_escape_every_text():
    frame = pd.DataFrame(
        {
            "label": [HOSTILE, 'say "hi"'],
            "zh": ["高价值客户 <b>", None],
            "value": [1.0, 2.0],
            "low": [0.5, 1.0],
            "high": [1.5, 3.0],
            "month": ["2025-11-30", "2025-12-31"],
        }
    )
    charts = [
        bar_chart(frame, label="label", sublabel="zh", value="value", name=HOSTILE, title=HOSTILE),
        interval_chart(frame, label="label", estimate="value", lower="low", upper="high", name="i", title=HOSTILE),
        line_chart(frame, x="month", y="value", series="label", name="l", title=HOSTILE),
        heat_map(
            frame.assign(rate=0.5),
            row="label",
            col="label",
            count="value",
            rate="rate",
            name="h",
            title=HOSTILE,
            order=[],
        ),
    ]
    for svg in charts:
        assert "<script" not in svg and "<b>" not in svg
        assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; co" in svg
        parsed = census(svg)
        assert parsed.scripts == 0
        assert HOSTILE in "".join(parsed.text)  # what a reader sees is the text itself
    assert "高价值客户 &lt;b&gt;" in charts[0]


def test_empty_frames_give_a_no_data_note_instead_of_a_chart():
    empty = pd.DataFrame({"label": [], "value": [], "low": [], "high": [], "rate": []})
    outputs = {
        "bar": bar_chart(empty, label="label", value="value", name="b", title="Bars"),
        "line": line_chart(empty, x="label", y="value", series="label", name="l", title="Lines"),
        "heatmap": heat_map(
            empty, row="label", col="label", count="value", rate="rate", name="h", title="Heat", order=["a"]
        ),
        "interval": interval_chart(
            empty, label="label", estimate="value", lower="low", upper="high", name="i", title="I"
        ),
    }
    for kind, html in outputs.items():
        assert "<svg" not in html
        assert f'data-chart-empty="{kind}"' in html and "no data to chart" in html
    # a line chart whose values are all missing is empty too
    missing = pd.DataFrame({"m": ["2025-01-31"], "v": [float("nan")], "s": ["a"]})
    assert "<svg" not in line_chart(missing, x="m", y="v", series="s", name="l", title="L")


def test_line_chart_breaks_lines_at_missing_values_and_drops_empty_series():
    frame = pd.DataFrame(
        {
            "month": ["2025-01-31", "2025-02-28", "2025-03-31", "2025-04-30"] * 2,
            "series": ["a"] * 4 + ["b"] * 4,
            "rate": [0.1, float("nan"), 0.3, 0.4] + [float("nan")] * 4,
        }
    )
    svg = line_chart(
        frame,
        x="month",
        y="rate",
        series="series",
        name="c",
        title="Churn",
        series_order=["b", "a"],
        series_labels={"a": "Alpha 阿尔法"},
        value_format=fmt_share,
    )
    assert svg.count("<polyline") == 1  # [0.1] alone, then [0.3, 0.4]
    assert svg.count("data-point") == 3
    assert 'data-series="b"' not in svg and 'data-series="a"' in svg
    assert "Alpha 阿尔法 2025-03-31: 30.0%" in svg
    assert ">2025-01</text>" in svg and ">2025-04</text>" in svg


def test_heat_map_has_a_cell_for_every_pair_in_display_order():
    frame = pd.DataFrame(
        {
            "f": ["hv", "hv", "mass", "zz"],
            "t": ["hv", "mass", "mass", "hv"],
            "n": [8, 2, 5, 1],
            "rate": [0.8, 0.2, 1.0, 1.0],
        }
    )
    svg = heat_map(
        frame,
        row="f",
        col="t",
        count="n",
        rate="rate",
        name="m",
        title="Migration",
        order=["mass", "hv"],
        labels={"hv": ("High-value", "高价值客户")},
    )
    cells = census(svg).cells
    assert [(c["data-from"], c["data-to"]) for c in cells] == [
        (a, b) for a in ("mass", "hv", "zz") for b in ("mass", "hv", "zz")
    ]
    counts = {(c["data-from"], c["data-to"]): int(c["data-count"]) for c in cells}
    assert counts[("hv", "hv")] == 8 and counts[("hv", "mass")] == 2 and counts[("mass", "hv")] == 0
    assert sum(counts.values()) == 16
    assert "High-value → High-value: 8 customers, 80.0%" in svg
    assert ">10</text>" in svg  # row total of hv


def test_interval_chart_draws_whiskers_only_where_there_is_an_interval():
    frame = pd.DataFrame(
        {
            "campaign": ["c1", "c1", "c2"],
            "segment": ["hv", "mass", "hv"],
            "uplift": [0.1, -0.05, 0.02],
            "low": [0.02, -0.3, None],
            "high": [0.18, 0.2, None],
        }
    )
    svg = interval_chart(
        frame, label="segment", group="campaign", estimate="uplift", lower="low", upper="high", name="u", title="U"
    )
    parsed = census(svg)
    assert parsed.marks[""]["data-whisker"] == 2 and parsed.marks[""]["data-estimate"] == 3
    assert svg.count("data-group") == 2  # c1 and c2 headings
    assert "+10.0 pp [+2.0 pp, +18.0 pp]" in svg and "+2.0 pp (no interval)" in svg
    assert 'stroke="#1B7F3B"' in svg  # c1 hv lies wholly above zero
    whisker = re.search(r'data-whisker="" x1="([^"]+)" y1="[^"]+" x2="([^"]+)"', svg)
    dot = re.search(r'data-estimate="" cx="([^"]+)"', svg)
    assert float(whisker.group(1)) < float(dot.group(1)) < float(whisker.group(2))


# ---- the report from hand-made marts ---------------------------------------------------------------------------

AS_OF = "2025-12-31"


def make_marts(path: Path, tables: tuple[str, ...] | None = None, persona_name: str = "Savers") -> Path:
    """A tiny warehouse with the marts the report reads (all of them, or only ``tables``)."""
    frames: dict[str, pd.DataFrame] = {}
    tiers = [
        ("hv", "High-value", "高价值客户", 1),
        ("mass", "Mass", "大众客户", 3),
        ("churned", "Churned", "流失客户", 6),
    ]
    customers = [
        # id, tier, cluster, aum at the as-of month
        ("c1", "hv", 1, 500_000.0),
        ("c2", "hv", 1, 300_000.0),
        ("c3", "hv", 2, 200_000.0),
        ("c4", "mass", 2, 10_000.0),
        ("c5", "mass", 2, 5_000.0),
        ("c6", "churned", 1, 0.0),
    ]
    names = {t[0]: t for t in tiers}
    rows = []
    for month, is_as_of in (("2025-11-30", False), (AS_OF, True)):
        for cid, tier, cluster, aum in customers:
            rows.append(
                {
                    "customer_id": cid,
                    "month_end_date": pd.Timestamp(month),
                    "is_as_of_month": is_as_of,
                    "tier_code": tier,
                    "tier_name_en": names[tier][1],
                    "tier_name_zh": names[tier][2],
                    "cluster_id": cluster,
                    "persona_name": persona_name if cluster == 1 else "Spenders",
                    "persona_name_zh": "储蓄客户" if cluster == 1 else "消费客户",
                    "aum_amount": aum if is_as_of else aum / 2,
                    "currency": "CNY",
                }
            )
    monthly = pd.DataFrame(rows)
    frames["fct_customer_segments"] = monthly.drop(columns=["aum_amount", "currency"])
    frames["fct_customer_features_monthly"] = monthly[
        ["customer_id", "month_end_date", "is_as_of_month", "aum_amount", "currency"]
    ]
    frames["dim_segments"] = pd.DataFrame(
        [(f"tier:{c}", "tier", c, en, zh, order) for c, en, zh, order in tiers]
        + [
            ("cluster:1", "cluster", "1", persona_name, "储蓄客户", 101),
            ("cluster:2", "cluster", "2", "Spenders", "消费客户", 102),
        ],
        columns=["segment_key", "segment_type", "segment_code", "segment_name_en", "segment_name_zh", "display_order"],
    )
    frames["dim_segment_models"] = pd.DataFrame(
        {
            "model_version": ["m1", "m0"],
            "as_of_date": pd.to_datetime([AS_OF, "2025-06-30"]),
            "is_current": [True, False],
        }
    )
    features = json.dumps(
        [
            {
                "feature": "aum_amount",
                "smd": 1.2,
                "direction": "high",
                "cluster_median": 300000.0,
                "population_median": 7500.0,
            },
            {
                "feature": "card_spend_amount_3m",
                "smd": -0.4,
                "direction": "low",
                "cluster_median": 0.0,
                "population_median": 12.5,
            },
        ]
    )
    frames["dim_segment_personas"] = pd.DataFrame(
        {
            "model_version": ["m1", "m1", "m0"],
            "cluster_id": [1, 2, 1],
            "persona_name": [persona_name, "Spenders", "Old model persona"],
            "persona_name_zh": ["储蓄客户", "消费客户", "旧"],
            "customer_count": [3, 3, 9],
            "customer_share": [0.5, 0.5, 1.0],
            "median_aum_amount": [300000.0, 10000.0, 1.0],
            "top_features": ["aum_amount +1.20 SD", "card_spend_amount_3m -0.40 SD", "x"],
            "top_features_json": [features, features, "[]"],
            "is_current_model": [True, True, False],
        }
    )
    migration = [
        ("tier", "hv", "hv", 2, 2),
        ("tier", "mass", "hv", 1, 4),
        ("tier", "mass", "mass", 2, 4),
        ("tier", "mass", "churned", 1, 4),
        ("cluster", "1", "1", 3, 3),
        ("cluster", "2", "2", 3, 3),
    ]
    frames["fct_segment_migration"] = pd.DataFrame(
        [
            {
                "segment_type": kind,
                "from_month_end_date": pd.Timestamp("2025-11-30"),
                "to_month_end_date": pd.Timestamp(AS_OF),
                "from_segment_code": a,
                "to_segment_code": b,
                "is_same_segment": a == b,
                "customer_count": n,
                "starting_customer_count": start,
                "migration_rate": n / start,
            }
            for kind, a, b, n, start in migration
        ]
        # an older transition, which the report must not show
        + [
            {
                "segment_type": "tier",
                "from_month_end_date": pd.Timestamp("2025-10-31"),
                "to_month_end_date": pd.Timestamp("2025-11-30"),
                "from_segment_code": "hv",
                "to_segment_code": "hv",
                "is_same_segment": True,
                "customer_count": 99,
                "starting_customer_count": 99,
                "migration_rate": 1.0,
            }
        ]
    )
    frames["fct_segment_kpis_monthly"] = pd.DataFrame(
        {
            "month_end_date": pd.to_datetime(["2025-11-30", AS_OF] * 2 + [AS_OF]),
            "segment_type": ["tier"] * 4 + ["cluster"],
            "segment_code": ["hv", "hv", "mass", "mass", "1"],
            "customer_count": [2, 3, 4, 2, 3],
            "start_customer_count": [0, 2, 0, 4, 3],
            "churned_customer_count": [0, 0, 0, 1, 0],
            "churn_rate": [None, 0.0, None, 0.25, 0.0],
            "retention_rate": [None, 1.0, None, 0.75, 1.0],
            "aum_amount": [400_000.0, 1_000_000.0, 7_500.0, 15_000.0, 800_000.0],
            "currency": ["CNY"] * 5,
        }
    )
    frames["fct_campaign_performance"] = pd.DataFrame(
        {
            "campaign_id": ["K2", "K1", "K1", "K1"],
            "campaign_name": ["No hold-out push", "Gold card", "Gold card", "Gold card"],
            "start_date": pd.to_datetime(["2025-09-01", "2025-03-01", "2025-03-01", "2025-03-01"]),
            "segment_type": ["all", "all", "tier", "tier"],
            "segment_code": ["all", "all", "hv", "mass"],
            "attribution_days": [30] * 4,
            "contacted_count": [40, 100, 60, 40],
            "contacted_converted_count": [4, 12, 9, 3],
            "conversion_rate": [0.1, 0.12, 0.15, 0.075],
            "control_count": [0, 20, 12, 8],
            "control_converted_count": [0, 1, 1, 0],
            "control_conversion_rate": [None, 0.05, 1 / 12, 0.0],
            "uplift": [None, 0.07, 0.0667, 0.075],
            "uplift_ci_lower": [None, -0.04, -0.12, -0.2],
            "uplift_ci_upper": [None, 0.18, 0.25, 0.3],
            "cost_per_conversion_amount": [5.0, 12.5, 10.0, 20.0],
            "currency": ["CNY"] * 4,
        }
    )
    con = duckdb.connect(str(path))
    try:
        # qualified, so that the file may be called marts.duckdb (the report must cope with that too)
        con.execute(f'create schema "{path.stem}".marts')
        for name, frame in frames.items():
            if tables is None or name in tables:
                con.register("frame", frame)
                con.execute(f'create table "{path.stem}".marts.{name} as select * from frame')
                con.unregister("frame")
    finally:
        con.close()
    return path


@pytest.fixture
def hand_made(tmp_path) -> Path:
    return make_marts(tmp_path / "marts.duckdb", persona_name=HOSTILE)


def test_report_from_hand_made_marts_draws_every_section(hand_made, tmp_path):
    out = tmp_path / "out" / "report.html"
    result = render_report(hand_made, out)
    document = out.read_text(encoding="utf-8")
    assert result["bytes"] == len(document.encode("utf-8"))
    assert result["as_of_date"] == AS_OF and result["currency"] == "CNY" and result["model_version"] == "m1"
    assert {k: (v["status"], v["charts"]) for k, v in result["sections"].items()} == {
        "segments": ("ok", 4),
        "kpi_trends": ("ok", 3),
        "migration": ("ok", 2),
        "campaigns": ("ok", 2),  # per campaign and per tier (no cluster rows)
        "personas": ("ok", 2),
    }
    assert result["chart_count"] == 13
    page = census(document)
    assert page.scripts == 0
    assert dict(page.charts["segments"]) == {"bar": 4}
    assert dict(page.charts["kpi_trends"]) == {"line": 3}
    assert dict(page.charts["migration"]) == {"heatmap": 2}
    assert dict(page.charts["campaigns"]) == {"interval": 2}
    # tier bars in display order with the as-of month's figures; AUM summed per tier
    assert [(b["data-label"], float(b["data-value"])) for b in page.bars["tier_customers"]] == [
        ("High-value", 3.0),
        ("Mass", 2.0),
        ("Churned", 1.0),
    ]
    assert [float(b["data-value"]) for b in page.bars["tier_aum"]] == [1_000_000.0, 15_000.0, 0.0]
    assert "CNY 1.0M · 98.5%" in document  # AUM and its share
    # the latest transition only: 3 tiers x 3 + 2 clusters x 2 cells, holding every starting customer
    tier_cells = [c for c in page.cells if c["chart"] == "tier_migration"]
    assert len(tier_cells) == 9 and sum(int(c["data-count"]) for c in tier_cells) == 6
    assert len(page.cells) == 13
    assert "2 of 6 customers (33.3%) changed tier" in document
    # K1 (earlier start) first; K2 has no hold-out, so a dot without a whisker
    assert page.marks["campaigns"]["data-whisker"] == 3 and page.marks["campaigns"]["data-estimate"] == 3
    assert document.index("Gold card") < document.index("No hold-out push")
    assert "within 30 days of the contact" in document
    # personas of the current model only, with their features named for people
    assert document.count('class="persona"') == 2 and "Old model persona" not in document
    assert "card spend (3 months)" in document and "(median 300,000 vs 7,500)" in document
    # hostile text is shown, never executed
    assert "<script" not in document.lower()
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; co" in document
    assert HOSTILE in "".join(page.text)
    # self-contained: nothing fetched, nothing but the as-of date as a date
    assert "http://" not in document.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "https://" not in document
    assert '<meta http-equiv="Content-Security-Policy" content="default-src &#x27;none&#x27;;' in document
    assert set(re.findall(r"\d{4}-\d{2}-\d{2}", document)) <= {AS_OF, "2025-11-30", "2025-03-01", "2025-09-01"}


def test_report_is_byte_identical_for_the_same_warehouse(hand_made, tmp_path):
    first = render_report(hand_made, tmp_path / "a.html")
    second = render_report(hand_made, tmp_path / "b.html")
    assert (tmp_path / "a.html").read_bytes() == (tmp_path / "b.html").read_bytes()
    assert first["sections"] == second["sections"]


def test_missing_and_empty_marts_are_reported_in_the_page_and_the_result(tmp_path):
    warehouse = make_marts(tmp_path / "partial.duckdb", tables=("dim_segment_personas", "fct_segment_migration"))
    con = duckdb.connect(str(warehouse))
    con.execute("delete from marts.fct_segment_migration")
    con.close()
    result = render_report(warehouse, tmp_path / "partial.html")
    sections = result["sections"]
    assert sections["personas"]["status"] == "ok" and sections["personas"]["charts"] == 2
    assert sections["segments"] == {
        "title": "Segment sizes and value",
        "status": "missing",
        "message": "marts.fct_customer_segments is not in this warehouse",
        "charts": 0,
    }
    assert sections["kpi_trends"]["message"] == "marts.fct_segment_kpis_monthly is not in this warehouse"
    assert sections["campaigns"]["status"] == "missing"
    assert sections["migration"]["status"] == "empty"
    page = census((tmp_path / "partial.html").read_text(encoding="utf-8"))
    assert page.status == {
        "segments": "missing",
        "kpi_trends": "missing",
        "migration": "empty",
        "campaigns": "missing",
        "personas": "ok",
    }
    assert "Not available: marts.fct_campaign_performance is not in this warehouse." in "".join(page.text)


def test_a_mart_lacking_columns_is_named_not_a_crash(tmp_path):
    warehouse = make_marts(tmp_path / "cols.duckdb")
    con = duckdb.connect(str(warehouse))
    con.execute("alter table marts.fct_campaign_performance drop column uplift_ci_lower")
    con.close()
    result = render_report(warehouse, tmp_path / "cols.html")
    assert result["sections"]["campaigns"]["status"] == "missing"
    assert (
        result["sections"]["campaigns"]["message"] == "marts.fct_campaign_performance lacks column(s) uplift_ci_lower"
    )
    assert result["sections"]["segments"]["status"] == "ok"


def test_a_report_without_any_section_is_an_error_and_writes_nothing(tmp_path):
    warehouse = make_marts(tmp_path / "empty.duckdb", tables=("fct_customer_segments",))
    con = duckdb.connect(str(warehouse))
    con.execute("delete from marts.fct_customer_segments")
    con.close()
    out = tmp_path / "none.html"
    with pytest.raises(ReportError, match="nothing to report") as caught:
        render_report(warehouse, out)
    assert "segments: marts.fct_customer_segments has no as-of month rows" in str(caught.value)
    assert not out.exists() and not list(tmp_path.glob("*.partial"))
    bare = tmp_path / "bare.duckdb"
    duckdb.connect(str(bare)).close()
    with pytest.raises(ReportError, match="no schema 'marts'"):
        render_report(bare, out)
    with pytest.raises(FileNotFoundError):
        render_report(tmp_path / "absent.duckdb", out)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="bankseg")
    report.add_cli(parser.add_subparsers(dest="command", required=True))
    return parser


def test_cli_renders_and_prints_the_summary(hand_made, tmp_path, capsys):
    out = tmp_path / "cli" / "report.html"
    args = _parser().parse_args(["report", "--out", str(out), "--warehouse", str(hand_made)])
    assert args.func(args) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["out_file"] == str(out) and out.exists()
    assert printed["sections"]["migration"]["status"] == "ok"


def test_cli_names_the_bad_argument(tmp_path, monkeypatch):
    from bankseg.cli import CliError

    monkeypatch.setenv("BANKSEG_DUCKDB_PATH", str(tmp_path / "from-env.duckdb"))
    args = _parser().parse_args(["report", "--out", str(tmp_path / "r.html")])
    assert args.warehouse == str(tmp_path / "from-env.duckdb")
    with pytest.raises(CliError, match=r"^--warehouse .*from-env\.duckdb: no such file"):
        args.func(args)
    warehouse = make_marts(tmp_path / "w.duckdb")
    args = _parser().parse_args(["report", "--out", str(tmp_path), "--warehouse", str(warehouse)])
    with pytest.raises(CliError, match=r"^--out .*: is a folder"):
        args.func(args)


# ---- end to end: the built warehouse in headless Chromium -------------------------------------------------------


def _chromium() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path:
        return path
    if os.environ.get("BANKSEG_REQUIRE_CHROMIUM") == "1":
        pytest.fail("BANKSEG_REQUIRE_CHROMIUM=1 but no chromium on PATH (Debian: apt-get install chromium)")
    pytest.skip("chromium is not installed (Debian package `chromium`); set BANKSEG_REQUIRE_CHROMIUM=1 to require it")


def _run_chromium(chromium: str, profile: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [
            chromium,
            "--headless",
            "--disable-gpu",
            "--no-sandbox",
            "--no-first-run",
            "--disable-extensions",
            "--disable-background-networking",
            f"--user-data-dir={profile}",
            "--enable-logging=stderr",
            "--v=0",
            *args,
        ],
        capture_output=True,
        text=True,
        timeout=90,
        check=True,
    )


def _expected_from_marts(warehouse: Path) -> dict:
    """What the report must show, computed from the marts independently of bankseg.report."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        tables = {
            r[0]
            for r in con.execute(
                "select table_name from information_schema.tables where table_schema = 'marts'"
            ).fetchall()
        }

        def rows(table: str, where: str = "true") -> int:
            if table not in tables:
                return 0
            return con.execute(f"select count(*) from marts.{table} where {where}").fetchone()[0]

        expected = {
            "as_of_customers": rows("fct_customer_segments", "is_as_of_month"),
            "personas": rows("dim_segment_personas", "is_current_model"),
            "kpi_rows": rows("fct_segment_kpis_monthly", "segment_type = 'tier'"),
            "campaign_rows": rows("fct_campaign_performance"),
            "whiskers": rows("fct_campaign_performance", "uplift_ci_lower is not null and uplift_ci_upper is not null"),
            "estimates": rows("fct_campaign_performance", "uplift is not null"),
        }
        cells = 0
        for kind in ("tier", "cluster"):
            latest = (
                "select * from marts.fct_segment_migration where segment_type = ? and to_month_end_date = "
                "(select max(to_month_end_date) from marts.fct_segment_migration where segment_type = ?)"
            )
            codes = {
                r[0]
                for r in con.execute(
                    f"select from_segment_code from ({latest}) union select to_segment_code from ({latest}) "
                    "union select segment_code from marts.dim_segments where segment_type = ?",
                    [kind, kind, kind, kind, kind],
                ).fetchall()
            }
            moved = con.execute(f"select coalesce(sum(customer_count), 0) from ({latest})", [kind, kind]).fetchone()[0]
            expected[f"{kind}_starting"] = moved
            cells += len(codes) ** 2 if moved else 0
        expected["cells"] = cells
        return expected
    finally:
        con.close()


def _png_size(path: Path) -> tuple[int, int]:
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    return struct.unpack(">II", header[16:24])


def test_report_of_the_built_warehouse_renders_in_headless_chromium(built_bank, tmp_path):  # noqa: F811
    chromium = _chromium()
    warehouse = tmp_path / "warehouse.duckdb"
    shutil.copyfile(built_bank.warehouse, warehouse)  # never hold a lock on the shared build file
    expected = _expected_from_marts(warehouse)
    out = tmp_path / "report.html"
    started = time.perf_counter()
    result = render_report(warehouse, out)
    seconds = time.perf_counter() - started
    assert seconds < 15, f"rendering took {seconds:.1f} s"

    sections = result["sections"]
    assert sections["segments"]["status"] == "ok" and sections["segments"]["charts"] == 4
    assert sections["migration"]["status"] == "ok" and sections["migration"]["charts"] == 2
    assert sections["personas"]["status"] == "ok" and sections["personas"]["charts"] == expected["personas"] > 0
    assert sections["kpi_trends"]["status"] == ("ok" if expected["kpi_rows"] else "missing")
    assert sections["campaigns"]["status"] == ("ok" if expected["campaign_rows"] else "missing")

    source = census(out.read_text(encoding="utf-8"))
    assert sum(float(b["data-value"]) for b in source.bars["tier_customers"]) == expected["as_of_customers"]
    assert sum(float(b["data-value"]) for b in source.bars["cluster_customers"]) == expected["as_of_customers"]
    tier_cells = [int(c["data-count"]) for c in source.cells if c["chart"] == "tier_migration"]
    assert sum(tier_cells) == expected["tier_starting"]

    profile = tmp_path / "chromium-profile"
    dumped = _run_chromium(chromium, profile, "--dump-dom", out.as_uri())
    console = [line for line in dumped.stderr.splitlines() if ":CONSOLE" in line or "Uncaught" in line]
    assert console == [], "the page logged to the console (script error or blocked request):\n" + "\n".join(console)
    dom = census(dumped.stdout)
    assert dom.scripts == 0
    assert dom.status == {k: v["status"] for k, v in sections.items()}
    for key, info in sections.items():
        assert sum(dom.charts[key].values()) == info["charts"], key
    assert dict(dom.charts["segments"]) == {"bar": 4}
    assert dict(dom.charts["migration"]) == {"heatmap": 2}
    assert dom.marks["migration"]["data-cell"] == expected["cells"]
    assert dom.charts["personas"]["bar"] == expected["personas"]
    if expected["kpi_rows"]:
        assert dict(dom.charts["kpi_trends"]) == {"line": 3}
        assert dom.marks["kpi_trends"]["data-point"] > 0
    if expected["campaign_rows"]:
        assert dom.charts["campaigns"]["interval"] >= 1
        assert dom.marks["campaigns"]["data-whisker"] == expected["whiskers"]
        assert dom.marks["campaigns"]["data-estimate"] == expected["estimates"]
    assert "高价值客户" in "".join(dom.text)

    shot = tmp_path / "report.png"
    _run_chromium(
        chromium, profile, "--hide-scrollbars", "--window-size=1200,2400", f"--screenshot={shot}", out.as_uri()
    )
    assert _png_size(shot) == (1200, 2400)
    assert shot.stat().st_size > 50_000, "the screenshot looks blank"
    assert not math.isnan(seconds)
