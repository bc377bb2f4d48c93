"""Bench case-review campaigns (案卷评查) at the size of issue 5: 50,000 closed case
files in 20 中队, a campaign drawing 2,000 of them (100 per unit) for 60 reviewers in
teams of 2, with their 回避 pairs; then the results page over 2,000 confirmed files.

Run ``python bench/bench_reviews.py``; a runner may call :func:`scenarios`.
"""

from __future__ import annotations

import random
import re
import sys
from datetime import date, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import insert, select, update  # noqa: E402
from werkzeug.security import generate_password_hash  # noqa: E402

from bench._common import Row, backend, bench_app, measure, print_table  # noqa: E402
from riskctl.accounts import operations as accounts  # noqa: E402
from riskctl.accounts.models import Unit, User  # noqa: E402
from riskctl.core import clock  # noqa: E402
from riskctl.core.db import db  # noqa: E402
from riskctl.reviews import operations  # noqa: E402
from riskctl.reviews.defaults import GROUPS  # noqa: E402
from riskctl.reviews.models import Campaign, CaseFile, Finding, Reviewer, ReviewFile  # noqa: E402

FILES = 50_000
SQUADS = 20
PER_SQUAD = 100  # 20 × 100 = 2,000 files drawn
REVIEWERS = 60
PASSWORD = "bench-password-1"
SIZE = f"{FILES:,} files / {SQUADS * PER_SQUAD:,} drawn / {REVIEWERS} reviewers / m=2"
ENTROPY = "2026-11-20 福彩3D 第2026310期 3 8 1"


def _units() -> list[str]:
    """局 → 法制科, 纪委, 5 支队 → 4 中队 each; returns the 中队 codes."""
    accounts.create_unit("JU", "市城市管理综合执法局", None, "bureau")
    accounts.create_unit("FZK", "法制科", "JU", "office")
    accounts.create_unit("JW", "机关纪委", "JU", "office")
    squads = []
    for d in range(1, 6):
        accounts.create_unit(f"ZD{d}", f"第{d}执法支队", "JU", "detachment")
        for s in range(1, 5):
            accounts.create_unit(f"ZD{d}-{s}", f"第{d}支队第{s}中队", f"ZD{d}", "squad")
            squads.append(f"ZD{d}-{s}")
    return squads


def _reviewers(squads: list[str], units: dict[str, int]) -> list[str]:
    """10 法制科, 5 纪委 and 45 执法队员 (spread over the 中队), bulk-inserted."""
    digest = generate_password_hash(PASSWORD)
    people = [(f"fz{k:02d}", "legal", "FZK") for k in range(10)]
    people += [(f"jw{k:02d}", "discipline", "JW") for k in range(5)]
    people += [(f"dy{k:02d}", "officer", squads[k % len(squads)]) for k in range(45)]
    db.session.execute(
        insert(User),
        [
            {
                "username": name,
                "display_name": name,
                "role": role,
                "unit_id": units[unit],
                "password_hash": digest,
                "active": True,
                "created_at": clock.now(),
            }
            for name, role, unit in people
        ],
    )
    ids = dict(db.session.execute(select(User.username, User.id)).all())
    db.session.execute(
        insert(Reviewer),
        [
            {
                "user_id": ids[name],
                "badge_no": f"ZF-{name.upper()}",
                "active": True,
                "created_at": clock.now(),
                "created_by": "bench",
            }
            for name, _, _ in people
        ],
    )
    return [name for name, _, _ in people]


def _case_files(squads: list[str], units: dict[str, int], rng: random.Random) -> None:
    """50,000 files; each 中队's officers (reviewers among them) handle its cases."""
    start = date(2026, 1, 1)
    rows = []
    for n in range(FILES):
        squad = squads[n % len(squads)]
        squad_no = n % len(squads)
        handlers = [f"ZF-DY{k:02d}" for k in range(45) if k % len(squads) == squad_no]
        handlers = rng.sample(handlers + [f"ZF-X{squad_no:02d}{k}" for k in range(6)], 2)
        rows.append(
            {
                "case_no": f"城管罚决字〔2026〕{squad}第{n:06d}号",
                "unit_id": units[squad],
                "case_type": "占道经营",
                "procedure": "general",
                "handlers": handlers,
                "handler_names": "",
                "approver": f"ZF-ZD{squad[2]}-LEAD",
                "approver_name": "",
                "closed_on": start + timedelta(days=n % 180),
                "penalty_fen": 200000,
                "imported_at": clock.now(),
                "imported_by": "bench",
            }
        )
    db.session.execute(insert(CaseFile), rows)


