"""What the domain builders share: a bureau-local moment, unit lookup, unique numbers."""

from __future__ import annotations

from datetime import date, datetime, time
from itertools import count

from riskctl.accounts.models import Unit
from riskctl.core import clock
from riskctl.core.db import db

# Unique numbers for codes and digests across a run (never reset: values only need to differ).
seq = count(1)


def at(day: date, hour: int = 10) -> datetime:
    """``hour`` o'clock of the bureau's ``day`` (Beijing time), as the aware UTC moment."""
    return clock.from_local(datetime.combine(day, time(hour)))


def unit(code: str) -> Unit:
    return db.session.query(Unit).filter_by(code=code).one()
