"""The settings page (参数设置): one typed form per module, saved all at once or not at all.

Each field is drawn from its setting's declaration (``settings.define`` in the module's
``options.py``): the kind says which widget, unit and bounds, and the same kind
validates the value here and on the API.

Routes on the administration blueprint (``admin.*`` endpoints).
"""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for

from riskctl.accounts.roles import ADMIN
from riskctl.admin.views import bp
from riskctl.core import settings
from riskctl.core.auth.policy import allow, require_actor
from riskctl.core.db import db
from riskctl.core.errors import AppError
from riskctl.core.settings import SettingDef

GROUPS = {
    "accounts": "账号与登录",
    "risks": "廉政风险点",
    "inspection": "双随机抽查",
    "reviews": "案卷评查",
    "leniency": "首违不罚",
    "rectification": "整改台账",
    "warnings": "预警规则",
}
OTHER = "other"


def _group_of(definition: SettingDef) -> str:
    prefix = definition.key.split(".", 1)[0]
    return prefix if prefix in GROUPS else OTHER


def _groups() -> dict[str, list[SettingDef]]:
    groups: dict[str, list[SettingDef]] = {name: [] for name in (*GROUPS, OTHER)}
    for definition in settings.declared():
        groups[_group_of(definition)].append(definition)
    return {name: rows for name, rows in groups.items() if rows}


def _flat(key: str, shown: Any) -> dict[str, str]:
    """A value as the form's fields hold it: ``key``, ``key.A`` or ``key.row.column``."""
    if isinstance(shown, dict):
        return {f"{key}.{k}": str(v) for k, v in shown.items()}
    if isinstance(shown, list):
        return {
            f"{key}.{r}.{c}": str(cell) for r, row in enumerate(shown) for c, cell in enumerate(row)
        }
    return {key: str(shown)}


def _page(submitted: str = "", errors: dict[str, str] | None = None, status: int = 200):
    groups = _groups()
    values: dict[str, str] = {}
    changed: set[str] = set()
    for rows in groups.values():
        for d in rows:
            current = settings.get(d.key)
            values.update(_flat(d.key, d.kind.to_form(current)))
            if current != d.default:
                changed.add(d.key)
    if submitted:
        # The module's form as it was typed, so a refused save loses nothing.
        for d in groups[submitted]:
            for name in [n for n in values if n == d.key or n.startswith(f"{d.key}.")]:
                values.pop(name)
        values.update({k: v for k, v in request.form.items() if k != "csrf_token"})
    return (
        render_template(
            "admin/settings.html",
            groups=groups,
            titles={**GROUPS, OTHER: "其他"},
            values=values,
            changed=changed,
            errors=errors or {},
            submitted=submitted,
        ),
        status,
    )


@bp.get("/admin/settings")
@allow(ADMIN)
def settings_page():
    return _page()


@bp.post("/admin/settings/<group>")
@allow(ADMIN)
def change_settings(group: str):
    """Save a module's form: every changed setting, or none when any is refused."""
    groups = _groups()
    if group not in groups:
        abort(404)
    actor = require_actor().username
    errors: dict[str, str] = {}
    saved: list[str] = []
    for d in groups[group]:
        try:
            raw = d.kind.from_form(request.form, d.key)
            if settings.clean(d.key, raw) == settings.get(d.key):
                continue
            settings.change(d.key, raw, actor)
            saved.append(d.short or d.label)
        except ValueError as exc:
            errors[d.key] = f"{d.label}：{exc}"
        except AppError as exc:
            messages = [m for v in exc.details.values() if isinstance(v, list) for m in v]
            errors[d.key] = "；".join(messages) or exc.message
    title = GROUPS.get(group, "其他")
    if errors:
        db.session.rollback()
        return _page(group, errors, 422)
    if saved:
        flash(f"已保存“{title}”的 {len(saved)} 项设置：{'、'.join(saved)}", "success")
    else:
        flash(f"“{title}”的设置没有改动", "success")
    return redirect(url_for("admin.settings_page", _anchor=f"group-{group}"))