def build() -> Campaign:
    rng = random.Random(20261120)
    squads = _units()
    units = dict(db.session.execute(select(Unit.code, Unit.id)).all())
    names = _reviewers(squads, units)
    _case_files(squads, units, rng)
    legal = db.session.scalar(select(User).where(User.username == "fz00"))
    campaign = operations.create_campaign(
        {
            "code": "PC-BENCH",
            "name": "基准评查",
            "period_start": date(2026, 1, 1),
            "period_end": date(2026, 6, 30),
            "team_size": 2,
            "quotas": dict.fromkeys(squads, PER_SQUAD),
            "reviewers": names,
        },
        legal,
    )
    db.session.commit()
    return campaign


def _confirm_all(campaign: Campaign, rng: random.Random) -> None:
    """Confirmed results with their findings, written in bulk as confirmation would."""
    items = [(code, text, group) for group, _, entries in GROUPS for code, text, _, _ in entries]
    ids = db.session.scalars(select(ReviewFile.id).where(ReviewFile.campaign_id == campaign.id))
    findings, today = [], clock.today()
    for file_id in ids:
        picked = rng.sample(items, rng.randint(0, 4))
        score = 100 - 2 * len(picked)
        db.session.execute(
            update(ReviewFile)
            .where(ReviewFile.id == file_id)
            .values(
                status="confirmed",
                score=score,
                grade="优秀" if score >= 90 else "合格",
                vetoed=False,
                confirmed_at=clock.now(),
                confirmed_on=today,
                confirmed_by="fz00",
                result_basis="各评查人员评分平均",
            )
        )
        findings += [
            {
                "review_file_id": file_id,
                "kind": "deduction",
                "item_code": code,
                "item_text": text,
                "group_name": group,
                "points": 2.0,
                "note": "问题",
            }
            for code, text, group in picked
        ]
    db.session.execute(insert(Finding), findings)
    db.session.commit()


def _signed_in(app: Any):
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
    client.post("/login", data={"username": "fz00", "password": PASSWORD, "csrf_token": token})
    return client


def scenarios() -> list[Row]:
    with bench_app() as app:
        campaign = build()
        legal = db.session.scalar(select(User).where(User.username == "fz00"))

        def lock() -> None:
            operations.lock_campaign(campaign, legal)
            db.session.rollback()

        def lock_and_draw() -> None:
            operations.lock_campaign(campaign, legal)
            operations.draw_campaign(campaign, ENTROPY, "福彩开奖公告", legal)
            db.session.rollback()

        def draw() -> None:
            operations.draw_campaign(campaign, ENTROPY, "福彩开奖公告", legal)
            db.session.rollback()

        rows = [
            Row("review: lock (回避 pairs + frozen manifest)", SIZE, *measure(lock)),
            Row("review: lock + draw + assign, end to end", SIZE, *measure(lock_and_draw)),
        ]
        operations.lock_campaign(campaign, legal)
        db.session.commit()
        rows.append(Row("review: draw once + assign (after lock)", SIZE, *measure(draw)))
        operations.draw_campaign(campaign, ENTROPY, "福彩开奖公告", legal)
        db.session.commit()
        _confirm_all(campaign, random.Random(7))
        client = _signed_in(app)
        bearer = {"Authorization": f"Bearer {accounts.issue_token('fz00')}"}
        db.session.commit()

        def page(url: str, headers: dict[str, str] | None = None):
            def get() -> None:
                response = client.get(url, headers=headers or {})
                if response.status_code != 200:
                    raise AssertionError(f"{url} answered {response.status_code}")

            return get

        rows += [
            Row(
                "review: results page (web)",
                "2,000 confirmed files",
                *measure(page("/reviews/campaigns/PC-BENCH/results")),
            ),
            Row(
                "review: results (API JSON)",
                "2,000 confirmed files",
                *measure(page("/api/v1/reviews/campaigns/PC-BENCH/results", bearer)),
            ),
            Row(
                "review: campaign page, drawn files 1–50",
                "2,000 files",
                *measure(page("/reviews/campaigns/PC-BENCH")),
            ),
        ]
        return [r._replace(scenario=f"{r.scenario} [{backend()}]") for r in rows]


if __name__ == "__main__":
    print_table(scenarios())
