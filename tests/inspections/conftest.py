"""Factories for 双随机 tests: roster files, a small roster, items and plans."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

import pytest

from riskctl.core.db import db
from riskctl.core.ids import credit_code_check_char
from riskctl.inspections import operations
from riskctl.inspections.rosters.imports import import_roster
from tests.conftest import csrf_token
from tests.factories import PASSWORD

TARGET_HEADER = [
    "对象编号",
    "对象名称",
    "统一社会信用代码",
    "对象类型",
    "地址",
    "信用风险等级",
    "主管单位",
]
INSPECTOR_HEADER = ["人员编号", "姓名", "执法证号", "所属单位", "执法领域", "状态"]
SQUADS = ("ZD1-1", "ZD1-2", "ZD2-1")
CLASSES = "AABBBBCCCD"


def credit_code(n: int) -> str:
    """A valid 统一社会信用代码 (check character computed)."""
    first17 = f"914104020{n:08d}"
    return first17 + credit_code_check_char(first17)


def target_row(n: int, *, klass: str | None = None, unit: str | None = None) -> list[str]:
    return [
        f"T{n:05d}",
        f"新华路商户{n:05d}",
        credit_code(n),
        "企业",
        f"新华路 {n} 号",
        klass or CLASSES[n % len(CLASSES)],
        unit or SQUADS[n % len(SQUADS)],
    ]


def inspector_row(n: int, *, unit: str | None = None, status: str = "在岗") -> list[str]:
    return [
        f"ZF-{n:04d}",
        f"执法队员{n:04d}",
        f"41040{n:06d}",
        unit or SQUADS[n % len(SQUADS)],
        "市容秩序",
        status,
    ]


def csv_bytes(
    header: Sequence[str], rows: Sequence[Sequence[str]], encoding: str = "utf-8"
) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode(encoding)


def targets_csv(n: int, start: int = 0, **kw) -> bytes:
    return csv_bytes(TARGET_HEADER, [target_row(i, **kw) for i in range(start, start + n)])


def inspectors_csv(n: int, start: int = 0) -> bytes:
    return csv_bytes(INSPECTOR_HEADER, [inspector_row(i) for i in range(start, start + n)])


def upload(api_client, roster: str, data: bytes, filename: str = "roster.csv", **form):
    return api_client.post(
        f"/api/v1/inspection/{roster}/import",
        data={"file": (io.BytesIO(data), filename), **form},
        content_type="multipart/form-data",
    )


def load_roster(targets: int = 60, inspectors: int = 12) -> None:
    import_roster("targets", targets_csv(targets), "t.csv", None, "fazhi")
    import_roster("inspectors", inspectors_csv(inspectors), "i.csv", None, "fazhi")
    db.session.commit()


@pytest.fixture
def roster(bureau):
    """60 targets (A 12, B 24, C 18, D 6) in three squads and 12 inspectors."""
    load_roster()
    return bureau


def make_item(code: str = "SX-001") -> None:
    operations.create_item(
        {
            "code": code,
            "name": "户外广告设施设置情况检查",
            "legal_basis": "《城市市容和环境卫生管理条例》第十一条",
            "ratio": "0.05",
            "frequency": "每年1次",
            "category": "key",
            "active": True,
        },
        "fazhi",
    )
    db.session.commit()


ENTROPY = "2026-11-20 公证摇号 07 13 22 31 45"
SOURCE = "省体彩排列5 第 26310 期开奖号码"


def plan_body(code: str = "SJ-T-01", **extra) -> dict:
    return {
        "code": code,
        "name": f"测试计划 {code}",
        "ratios": {"A": 0.05, "B": 0.1, "C": 0.3, "D": 0.7},
        **extra,
    }


def create_plan(client, code: str = "SJ-T-01", **extra):
    response = client.post("/api/v1/inspection/plans", json=plan_body(code, **extra))
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def lock(client, code: str = "SJ-T-01"):
    return client.post(f"/api/v1/inspection/plans/{code}/lock")


def draw(client, code: str = "SJ-T-01", entropy: str = ENTROPY, source: str = SOURCE):
    return client.post(
        f"/api/v1/inspection/plans/{code}/draw", json={"entropy": entropy, "entropy_source": source}
    )


@pytest.fixture
def drawn(roster, api):
    """Plan SJ-T-01 over the 60-target roster, locked and drawn: A 1, B 3, C 6, D 5 selected."""
    client = api("legal")
    create_plan(client)
    assert lock(client).status_code == 200
    response = draw(client)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


@pytest.fixture
def login(client, bureau):
    """``login("legal")`` → the web client signed in as that role's user."""

    def sign_in(username: str):
        response = client.post(
            "/login",
            data={"username": username, "password": PASSWORD, "csrf_token": csrf_token(client)},
        )
        assert response.status_code == 302
        return client

    return sign_in
