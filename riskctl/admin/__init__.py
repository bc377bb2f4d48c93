"""Administration (系统管理): users, units, settings, the working-day calendar, sign-in locks
and API tokens; and the audit log page, which only the auditor and discipline may open."""

from flask import Flask


def register(app: Flask) -> None:
    from riskctl.admin import api, public, views
    from riskctl.core.contributions import register_nav

    app.register_blueprint(views.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(public.bp)
    register_nav("审计日志", "admin.audit_log", order=80)
    register_nav("系统管理", "admin.users", order=90)
