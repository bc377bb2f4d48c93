"""Page geometry, colours and paragraph styles of the quarterly report."""

from __future__ import annotations

from dataclasses import dataclass

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm

from .fonts import FontChoice

PAGE_WIDTH, PAGE_HEIGHT = A4
# Close to the official-document layout (GB/T 9704): 28 mm left, 156 mm text width.
MARGIN_LEFT = 28 * mm
MARGIN_RIGHT = 26 * mm
MARGIN_TOP = 30 * mm
MARGIN_BOTTOM = 28 * mm
TEXT_WIDTH = PAGE_WIDTH - MARGIN_LEFT - MARGIN_RIGHT
FRAME_HEIGHT = PAGE_HEIGHT - MARGIN_TOP - MARGIN_BOTTOM

INK = colors.HexColor("#1a1a1a")
MUTED = colors.HexColor("#5c6670")
RULE = colors.HexColor("#a7b1bc")
ACCENT = colors.HexColor("#1f3a5f")
OFFICIAL_RED = colors.HexColor("#c00000")
HEADER_FILL = colors.HexColor("#e2e8f0")
ZEBRA_FILL = colors.HexColor("#f6f8fa")
PANEL_FILL = colors.HexColor("#f3f5f8")

SERIES_COLOURS = tuple(
    colors.HexColor(h)
    for h in (
        "#2f5d8a",
        "#9dbbd9",
        "#c8832e",
        "#6b8e5a",
        "#8c6bb1",
        "#b5525c",
        "#4a9a9a",
        "#9a9a9a",
        "#d4a373",
        "#5e6472",
        "#c06c84",
        "#7fa99b",
    )
)

# Risk levels, in both spellings the register uses (高/中/低 and 一级/二级/三级).
LEVEL_COLOURS = {
    "高": colors.HexColor("#d64541"),
    "中": colors.HexColor("#f0a035"),
    "低": colors.HexColor("#8cc084"),
}
LEVEL_ALIASES = {"一级": "高", "二级": "中", "三级": "低"}


@dataclass(frozen=True)
class Styles:
    """Every paragraph style of the report, built for one registered font."""

    font: FontChoice
    body: ParagraphStyle
    headings: tuple[ParagraphStyle, ParagraphStyle, ParagraphStyle]
    caption: ParagraphStyle
    note: ParagraphStyle
    cell: ParagraphStyle
    cell_number: ParagraphStyle
    cell_header: ParagraphStyle
    no_data: ParagraphStyle
    figure_label: ParagraphStyle
    figure_value: ParagraphStyle
    figure_change: ParagraphStyle
    cover_marking: ParagraphStyle
    cover_org: ParagraphStyle
    cover_title: ParagraphStyle
    cover_subtitle: ParagraphStyle
    cover_line: ParagraphStyle
    cover_issue: ParagraphStyle


def build_styles(font: FontChoice) -> Styles:
    regular, heavy = font.regular, font.bold

    def style(name: str, size: float, leading: float, **kw: object) -> ParagraphStyle:
        kw.setdefault("fontName", regular)
        kw.setdefault("textColor", INK)
        return ParagraphStyle(name, fontSize=size, leading=leading, **kw)

    # Without a real bold face, headings stand out by size and spacing alone.
    # No keepWithNext: keep.NeedRoom keeps a heading with what follows it.
    h1 = style("h1", 16, 24, fontName=heavy, spaceBefore=16, spaceAfter=8)
    h2 = style("h2", 14, 21, fontName=heavy, spaceBefore=12, spaceAfter=6)
    h3 = style(
        "h3",
        12.5,
        19,
        fontName=heavy,
        textColor=ACCENT,
        spaceBefore=8,
        spaceAfter=4,
    )
    return Styles(
        font=font,
        body=style("body", 12, 21, firstLineIndent=24, spaceAfter=6),
        headings=(h1, h2, h3),
        caption=style(
            "caption", 10.5, 15, alignment=TA_CENTER, textColor=MUTED, spaceBefore=4, spaceAfter=10
        ),
        note=style("note", 10.5, 16, textColor=MUTED, spaceBefore=4),
        cell=style("cell", 9.5, 13.5, alignment=TA_LEFT),
        cell_number=style("cell_number", 9.5, 13.5, alignment=TA_RIGHT),
        cell_header=style("cell_header", 9.5, 13.5, fontName=heavy, alignment=TA_CENTER),
        no_data=style("no_data", 11, 16, alignment=TA_CENTER, textColor=MUTED),
        figure_label=style("figure_label", 9.5, 13, alignment=TA_CENTER, textColor=MUTED),
        figure_value=style(
            "figure_value", 20, 26, fontName=heavy, alignment=TA_CENTER, textColor=ACCENT
        ),
        figure_change=style("figure_change", 9, 12, alignment=TA_CENTER, textColor=MUTED),
        cover_marking=style("cover_marking", 12, 16, alignment=TA_CENTER, textColor=INK),
        cover_org=style(
            "cover_org", 24, 34, fontName=heavy, alignment=TA_CENTER, textColor=OFFICIAL_RED
        ),
        cover_title=style(
            "cover_title", 24, 36, fontName=heavy, alignment=TA_CENTER, spaceAfter=14
        ),
        cover_subtitle=style("cover_subtitle", 15, 24, alignment=TA_CENTER, textColor=MUTED),
        cover_line=style("cover_line", 13, 24, alignment=TA_CENTER),
        cover_issue=style("cover_issue", 14, 24, alignment=TA_CENTER),
    )
