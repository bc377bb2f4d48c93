"""Demo 免罚清单 and half a year of 首违不罚 records (idempotent).

Party ids are synthetic but valid (check digits computed), so that the demo shows
masking, the repeat rule and the statistics as they behave with real data.
"""

from __future__ import annotations

import contextlib
import random
from datetime import date, datetime, time, timedelta

from sqlalchemy import func, select

from riskctl.accounts.queries import unit_by_code, user_by_username
from riskctl.core import clock
from riskctl.core.db import db
from riskctl.core.errors import Conflict
from riskctl.core.ids import credit_code_check_char, id_card_check_char
from riskctl.leniency import operations, party, queries, rules
from riskctl.leniency.items import operations as items
from riskctl.leniency.models import LeniencyItem, LeniencyRecord

ITEMS = [
    (
        "CG-001",
        "在街道两侧和公共场地擅自堆放物料",
        "《城市市容和环境卫生管理条例》第十四条、第三十六条第（二）项",
        "首次被发现；堆放时间不超过24小时，未影响交通和市容；当场或在责令期限内清理完毕",
    ),
    (
        "CG-002",
        "超出门窗和外墙经营（店外经营）",
        "《城市市容和环境卫生管理条例》第十四条；《市城市市容和环境卫生管理办法》第二十一条",
        "首次被发现；占用面积不超过1平方米；未影响行人通行；当场改正",
    ),
    (
        "CG-003",
        "擅自设置户外广告、店招标牌",
        "《城市市容和环境卫生管理条例》第十一条、第三十六条第（一）项",
        "首次被发现；设置时间不超过7日；未造成安全隐患；在责令期限内自行拆除或补办手续",
    ),
    (
        "CG-004",
        "在建筑物、公共设施上涂写、刻画或者擅自张贴宣传品",
        "《城市市容和环境卫生管理条例》第十七条、第三十四条第（四）项",
        "首次违法；数量在5处以下；当场清除",
    ),
    (
        "CG-005",
        "运输渣土车辆未密闭或覆盖造成泄漏遗撒",
        "《城市建筑垃圾管理规定》第十四条、第二十三条",
        "首次被发现；遗撒长度不超过50米；当场清理干净，未造成交通事故",
    ),
    (
        "CG-006",
        "随意倾倒、抛撒生活垃圾",
        "《城市生活垃圾管理办法》第十六条、第四十二条",
        "首次违法；数量较少；当场清理完毕",
    ),
    (
        "CG-007",
        "在城市绿地内晾晒衣物、堆放物品或踩踏草坪",
        "《城市绿化条例》第二十条、第二十七条",
        "首次被发现；未损坏树木；面积不超过5平方米；当场恢复原状",
    ),
    (
        "CG-008",
        "未经批准临时占用城市道路",
        "《城市道路管理条例》第三十一条、第四十二条",
        "首次违法；占用时间不超过24小时；未影响通行安全；当场改正",
    ),
    (
        "CG-009",
        "夜间施工未办理夜间施工许可",
        "《市建筑施工噪声污染防治办法》第十二条",
        "首次被发现；当晚停止施工并于次日补办手续",
    ),
]
UNIT_ITEMS = {
    "ZD1-1": ["CG-001", "CG-002", "CG-003", "CG-004", "CG-008"],
    "ZD1-2": ["CG-001", "CG-002", "CG-003", "CG-008"],
    "ZD2-1": ["CG-005", "CG-006", "CG-001"],
    "ZD3-1": ["CG-007", "CG-001"],
}
UNIT_RECORDS = {"ZD1-1": 26, "ZD1-2": 22, "ZD2-1": 14, "ZD3-1": 8}
BUSINESSES = [
    "老街坊烩面馆",
    "鑫源建材经营部",
    "华联便利店",
    "顺达快递服务部",
    "阳光水果店",
    "名匠装饰工程有限公司",
    "伊尚服饰店",
    "大众汽车维修部",
    "巧媳妇家常菜馆",
    "金桥五金店",
    "宏达渣土运输有限公司",
    "绿之源花木经营部",
    "好运来超市",
    "晨光文具店",
    "蜀香麻辣烫",
    "城建第三工程有限公司",
    "美家家居广场",
    "福满楼酒店",
    "康宁大药房",
    "新视界眼镜店",
]
PEOPLE = ["王建军", "李秀英", "张伟", "刘芳", "陈志强", "杨桂兰", "赵磊", "黄丽", "周海涛", "吴敏"]
PLACES = [
    "建设路与桐柏路交叉口东北角",
    "人民路128号门前",
    "紫荆山公园南门",
    "经三路农贸市场入口",
    "未来路56号工地出口",
    "花园路地铁站B口",
    "淮河路夜市东段",
    "文化路与农业路交叉口",
    "金水河滨河公园绿地",
    "中原路68号商铺门前",
    "嵩山路与陇海路交叉口",
    "航海路建材市场",
]
FACTS = "执法人员现场检查发现上述违法行为，当事人当场承认，经责令当场改正"
EDUCATION = (
    "向当事人宣讲《城市市容和环境卫生管理条例》相关规定，告知其违法事实和改正要求，"
    "当事人表示认可并承诺整改。"
)


