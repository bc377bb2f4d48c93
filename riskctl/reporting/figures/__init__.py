"""The report's figures, one module per section, each computed by SQL aggregates.

A section module exposes ``TITLE``, ``KEY_FIGURES`` (what the summary page shows),
``key_figures(quarter, as_of)`` (cheap: also run for the previous quarter) and
``section(quarter, as_of)`` (everything the section prints, with the key figures
under ``"key"``). Modules never load record rows into Python to count them.
"""

from __future__ import annotations

from riskctl.reporting.figures import (
    inspections,
    leniency,
    rectification,
    reviews,
    risks,
    warnings,
)
from riskctl.reporting.figures.common import KeyFigure

SECTIONS = {
    "risks": risks,
    "inspections": inspections,
    "reviews": reviews,
    "leniency": leniency,
    "rectification": rectification,
    "warnings": warnings,
}

__all__ = ["SECTIONS", "KeyFigure"]
