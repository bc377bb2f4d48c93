"""What the figure modules share: key-figure labels (percentages: ``core.figures.share``).

Timestamps are cut at the bureau's midnights with ``riskctl.core.clock.day_bounds``,
as every module's statistics are, so the figures of one report agree at the quarter's edges.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class KeyFigure:
    """A figure of the summary page (主要指标): its key in the section, label and unit."""

    key: str
    label: str
    unit: str = ""