def _credit_code(rng: random.Random) -> str:
    body = "92410105" + "".join(rng.choice("0123456789ABCDEFGHJKLMNPQRTUWXY") for _ in range(9))
    return body + credit_code_check_char(body)


def _id_card(rng: random.Random) -> str:
    born = date(1965, 1, 1) + timedelta(days=rng.randrange(0, 13000))
    body = "410105" + born.strftime("%Y%m%d") + f"{rng.randrange(1, 999):03d}"
    return body + id_card_check_char(body)


def _parties(rng: random.Random) -> list[tuple[str, str]]:
    parties = [(_credit_code(rng), "市金水区" + name) for name in BUSINESSES]
    return parties + [(_id_card(rng), name) for name in PEOPLE]


def load() -> str | None:
    legal = user_by_username("fazhi")
    if legal is None:
        return None
    made_items = _load_items(legal)
    if db.session.scalar(select(func.count()).select_from(LeniencyRecord)):
        return f"免罚清单 {made_items} 项；免罚记录已存在，未重复创建" if made_items else None
    count = _load_records(random.Random(20260301), legal)
    if not count:
        return f"免罚清单 {made_items} 项；执法检查人员名录库没有在岗人员，未生成免罚记录"
    return f"免罚清单 {made_items} 项，免罚记录 {count} 条（含 1 次被拒绝的重复首违申请）"


def _load_items(legal) -> int:
    made = 0
    for code, name, basis, conditions in ITEMS:
        if db.session.scalar(select(LeniencyItem.id).where(LeniencyItem.code == code)):
            continue
        items.create_item(
            {
                "code": code,
                "name": name,
                "legal_basis": basis,
                "conditions": conditions,
                "active": True,
            },
            legal,
            "2026年免罚清单发布",
        )
        made += 1
    if made:
        items.change_item(
            _item("CG-002"),
            {
                "conditions": "首次被发现；占用面积不超过2平方米；未影响行人通行；当场改正",
                "reason": "局务会审议调整店外经营面积标准",
            },
            legal,
        )
        items.change_item(
            _item("CG-009"),
            {"active": False, "reason": "夜间施工许可移交住建部门，移出本局清单"},
            legal,
        )
    return made


def _item(code: str) -> LeniencyItem:
    return db.session.scalar(select(LeniencyItem).where(LeniencyItem.code == code))


