"""首违不罚 at city scale: 1,000,000 records over four years (about 62,500 a quarter) for
300,000 parties, 30 list items, 20 squads and 400 officers.

Scenarios: the repeat check as ``record_leniency`` runs it on insert (pair lock, then
the look-back lookup), a whole accepted record (validation, roster, check, insert,
audit, commit), a refused repeat (409 path, the refusal committed on its own), and the
statistics page's summary of one quarter. Ids follow the occurrence dates, as squads
record on the spot. Run ``python bench/bench_leniency.py``; set
RISKCTL_BENCH_DATABASE_URL for PostgreSQL.
"""

from __future__ import annotations

import random
import sys
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from flask import current_app  # noqa: E402
from sqlalchemy import insert, select, text  # noqa: E402

from bench._common import Row, backend, bench_app, measure, print_table  # noqa: E402
from riskctl.accounts import operations as accounts  # noqa: E402
from riskctl.accounts.queries import user_by_username  # noqa: E402
from riskctl.core import clock  # noqa: E402
from riskctl.core.db import db, is_postgres  # noqa: E402
from riskctl.core.errors import Conflict  # noqa: E402
from riskctl.core.ids import credit_code_check_char, mask_party_id, party_key  # noqa: E402
from riskctl.inspections.models import Inspector  # noqa: E402
from riskctl.leniency import operations, queries, rules  # noqa: E402
from riskctl.leniency.items import operations as items  # noqa: E402
from riskctl.leniency.models import LeniencyItem, LeniencyRecord, RecordOfficer  # noqa: E402
from riskctl.leniency.stats import queries as stats  # noqa: E402

RECORDS = 1_000_000
PARTIES = 300_000
ITEMS = 30
SQUADS = 20
OFFICERS_PER_SQUAD = 20
FIRST_DAY = date(2023, 1, 1)
DAYS = 4 * 365
BATCH = 50_000
CHECKS = 101


def _credit_code(n: int) -> str:
    body = f"91410105{n:09d}"
    return body + credit_code_check_char(body)


def _setup() -> tuple[list, list[int], list[int]]:
    """Units, a legal user, the list items; returns (squads, item ids, version ids)."""
    accounts.create_unit("JU", "市城市管理综合执法局")
    accounts.create_unit("FZK", "法制科", "JU", "office")
    squads = [
        accounts.create_unit(f"ZD{s:02d}", f"第{s}中队", "JU", "detachment")
        for s in range(1, SQUADS + 1)
    ]
    legal = accounts.create_user("fazhi", "法制科", "legal", "bench-password-1", "FZK")
    db.session.add_all(
        Inspector(
            code=f"ZF{s:02d}{o:02d}",
            name=f"队员{s}-{o}",
            license_no=f"豫执{s:02d}{o:02d}",
            unit_id=squads[s].id,
        )
        for s in range(SQUADS)
        for o in range(OFFICERS_PER_SQUAD)
    )
    for n in range(1, ITEMS + 1):
        items.create_item(
            {
                "code": f"CG-{n:03d}",
                "name": f"违法行为{n}",
                "legal_basis": "条例",
                "conditions": "首次",
                "active": True,
            },
            legal,
        )
    db.session.commit()
    item_rows = db.session.scalars(select(LeniencyItem).order_by(LeniencyItem.id)).all()
    return squads, [i.id for i in item_rows], [i.versions[-1].id for i in item_rows]


def _records(
    squads: list, item_ids: list[int], version_ids: list[int], secret: bytes
) -> Iterator[tuple[dict, list[dict]]]:
    rng = random.Random(1)
    keys = [party_key(_credit_code(p), secret) for p in range(PARTIES)]
    masked = [mask_party_id(_credit_code(p)) for p in range(PARTIES)]
    # Squads record on the spot: ids follow the occurrence dates, as in the real table.
    days = sorted(rng.randrange(DAYS) for _ in range(RECORDS))
    for record_id, offset in enumerate(days, 1):
        party = rng.randrange(PARTIES)
        item = rng.randrange(ITEMS)
        squad = rng.randrange(SQUADS)
        day = FIRST_DAY + timedelta(days=offset)
        officers = rng.sample(range(OFFICERS_PER_SQUAD), 2)
        deadline = day + timedelta(days=14)
        followed = rng.random() < 0.9
        yield (
            {
                "id": record_id,
                "party_kind": "credit_code",
                "party_key": keys[party],
                "party_cipher": "bench",
                "party_masked": masked[party],
                "party_name": f"商户{party}",
                "item_id": item_ids[item],
                "item_version_id": version_ids[item],
                "ground": "first_offence" if rng.random() < 0.7 else "minor",
                "unit_id": squads[squad].id,
                "occurred_at": datetime.combine(day, time(2), tzinfo=UTC),
                "occurred_on": day,
                "place": "人民路",
                "facts": "",
                "education": "",
                "correction_deadline": deadline,
                "followup_due": deadline + timedelta(days=5),
                "followup_due_provisional": False,
                "status": "closed" if followed else "committed",
                "followup_result": ("passed" if rng.random() < 0.9 else "failed")
                if followed
                else None,
                "created_at": clock.now(),
                "created_by": "bench",
            },
            [
                {"record_id": record_id, "position": i, "number": f"ZF{squad:02d}{o:02d}"}
                for i, o in enumerate(officers, 1)
            ],
        )


