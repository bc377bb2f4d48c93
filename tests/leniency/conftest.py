"""Fixtures of the 首违不罚 tests: the 免罚清单, valid party ids, records made by the operation."""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from typing import Any

import pytest

from riskctl.accounts.models import User
from riskctl.core import clock
from riskctl.core.db import db
from riskctl.core.ids import credit_code_check_char, id_card_check_char
from riskctl.inspections.models import Inspector
from riskctl.leniency import operations
from riskctl.leniency.items import operations as items
from riskctl.leniency.models import LeniencyRecord
from tests.conftest import csrf_token
from tests.factories import PASSWORD

REGULATION = "《城市市容和环境卫生管理条例》"
ITEMS = [
    ("CG-001", "擅自堆放物料", f"{REGULATION}第十四条", "首次被发现；当场清理"),
    ("CG-002", "超出门窗外墙经营", f"{REGULATION}第十四条", "占用不超过1平方米；当场改正"),
    ("CG-003", "擅自设置店招标牌", f"{REGULATION}第十一条", "设置不超过7日；自行拆除"),
]
COMPANY = "91410105MA44XKQ10"  # first 17 characters; the check character is computed
PERSON = "41010519850312123"


def credit_code(first17: str = COMPANY) -> str:
    return first17 + credit_code_check_char(first17)


def id_card(first17: str = PERSON) -> str:
    return first17 + id_card_check_char(first17)


def random_credit_code(rng: random.Random) -> str:
    return credit_code(
        "9141" + "".join(rng.choice("0123456789ABCDEFGHJKLMNPQRTUWXY") for _ in range(13))
    )


def days_ago(n: int, hour: int = 10) -> datetime:
    """A local (Beijing) moment n days before today."""
    day = clock.today() - timedelta(days=n)
    return clock.from_local(datetime.combine(day, time(hour)))


def body(**overrides: Any) -> dict[str, Any]:
    """A valid API body for POST /api/v1/leniency/records."""
    data = {
        "party_id": credit_code(),
        "party_name": "金水区老街坊烩面馆",
        "item_code": "CG-001",
        "ground": "first_offence",
        "occurred_at": days_ago(1).isoformat(),
        "place": "人民路128号门前",
        "officers": ["ZF1101", "ZF1102"],
        "facts": "门前堆放建材",
        "education": "宣讲条例",
    }
    data.update(overrides)
    return data


ROSTER = {
    "ZD1-1": ("ZF1101", "ZF1102", "ZF1103", "ZF1104"),
    "ZD1-2": ("ZF1201", "ZF1202"),
    "ZD2-1": ("ZF2101", "ZF2102", "ZF2103", "ZF2104"),
}
RETIRED = "ZF1199"


@pytest.fixture
def roster(bureau) -> None:
    """The 执法检查人员名录库 entries the tests name, and one retired inspector."""
    for unit, numbers in ROSTER.items():
        for number in numbers:
            db.session.add(
                Inspector(
                    code=number,
                    name=f"队员{number[-4:]}",
                    license_no=f"豫{number}",
                    unit_id=bureau.units[unit].id,
                    active=True,
                )
            )
    db.session.add(
        Inspector(
            code=RETIRED,
            name="退休队员",
            license_no="豫ZF1199",
            unit_id=bureau.units["ZD1-1"].id,
            active=False,
        )
    )
    db.session.commit()


@pytest.fixture
def catalogue(bureau, roster) -> dict[str, Any]:
    legal = bureau.users["legal"]
    made = {
        code: items.create_item(
            {"code": code, "name": name, "legal_basis": basis, "conditions": cond, "active": True},
            legal,
        )
        for code, name, basis, cond in ITEMS
    }
    db.session.commit()
    return made


@pytest.fixture
def make_record(bureau, catalogue):
    """``make_record(unit="ZD2-1", ...)`` → a committed record, made as the API would."""

    def make(actor: User | None = None, **overrides: Any) -> LeniencyRecord:
        data = {**body(), "occurred_at": days_ago(1), "correction_deadline": None, "unit": None}
        if isinstance(overrides.get("occurred_at"), date) and not isinstance(
            overrides["occurred_at"], datetime
        ):
            overrides["occurred_at"] = clock.from_local(
                datetime.combine(overrides["occurred_at"], time(10))
            )
        if overrides.get("unit") in ROSTER and "officers" not in overrides:
            # Handling officers belong to the recording unit.
            overrides["officers"] = list(ROSTER[overrides["unit"]][:2])
        data.update(overrides)
        who = actor or (
            bureau.users["officer"] if data["unit"] in (None, "ZD1-1") else bureau.users["legal"]
        )
        record = operations.record_leniency(data, who, now=clock.now())
        db.session.commit()
        return record

    return make


@pytest.fixture
def login(app, bureau):
    """A browser session signed in through the login page as that role's user."""

    def as_role(role: str):
        client = app.test_client()
        response = client.post(
            "/login",
            data={"username": role, "password": PASSWORD, "csrf_token": csrf_token(client)},
        )
        assert response.status_code == 302, "login failed"
        return client

    return as_role
