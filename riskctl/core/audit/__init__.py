"""The hash-chained audit log (审计日志)."""

from riskctl.core.audit.chain import (
    Anchor,
    ChainBreak,
    Verification,
    record,
    verify,
    verify_chain,
)
from riskctl.core.audit.models import AuditCheckpoint, AuditEntry

__all__ = [
    "Anchor",
    "AuditCheckpoint",
    "AuditEntry",
    "ChainBreak",
    "Verification",
    "record",
    "verify",
    "verify_chain",
]