def _load_records(rng: random.Random, legal) -> int:
    officer = user_by_username("duiyuan")
    parties = _parties(rng)
    today = clock.today()
    made: list[LeniencyRecord] = []
    used: set[tuple[str, str]] = set()
    for unit, total in UNIT_RECORDS.items():
        # Paper records of other units are entered afterwards by the legal office (补录).
        actor = officer if officer is not None and unit == "ZD1-1" else legal
        numbers = [code for code, _ in queries.roster_officers([unit_by_code(unit).id])]
        if len(numbers) < 2:
            continue  # the 双随机 demo loads the inspector roster; without it, no teams
        for i in range(total):
            age = rng.randrange(3, 170)
            party_ = parties[(i * 7 + len(made)) % len(parties)]
            item = UNIT_ITEMS[unit][i % len(UNIT_ITEMS[unit])]
            # A party met again for the same item can only have 轻微不罚 (no refusal here).
            minor = (party_[0], item) in used or rng.random() < 0.3
            used.add((party_[0], item))
            made.append(_one(rng, actor, legal, unit, numbers, party_, item, minor, today, age))
    if made:
        _repeat_attempt(made[0], officer or legal)
    return len(made)


def _one(rng, actor, legal, unit, numbers, party_, item, minor, today, age):
    occurred = clock.from_local(
        datetime.combine(today - timedelta(days=age), time(9 + rng.randrange(9)))
    )
    pair = rng.sample(numbers, 2)
    data = {
        "party_id": party_[0],
        "party_name": party_[1],
        "item_code": item,
        "ground": rules.MINOR if minor else rules.FIRST_OFFENCE,
        "occurred_at": occurred,
        "place": rng.choice(PLACES),
        "officers": pair,
        "correction_deadline": None,
        "unit": unit,
        "facts": FACTS,
        "education": EDUCATION,
    }
    record = operations.record_leniency(data, actor)
    if record.status == rules.PENDING_REVIEW and rng.random() < 0.8:
        # Again under 轻微不罚: the legal office reviews it; a few are left on its to-do list.
        operations.review_held(
            record, {"approve": True, "note": "违法行为轻微，当场改正，没有造成危害后果"}, legal
        )
    if record.status == rules.PENDING_REVIEW:
        return record
    _advance(rng, record, actor, legal, pair, today)
    return record


def _advance(rng, record, actor, legal, pair, today) -> None:
    """Move older records along their lifecycle as the squads would have."""
    signed = min(record.occurred_on + timedelta(days=1), today)
    if rng.random() < 0.9:
        operations.sign_commitment(
            record,
            {"signed_on": signed, "document_no": f"承诺〔{signed.year}〕{record.id:04d}号"},
            today,
        )
    if record.followup_due >= today - timedelta(days=3) or record.status == rules.RECORDED:
        return
    if rng.random() < 0.12:
        return  # left overdue: the list and the home card flag it
    passed = rng.random() < 0.88
    operations.record_followup(
        record,
        {
            "checked_on": record.correction_deadline,
            "result": rules.PASSED if passed else rules.NOT_PASSED,
            "officer": pair[0],
            "note": "现场复查",
        },
        actor,
        today,
    )
    if not passed:
        operations.refer(
            record,
            {
                "referred_on": record.correction_deadline,
                "case_no": f"城执罚立〔{today.year}〕{record.id:03d}号",
                "reason": "逾期未改正，依法转入一般程序立案查处",
            },
            today,
        )
        return
    operations.sign_off(
        record, {"opinion": "符合免罚清单适用条件，程序合法，同意免予处罚。"}, legal
    )
    operations.close(record, {"note": "已按期改正，予以结案"}, legal)


def _repeat_attempt(first: LeniencyRecord, actor) -> None:
    """A squad tries a second 首违 for the same party and item: refused and counted."""
    data = {
        "party_id": party.reveal(first.party_cipher),
        "party_name": first.party_name,
        "item_code": first.item.code,
        "ground": rules.FIRST_OFFENCE,
        "occurred_at": clock.now() - timedelta(days=1),
        "place": first.place,
        "officers": [o.number for o in first.officers],
        "correction_deadline": None,
        "unit": first.unit.code,
        "facts": FACTS,
        "education": EDUCATION,
    }
    db.session.commit()  # the refusal ends the transaction it happens in
    with contextlib.suppress(Conflict):
        operations.record_leniency(data, actor)
