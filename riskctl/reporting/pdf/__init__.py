"""PDF layout for reports: a plain document model in, PDF bytes out.

No Flask and no database here; the quarterly-report module describes its
report with these dataclasses and sends the bytes ``render_pdf`` returns.
"""

from .document import (
    BarChart,
    Block,
    Figures,
    Heading,
    HeatMap,
    NoData,
    PageBreak,
    Para,
    PieChart,
    Report,
    Table,
    render_pdf,
)
from .fonts import FontChoice, register_cjk_font

__all__ = [
    "BarChart",
    "Block",
    "Figures",
    "FontChoice",
    "Heading",
    "HeatMap",
    "NoData",
    "PageBreak",
    "Para",
    "PieChart",
    "Report",
    "Table",
    "register_cjk_font",
    "render_pdf",
]
