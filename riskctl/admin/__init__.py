"""Administration (系统管理): users, units, settings, the working-day calendar, sign-in locks
and API tokens; and the audit log page, which only the auditor and discipline may open."""

from flask import Flask


def _locked_card(user):
    """The administrator: accounts whose sign-in is locked now (解除锁定 on the users page)."""
    from riskctl.accounts import login
    from riskctl.accounts.roles import ADMIN

    if user.role != ADMIN:
        return None
    count = sum(1 for lock in login.locks() if lock.kind == "account")
    return count, ("admin.users", {"locked": 1}), "red" if count else "green"


def register(app: Flask) -> None:
    from riskctl.admin import (  # noqa: F401 (audit, calendar, settings views: routes)
        api,
        audit_views,
        calendar_views,
        public,
        settings_views,
        views,
    )
    from riskctl.core.contributions import register_card, register_nav

    app.register_blueprint(views.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(public.bp)
    register_nav("审计日志", "admin.audit_log", order=80)
    register_card("被锁定的账户", _locked_card, order=4)
    register_nav("系统管理", "admin.users", order=90)
