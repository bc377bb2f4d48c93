"""Full party ids (完整证件号): search by one, reveal one; FULL_ID_ROLES only, each audited."""

from __future__ import annotations

from collections.abc import Mapping

from riskctl.accounts.models import User
from riskctl.core import audit
from riskctl.core.errors import Forbidden
from riskctl.core.ids import mask_party_id
from riskctl.leniency import filters, party
from riskctl.leniency.models import LeniencyRecord
from riskctl.leniency.operations import FULL_ID_ROLES
from riskctl.leniency.queries import RecordFilter


def record_search(args: Mapping[str, str], actor: User) -> RecordFilter:
    """The list filters of a request. A search by full party id (``party_id``) is for the
    roles that read full ids only, and is an audit entry each time: to anyone else the
    list would confirm or deny a guessed id (403, before the id is even looked at)."""
    raw = (args.get("party_id") or "").strip()
    if raw and actor.role not in FULL_ID_ROLES:
        raise Forbidden("只有法制科和机关纪委可以按完整证件号查询免罚记录")
    flt = filters.record_filter(args)
    if flt.party_key is not None:
        normalised, _ = party.check(raw)
        audit.record(
            "leniency.party_id.search",
            "leniency_party",
            flt.party_key[:16],
            {"party": mask_party_id(normalised)},
            actor=actor.username,
        )
    return flt


def reveal_party_id(record: LeniencyRecord) -> str:
    """The full party id; every view is an audit entry."""
    audit.record(
        "leniency.party_id.view", "leniency_record", record.id, {"party": record.party_masked}
    )
    return party.reveal(record.party_cipher)