def _fill(squads: list, item_ids: list[int], version_ids: list[int]) -> None:
    """Bulk-insert the records and their officers (not timed)."""
    secret = str(current_app.config["PII_KEY"]).encode()
    records, officers = [], []
    for record, pair in _records(squads, item_ids, version_ids, secret):
        records.append(record)
        officers.extend(pair)
        if len(records) == BATCH:
            _flush(records, officers)
    _flush(records, officers)
    if is_postgres():
        db.session.execute(text("SELECT setval('leniency_records_id_seq', :n)"), {"n": RECORDS})
        db.session.commit()
        # What autovacuum does in production: statistics, and a visibility map for
        # index-only scans.
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))


def _flush(records: list, officers: list) -> None:
    if records:
        db.session.execute(insert(LeniencyRecord), records)
        db.session.execute(insert(RecordOfficer), officers)
        db.session.commit()
    records.clear()
    officers.clear()


def _existing_pairs(n: int) -> list[tuple[str, int, date]]:
    rows = db.session.execute(
        select(LeniencyRecord.party_key, LeniencyRecord.item_id, LeniencyRecord.occurred_on).where(
            LeniencyRecord.id.in_(range(1, RECORDS, RECORDS // n))
        )
    )
    return [tuple(r) for r in rows]


def _check_on_insert(pairs: list[tuple[str, int, date]]) -> Callable[[], None]:
    """What ``record_leniency`` does for the rule: lock the pair, look up earlier records."""
    cycle = iter(pairs * 10)

    def check() -> None:
        key, item_id, day = next(cycle)
        operations.lock_party_item(key, item_id)
        start, end = rules.lookback_window(day, 24)
        assert rules.repeat_conflict(
            rules.FIRST_OFFENCE, day, queries.priors(key, item_id, start, end), 24
        )
        db.session.rollback()

    return check


def _data(party_id: str, officer_unit: str) -> dict:
    return {
        "party_id": party_id,
        "party_name": "商户",
        "item_code": "CG-007",
        "ground": "first_offence",
        "occurred_at": clock.now() - timedelta(hours=1),
        "place": "人民路",
        "officers": ["ZF0101", "ZF0102"],
        "correction_deadline": None,
        "unit": officer_unit,
        "facts": "",
        "education": "",
    }


def _record_new(actor) -> Callable[[], None]:
    fresh = iter(range(PARTIES + 1, PARTIES + 10_000))

    def record() -> None:
        operations.record_leniency(_data(_credit_code(next(fresh)), "ZD01"), actor)
        db.session.commit()

    return record


def _refuse_repeat(actor) -> Callable[[], None]:
    party = _credit_code(PARTIES + 20_000)
    operations.record_leniency(_data(party, "ZD01"), actor)
    db.session.commit()

    def refuse() -> None:
        try:
            operations.record_leniency(_data(party, "ZD02"), actor)
        except Conflict:
            db.session.rollback()
        else:
            raise AssertionError("a repeat first offence was accepted")

    return refuse


def _quarter_stats() -> None:
    summary = stats.summary(stats.quarter(2025, 2), date(2026, 1, 15), 2.0)
    assert summary.total > 50_000


def scenarios() -> list[Row]:
    rows = []
    with bench_app():
        squads, item_ids, version_ids = _setup()
        _fill(squads, item_ids, version_ids)
        actor = user_by_username("fazhi")
        size = f"{RECORDS:,} records"
        cases = [
            (
                f"leniency repeat check on insert: lock + lookup ({backend()})",
                _check_on_insert(_existing_pairs(CHECKS)),
                CHECKS,
            ),
            (
                f"leniency record accepted: checks, insert, audit, commit ({backend()})",
                _record_new(actor),
                CHECKS,
            ),
            (
                f"leniency repeat refused: 409, refusal committed ({backend()})",
                _refuse_repeat(actor),
                21,
            ),
            (f"leniency statistics, one quarter ({backend()})", _quarter_stats, 3),
        ]
        for name, fn, repeat in cases:
            rows.append(Row(name, size, *measure(fn, repeat=repeat)))
    return rows


if __name__ == "__main__":
    print_table(scenarios())
