"""What the home page and the quarterly report read: open warnings by colour, unit and rule."""

from __future__ import annotations

from riskctl.warnings import queries
from tests.factories.warnings import make_warning


def test_the_summary_counts_open_warnings_by_colour_unit_and_rule(bureau):
    make_warning(bureau, unit="ZD1-1", subject="a", colour="red")
    make_warning(bureau, unit="ZD1-1", subject="b", colour="yellow", rule="leniency_unit_rate")
    make_warning(bureau, unit="ZD2-1", subject="c", colour="yellow")
    make_warning(bureau, unit=None, subject="d", colour="red", rule="draw_redrawn")
    make_warning(bureau, unit="ZD2-1", subject="e", status="closed")
    summary = queries.open_warnings_summary()
    assert (summary["total"], summary["red"], summary["yellow"]) == (4, 2, 2)
    assert [(u["unit"], u["red"], u["yellow"]) for u in summary["by_unit"]] == [
        ("ZD1-1", 1, 1),
        ("ZD2-1", 0, 1),
        (None, 1, 0),
    ]
    by_rule = {r["rule"]: (r["red"], r["yellow"]) for r in summary["by_rule"] if r["total"]}
    assert by_rule == {
        "rectification_overdue": (1, 1),
        "leniency_unit_rate": (0, 1),
        "draw_redrawn": (1, 0),
    }
    scoped = queries.open_warnings_summary([bureau.units["ZD2-1"].id])
    assert (scoped["total"], scoped["by_unit"][0]["unit"]) == (1, "ZD2-1")


def test_open_warnings_are_plain_rows_red_first(bureau):
    make_warning(bureau, unit="ZD1-1", subject="a", colour="yellow", title="黄色在先发现")
    make_warning(bureau, unit="ZD2-1", subject="b", colour="red", title="红色")
    make_warning(bureau, unit="ZD2-1", subject="c", status="closed", title="已关闭")
    rows = queries.open_warnings()
    assert [(r["title"], r["colour_label"], r["rule_label"]) for r in rows] == [
        ("红色", "红色", "整改超期"),
        ("黄色在先发现", "黄色", "整改超期"),
    ]
    assert rows[0]["unit_name"] == "环境卫生第一中队" and rows[0]["status_label"] == "待确认"
