"""The lists' statements kept per value (``functools.lru_cache`` in each list's pages):
a statement of filters that read nothing from the database is built once per value of
the filters, the reader's units and the bureau's date. A change of any of them must
answer afresh, exactly as a statement built for that request alone would."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from riskctl.accounts import operations as accounts
from riskctl.admin import pages as audit_pages
from riskctl.admin.queries import audit_query
from riskctl.core import clock, listcache
from riskctl.core.db import db
from riskctl.inspections import queries as inspection_queries
from riskctl.inspections.models import Plan, Task
from riskctl.inspections.results import pages as task_pages
from riskctl.inspections.rosters import pages as target_pages
from riskctl.leniency import queries as leniency_queries
from riskctl.rectification import pages as rectification_pages
from riskctl.rectification.queries import items_query
from riskctl.reviews.queries import case_files_query
from riskctl.reviews.registry import pages as case_file_pages
from tests.factories import ApiClient
from tests.test_list_queries import demo_bureau  # noqa: F401  (the fixture)

CACHES = (
    rectification_pages._query,
    leniency_queries._records_statement,
    target_pages._query,
    task_pages._query,
    audit_pages._query,
    case_file_pages._query,
)


def _tasks(user, code, state):
    plan_id = select(Plan.id).where(Plan.code == code).scalar_subquery()
    query = inspection_queries.tasks(user, state=state, load=False)
    return query.where(Task.plan_id == plan_id)


# Each list's statement built for the request alone, by the query functions of the
# domain: what a kept statement must answer as.
BUILT_AFRESH = (
    (
        rectification_pages,
        lambda user, today, filters: items_query(user, today, load=False, **filters),
    ),
    (
        leniency_queries,
        lambda user, flt, today: leniency_queries.records_query(user, flt, today, load=False),
    ),
    (
        target_pages,
        lambda user, filters: inspection_queries.targets(user, load=False, **filters),
    ),
    (task_pages, _tasks),
    (
        audit_pages,
        lambda args: audit_query(
            args["action"], args["actor"], args["object_type"], args["object_id"]
        ),
    ),
    (case_file_pages, lambda user, scope: case_files_query(user, **scope, load=False)),
)

VARIANTS = {
    "/api/v1/rectification/items": (
        "",
        "status=open",
        "status=closed",
        "source=review_finding",
        "q=2026",
    ),
    "/api/v1/leniency/records": ("", "overdue=true", "status=closed", "ground=first_offence"),
    "/api/v1/inspection/targets": ("", "status=all", "status=removed", "q=1"),
    "/api/v1/inspection/plans/{plan}/tasks": ("", "state=todo", "state=entered"),
    "/api/v1/audit": ("", "action=login", "action=demo", "actor=jiwei"),
    "/api/v1/reviews/case-files": ("", "q=1", "start=2026-06-01", "end=2026-03-31"),
}
USERS = {"/api/v1/audit": ("jiwei",)}


def _clear() -> None:
    for cache in CACHES:
        cache.cache_clear()


def _answers(app, tokens, urls) -> dict[tuple[str, str], object]:
    answers = {}
    for user, url in urls:
        listcache.store(app).clear()  # the view runs: no answer kept by core.listcache
        response = ApiClient(app.test_client(), tokens[user]).get(url)
        assert response.status_code == 200, (user, url, response.get_json())
        answers[user, url] = response.get_json()
    return answers


@pytest.mark.parametrize("path", list(VARIANTS))
def test_a_kept_statement_answers_as_one_built_for_the_request(
    app,
    demo_bureau,  # noqa: F811
    monkeypatch,
    path,
):
    """Every filter value and reader in turn, with the statements of the others kept:
    each answers as the same request does with its statement built afresh by the
    domain's query functions (nothing kept)."""
    tokens, plan = demo_bureau
    urls = [
        (user, f"{path.format(plan=plan)}?per_page=50&{variant}")
        for variant in VARIANTS[path]
        for user in USERS.get(path, ("duiyuan", "jiwei"))
    ]
    _clear()
    kept = _answers(app, tokens, urls)
    kept_again = _answers(app, tokens, urls)  # every statement now reused
    with monkeypatch.context() as patched:
        for module, build in BUILT_AFRESH:
            patched.setattr(module, "_statement", build)
        fresh = _answers(app, tokens, list(reversed(urls)))
    assert kept == fresh == kept_again
    # The variants answer differently, or the comparison proves nothing.
    assert len({body["total"] for body in fresh.values()}) > 1, path


def test_the_kept_leniency_statement_and_overdue_days_follow_the_bureau_date(
    app,
    demo_bureau,  # noqa: F811
    travel,
):
    """The overdue filter counts from the bureau's date: a later day keeps no earlier
    day's statement, and the 复查 overdue days are counted on the day of the request."""
    url = "/api/v1/leniency/records?per_page=50&overdue=true"
    tokens, _ = demo_bureau
    _clear()
    before = ApiClient(app.test_client(), tokens["jiwei"]).get(url).get_json()
    later = datetime.combine(clock.today() + timedelta(days=60), datetime.min.time(), UTC)
    travel(later)
    token = accounts.issue_token("jiwei")
    db.session.commit()
    after = ApiClient(app.test_client(), token).get(url).get_json()
    kept = leniency_queries._records_statement.cache_info()
    assert kept.currsize == 2 and kept.hits == 0  # one statement per date
    assert after["total"] > before["total"] > 0
    days = {item["id"]: item["followup_overdue_working_days"] for item in after["items"]}
    earlier = {item["id"]: item["followup_overdue_working_days"] for item in before["items"]}
    assert all(days[i] > n for i, n in earlier.items())
