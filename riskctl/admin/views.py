"""Administration pages and the audit log page."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from sqlalchemy import or_, select

from riskctl.accounts import login
from riskctl.accounts import operations as accounts
from riskctl.accounts.models import Unit, User
from riskctl.accounts.queries import TOKEN_SORTS, all_tokens, unit_order, units_tree
from riskctl.accounts.roles import ADMIN, ALL_ROLES, AUDITOR, ROLE_LABELS
from riskctl.admin import operations
from riskctl.admin.queries import users_query
from riskctl.core.auth.policy import allow, require_actor
from riskctl.core.db import db
from riskctl.core.errors import AppError
from riskctl.core.listing import listing, listing_of, related

bp = Blueprint("admin", __name__, template_folder="templates")


def _flash_error(exc: AppError) -> None:
    details = "；".join(f"{'；'.join(v)}" for v in exc.details.values() if isinstance(v, list))
    flash(details or exc.message, "error")


@bp.get("/admin/users")
@allow(ADMIN)
def users():
    return _users_page()


def _users_page(values: dict | None = None, errors: list[str] | None = None, status: int = 200):
    locks = login.locks()
    query = users_query()
    only_locked = request.args.get("locked") == "1"
    if only_locked:
        locked = {lock.subject for lock in locks if lock.kind == "account"}
        query = query.where(User.username.in_(locked))
    q = request.args.get("q", "").strip()
    if q:
        query = query.where(
            or_(
                User.username.icontains(q, autoescape=True),
                User.display_name.icontains(q, autoescape=True),
            )
        )
    role = request.args.get("role", "")
    if role in ALL_ROLES:
        query = query.where(User.role == role)
    lst = listing(
        query,
        {
            "username": User.username,
            "name": User.display_name,
            "role": User.role,
            "unit": unit_order(User.unit_id),
            "status": User.active,
        },
        "",  # unsorted: by role, then username
    )
    return (
        render_template(
            "admin/users.html",
            lst=lst,
            users=lst.items,
            only_locked=only_locked,
            units=[u for u in units_tree() if u.active],
            roles=[r for r in ALL_ROLES if r != AUDITOR],
            role_labels=ROLE_LABELS,
            auditor=AUDITOR,
            locks=locks,
            values=values or {},
            errors=errors or [],
        ),
        status,
    )


@bp.post("/admin/users")
@allow(ADMIN)
def create_user():
    form = request.form
    values = {k: form.get(k, "")[:100] for k in ("username", "display_name", "role", "unit")}
    if not values["role"]:
        return _users_page(values, ["请选择角色"], 422)
    try:
        user = operations.create_user(
            form.get("username", ""),
            form.get("display_name", ""),
            form.get("role", ""),
            form.get("password", ""),
            form.get("unit") or None,
        )
    except AppError as exc:
        db.session.rollback()
        details = [m for v in exc.details.values() if isinstance(v, list) for m in v]
        return _users_page(values, details or [exc.message], 422)
    flash(f"已创建用户 {user.username}", "success")
    return redirect(url_for("admin.users"))


def _edit_user_page(user: User, values: dict, errors: list[str], status: int = 200):
    return render_template(
        "admin/user_edit.html",
        user=user,
        values=values,
        errors=errors,
        units=[u for u in units_tree() if u.active or u.id == user.unit_id],
        roles=[r for r in ALL_ROLES if r != AUDITOR],
        role_labels=ROLE_LABELS,
    ), status


@bp.route("/admin/users/<int:user_id>/edit", methods=["GET", "POST"])
@allow(ADMIN)
def edit_user(user_id: int):
    user = db.session.get(User, user_id)
    if user is None or user.role == AUDITOR:
        abort(404)
    if request.method == "GET":
        values = {
            "display_name": user.display_name,
            "role": user.role,
            "unit": user.unit.code if user.unit else "",
        }
        return _edit_user_page(user, values, [])
    values = {k: request.form.get(k, "")[:100] for k in ("display_name", "role", "unit")}
    try:
        operations.update_user(
            user_id, values["display_name"], values["role"], values["unit"] or None, require_actor()
        )
    except AppError as exc:
        db.session.rollback()
        details = [m for v in exc.details.values() if isinstance(v, list) for m in v]
        return _edit_user_page(user, values, details or [exc.message], 422)
    flash(f"已保存用户 {user.display_name}（{user.username}）", "success")
    return redirect(url_for("admin.users"))


@bp.post("/admin/users/<int:user_id>/active")
@allow(ADMIN)
def set_active(user_id: int):
    active = request.form.get("active") == "1"
    try:
        user = operations.set_user_active(user_id, active, require_actor())
    except AppError as exc:
        _flash_error(exc)
        return redirect(url_for("admin.users"))
    flash(f"已{'启用' if active else '停用'}用户 {user.username}", "success")
    return redirect(url_for("admin.users"))


@bp.post("/admin/users/<int:user_id>/password")
@allow(ADMIN)
def reset_password(user_id: int):
    """A temporary password, shown once on this page (never flashed into the cookie)."""
    try:
        user, password = operations.reset_password(user_id, require_actor())
    except AppError as exc:
        _flash_error(exc)
        return redirect(url_for("admin.users"))
    page = render_template("admin/password_reset.html", user=user, password=password)
    return page, 200, {"Cache-Control": "no-store"}


@bp.post("/admin/locks/<kind>/unlock")
@allow(ADMIN)
def unlock(kind: str):
    subject = request.form.get("subject", "")
    try:
        lifted = operations.unlock(kind, subject)
    except AppError as exc:
        _flash_error(exc)
        return redirect(url_for("admin.users"))
    flash(f"已解除 {subject} 的登录锁定" if lifted else f"{subject} 当前没有被锁定", "success")
    return redirect(url_for("admin.users"))


@bp.get("/admin/tokens")
@allow(ADMIN)
def tokens():
    rows = all_tokens()
    revocable = {t.id for t in rows if t.usable and t.user.role != AUDITOR}
    lst = listing_of(rows, TOKEN_SORTS, "user")
    return render_template("admin/tokens.html", lst=lst, tokens=lst.items, revocable=revocable)


@bp.post("/admin/tokens/<int:token_id>/revoke")
@allow(ADMIN)
def revoke_token(token_id: int):
    try:
        operations.revoke_token(token_id, require_actor())
    except AppError as exc:
        _flash_error(exc)
        return redirect(url_for("admin.tokens"))
    flash(f"已吊销 API 令牌 {token_id}", "success")
    return redirect(url_for("admin.tokens"))


@bp.get("/admin/units")
@allow(ADMIN)
def units():
    lst = listing(
        select(Unit),
        {
            "tree": Unit.path,
            "name": Unit.name,
            "code": Unit.code,
            "kind": Unit.kind,
            "parent": related(Unit.path, Unit.id, Unit.parent_id),
            "status": Unit.active,
        },
        "tree",
    )
    return render_template(
        "admin/units.html", lst=lst, units=lst.items, parents=[u for u in units_tree() if u.active]
    )


@bp.post("/admin/units")
@allow(ADMIN)
def create_unit():
    form = request.form
    try:
        unit = accounts.create_unit(
            form.get("code", ""),
            form.get("name", ""),
            form.get("parent") or None,
            form.get("kind") or None,
        )
    except AppError as exc:
        _flash_error(exc)
        return redirect(url_for("admin.units"))
    flash(f"已创建单位 {unit.name}", "success")
    return redirect(url_for("admin.units"))


@bp.post("/admin/units/<int:unit_id>/active")
@allow(ADMIN)
def set_unit_active(unit_id: int):
    unit = db.session.get(Unit, unit_id)
    if unit is None:
        abort(404)
    active = request.form.get("active") == "1"
    try:
        operations.set_unit_active(unit.code, active)
    except AppError as exc:
        _flash_error(exc)
        return redirect(url_for("admin.units"))
    flash(f"已{'启用' if active else '停用'}单位 {unit.name}", "success")
    return redirect(url_for("admin.units"))


def _edit_unit_page(unit: Unit, values: dict, errors: list[str], status: int = 200):
    choices = [
        u
        for u in units_tree()
        if not u.path.startswith(unit.path) and (u.active or u.id == unit.parent_id)
    ]
    return render_template(
        "admin/unit_edit.html", unit=unit, values=values, errors=errors, parents=choices
    ), status


@bp.route("/admin/units/<int:unit_id>/edit", methods=["GET", "POST"])
@allow(ADMIN)
def edit_unit(unit_id: int):
    unit = db.session.get(Unit, unit_id)
    if unit is None:
        abort(404)
    if request.method == "GET":
        values = {"name": unit.name, "parent": unit.parent.code if unit.parent else ""}
        return _edit_unit_page(unit, values, [])
    values = {k: request.form.get(k, "")[:100] for k in ("name", "parent")}
    try:
        operations.update_unit(unit.code, values["name"], values["parent"] or None)
    except AppError as exc:
        db.session.rollback()
        details = [m for v in exc.details.values() if isinstance(v, list) for m in v]
        return _edit_unit_page(unit, values, details or [exc.message], 422)
    flash(f"已保存单位 {unit.name}", "success")
    return redirect(url_for("admin.units"))
