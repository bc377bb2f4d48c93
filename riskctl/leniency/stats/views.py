"""The statistics page for the legal office, and the public list (公示) with masked ids."""

from __future__ import annotations

from flask import Blueprint, flash, render_template, request
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from riskctl.accounts.queries import unit_order
from riskctl.accounts.roles import DISCIPLINE, LEADER, LEGAL
from riskctl.core import clock
from riskctl.core.auth.policy import allow, public
from riskctl.core.errors import AppError
from riskctl.leniency import options, rules
from riskctl.leniency.models import LeniencyRecord
from riskctl.leniency.pages import list_page
from riskctl.leniency.party import mask_name
from riskctl.leniency.stats import periods
from riskctl.leniency.stats import queries as stats

bp = Blueprint(
    "leniency_stats", __name__, url_prefix="/leniency/stats", template_folder="../templates"
)
public_bp = Blueprint(
    "leniency_public", __name__, url_prefix="/public/leniency", template_folder="../templates"
)


@bp.get("")
@allow(LEGAL, DISCIPLINE, LEADER)
def index():
    try:
        period = periods.from_args(request.args)
    except AppError as exc:
        flash(exc.message, "error")
        period = periods.from_args({})
    today = clock.today()
    summary = stats.summary(period, today, options.rate_warning_ratio())
    return render_template(
        "leniency/stats.html",
        s=summary,
        today=today,
        warn_ratio=options.rate_warning_ratio(),
        years=range(today.year, today.year - 5, -1),
        ground_labels=rules.GROUND_LABELS,
    )


@public_bp.get("")
@public
def published():
    """公示: decisions still standing (not turned over to a normal procedure), newest first."""
    query = (
        select(LeniencyRecord)
        .options(selectinload(LeniencyRecord.unit), selectinload(LeniencyRecord.item_version))
        .where(LeniencyRecord.status != rules.REFERRED)
        .order_by(LeniencyRecord.occurred_on.desc(), LeniencyRecord.id.desc())
    )
    return list_page(
        "leniency/public.html",
        query,
        {
            "occurred": LeniencyRecord.occurred_on,
            "unit": unit_order(LeniencyRecord.unit_id),
            "ground": LeniencyRecord.ground,
            "status": LeniencyRecord.status,
        },
        "-occurred",
        mask_name=mask_name,
        ground_labels=rules.GROUND_LABELS,
        status_labels=rules.STATUS_LABELS,
    )
