"""首违不罚: items, decisions and refusals, as rows (the party is keyed, never real)."""

from __future__ import annotations

from datetime import date, timedelta

from riskctl.core.db import db
from riskctl.leniency.models import (
    LeniencyItem,
    LeniencyItemVersion,
    LeniencyRecord,
    LeniencyRefusal,
    RecordOfficer,
)
from tests.factories.common import at, seq, unit


def leniency_item(code: str = "MF-01", name: str = "店外经营（首次）") -> LeniencyItem:
    item = LeniencyItem(
        code=code,
        name=name,
        legal_basis="《城市市容和环境卫生管理条例》",
        conditions="首次违法、危害后果轻微并及时改正",
    )
    db.session.add(item)
    db.session.flush()
    db.session.add(
        LeniencyItemVersion(
            item_id=item.id,
            version=1,
            name=name,
            legal_basis=item.legal_basis,
            conditions=item.conditions,
            active=True,
            reason="发布",
            changed_by="legal",
        )
    )
    db.session.commit()
    return item


def leniency_record(
    item: LeniencyItem,
    unit_code: str,
    occurred: date,
    *,
    ground: str = "first_offence",
    followup: str | None = None,
    officers: tuple[str, str] = ("ZF-0001", "ZF-0002"),
    party: str = "",
) -> LeniencyRecord:
    """A decision of ``unit_code`` on ``occurred``; ``party`` is the party's key."""
    number = next(seq)
    status = {"passed": "corrected", "failed": "failed"}.get(followup or "", "committed")
    record = LeniencyRecord(
        party_kind="credit_code",
        party_key=party or f"party-{number}",
        party_cipher="-",
        party_masked="9131**********12",
        party_name=f"某某餐饮店{number}",
        item_id=item.id,
        item_version_id=item.versions[0].id,
        ground=ground,
        unit_id=unit(unit_code).id,
        occurred_at=at(occurred),
        occurred_on=occurred,
        place="人民路 18 号门前",
        correction_deadline=occurred + timedelta(days=14),
        followup_due=occurred + timedelta(days=20),
        status=status,
        followup_result=followup,
        followup_on=occurred + timedelta(days=15) if followup else None,
        created_by="officer",
    )
    db.session.add(record)
    db.session.flush()
    for position, badge in enumerate(officers):
        db.session.add(RecordOfficer(record_id=record.id, position=position, number=badge))
    db.session.commit()
    return record


def refusal(earlier: LeniencyRecord, occurred: date) -> LeniencyRefusal:
    row = LeniencyRefusal(
        party_key=earlier.party_key,
        party_masked=earlier.party_masked,
        item_id=earlier.item_id,
        unit_id=earlier.unit_id,
        earlier_record_id=earlier.id,
        occurred_on=occurred,
        officers="ZF-0001,ZF-0002",
        attempted_by="officer",
    )
    db.session.add(row)
    db.session.commit()
    return row
