"""Races on PostgreSQL: threads with their own app contexts and sessions, started together."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from sqlalchemy import func, select

from riskctl.accounts.queries import user_by_username
from riskctl.core.db import db
from riskctl.core.errors import Conflict
from riskctl.rectification.models import RectificationItem
from riskctl.reviews import operations, scoresheets
from riskctl.reviews.models import Campaign, Finding, ReviewFile, ScoreSheet
from tests.reviews.conftest import make_campaign, make_pool, make_register

pytestmark = pytest.mark.postgres_only


@pytest.fixture(autouse=True)
def _postgres_only(is_postgres):
    if not is_postgres:
        pytest.skip("SQLite serialises writers itself; row locks and races are PostgreSQL's")


def race(app, *jobs: Callable[[], None]) -> list[str]:
    """Run the jobs at the same moment, each committing in its own session."""
    barrier = threading.Barrier(len(jobs))
    outcomes: list[str] = []

    def run(job: Callable[[], None]) -> None:
        with app.app_context():
            barrier.wait()
            try:
                job()
                db.session.commit()
                outcomes.append("ok")
            except Conflict:
                db.session.rollback()
                outcomes.append("conflict")
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return sorted(outcomes)


def _count(model) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


def _sheet_job(file_id: int, username: str, deductions=()):
    def job() -> None:
        review_file = db.session.get(ReviewFile, file_id)
        scoresheets.submit_sheet(review_file, user_by_username(username), [], list(deductions))

    return job


def test_the_same_reviewer_submitting_twice_at_once_keeps_one_sheet(app, drawn):
    review_file = drawn.file_of("ZD2-1")
    name = drawn.reviewers_of(review_file)[0].username
    outcomes = race(app, _sheet_job(review_file.id, name), _sheet_job(review_file.id, name))
    assert outcomes == ["conflict", "ok"]
    assert _count(ScoreSheet) == 1


def test_two_reviewers_submitting_at_once_complete_the_file(app, drawn):
    review_file = drawn.file_of("ZD2-1")
    first, second = (u.username for u in drawn.reviewers_of(review_file))
    jobs = (_sheet_job(review_file.id, first), _sheet_job(review_file.id, second))
    assert race(app, *jobs) == ["ok", "ok"]
    db.session.expire_all()
    assert db.session.get(ReviewFile, review_file.id).status == "scored"


def test_a_file_is_confirmed_once_even_when_two_clerks_click_together(app, bureau, drawn):
    review_file = drawn.file_of("ZD2-1")
    for user in drawn.reviewers_of(review_file):
        scoresheets.submit_sheet(
            review_file, user, [], [{"code": "WS2", "points": 1, "note": "错别字"}]
        )
    db.session.commit()
    file_id = review_file.id  # read here: main-thread objects must not load in the threads

    def confirm() -> None:
        scoresheets.confirm_file(db.session.get(ReviewFile, file_id), user_by_username("fazhi2"))

    assert race(app, confirm, confirm) == ["conflict", "ok"]
    assert _count(Finding) == 1 and _count(RectificationItem) == 1


def test_a_campaign_is_drawn_once_under_a_race(app, bureau):
    make_register(bureau)
    make_pool(bureau)
    campaign = make_campaign(bureau, draw=False)
    operations.lock_campaign(campaign, bureau.users["legal"])
    code = campaign.code
    db.session.commit()

    def draw(entropy: str):
        def job() -> None:
            target = db.session.scalar(select(Campaign).where(Campaign.code == code))
            operations.draw_campaign(target, entropy, "现场", user_by_username("legal"))

        return job

    assert race(app, draw("甲 01 02 03"), draw("乙 04 05 06")) == ["conflict", "ok"]
    assert _count(ReviewFile) == 6
