"""The roles a user can hold, and who reads the audit log (三员分立)."""

from __future__ import annotations

ADMIN, DISCIPLINE, LEGAL, OFFICER, LEADER = "admin", "discipline", "legal", "officer", "leader"
# 三员分立: the auditor reads and verifies the audit log and does nothing else; the
# administrator manages users, units and settings but can neither read nor alter the log.
AUDITOR = "auditor"
ALL_ROLES = (ADMIN, DISCIPLINE, LEGAL, OFFICER, LEADER, AUDITOR)
AUDIT_READERS = (AUDITOR, DISCIPLINE)
ROLE_LABELS = {
    ADMIN: "系统管理员",
    DISCIPLINE: "机关纪委",
    LEGAL: "法制科",
    OFFICER: "执法队员",
    LEADER: "局领导",
    AUDITOR: "审计管理员",
}
