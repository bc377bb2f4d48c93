"""Two squads record the same party for the same item at the same moment: one record, one 409.

Each worker is a separate process with its own app and connections, like two gunicorn
workers. The check is slowed down in the workers so that, without the serialisation
in ``record_leniency``, both would pass it before either writes: the test then fails
(tried: [201, 201] on both databases). PostgreSQL serialises the (party, item) pair
with an advisory lock, SQLite by taking its single write lock early, so the proof
runs on both.
"""

from __future__ import annotations

import time

from sqlalchemy import func, select

from riskctl.accounts.operations import issue_token
from riskctl.core.audit import verify_chain
from riskctl.core.db import db
from riskctl.leniency.models import LeniencyRecord, LeniencyRefusal
from tests.conftest import worker_context
from tests.factories import make_user
from tests.leniency.conftest import body, id_card

SLOW_CHECK_SECONDS = 0.5


def _worker(url: str, token: str, payload: dict, barrier, results) -> None:
    from riskctl import create_app
    from riskctl.leniency import operations

    original = operations.priors

    def slow_priors(*args):
        found = original(*args)
        time.sleep(SLOW_CHECK_SECONDS)
        return found

    operations.priors = slow_priors
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "SECRET_KEY": "x",
            "PII_KEY": "test-pii-key",
            "ENV": "testing",
            "TESTING": True,
        }
    )
    client = app.test_client()
    barrier.wait()
    response = client.post(
        "/api/v1/leniency/records", json=payload, headers={"Authorization": f"Bearer {token}"}
    )
    results.put((response.status_code, response.get_json()))


def _race(database_url: str, tokens: list[str], payloads: list[dict]) -> list[tuple[int, dict]]:
    ctx = worker_context()
    barrier, results = ctx.Barrier(len(tokens)), ctx.Queue()
    workers = [
        ctx.Process(target=_worker, args=(database_url, token, payload, barrier, results))
        for token, payload in zip(tokens, payloads, strict=True)
    ]
    for worker in workers:
        worker.start()
    outcomes = [results.get(timeout=120) for _ in workers]
    for worker in workers:
        worker.join(60)
    assert [w.exitcode for w in workers] == [0] * len(workers)
    return sorted(outcomes, key=lambda outcome: outcome[0])


def test_two_squads_recording_the_same_party_at_once_get_one_record_and_one_refusal(
    database_url, bureau, catalogue, api
):
    make_user("officer2", "officer", "ZD1-2")
    second = issue_token("officer2")
    db.session.commit()
    payloads = [body(unit="ZD1-1"), body(unit="ZD1-2", officers=["ZF1201", "ZF1202"])]
    outcomes = _race(database_url, [bureau.tokens["officer"], second], payloads)
    assert [status for status, _ in outcomes] == [201, 409], outcomes
    created, refused = outcomes[0][1], outcomes[1][1]
    assert refused["error"]["details"]["earlier_record"]["id"] == created["id"]
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(LeniencyRecord)) == 1
    assert db.session.scalar(select(func.count()).select_from(LeniencyRefusal)) == 1
    assert verify_chain()[1] is None


def test_two_different_parties_recorded_at_once_are_both_recorded(database_url, bureau, catalogue):
    payloads = [body(), body(party_id=id_card())]
    outcomes = _race(database_url, [bureau.tokens["officer"]] * 2, payloads)
    assert [status for status, _ in outcomes] == [201, 201], outcomes
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(LeniencyRecord)) == 2
    assert db.session.scalar(select(func.count()).select_from(LeniencyRefusal)) == 0
