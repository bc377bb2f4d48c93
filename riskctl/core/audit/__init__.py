"""The hash-chained audit log (审计日志)."""

from riskctl.core.audit.chain import ChainBreak, record, verify_chain
from riskctl.core.audit.models import AuditEntry

__all__ = ["AuditEntry", "ChainBreak", "record", "verify_chain"]
