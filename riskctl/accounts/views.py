"""Web login and logout, the user's own password and API tokens."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, Regexp

from riskctl.accounts import login as signin
from riskctl.accounts import operations, sessions
from riskctl.accounts.queries import TOKEN_SORTS, tokens_of
from riskctl.accounts.roles import ALL_ROLES
from riskctl.core.auth.policy import allow, public, require_actor
from riskctl.core.errors import AppError, TooManyRequests
from riskctl.core.listing import listing_of

bp = Blueprint("accounts", __name__, template_folder="templates")


# A name no user can have is refused here, before it is looked up or recorded: the
# attempt log holds names of at most 60 characters, as the users table does.
_PRINTABLE = Regexp(r"^[^\x00-\x1f\x7f]*$", message="含有不可见控制字符")


class LoginForm(FlaskForm):
    username = StringField(
        "用户名",
        validators=[
            DataRequired(message="请输入用户名"),
            Length(max=60, message="用户名不能超过 60 个字符"),
            _PRINTABLE,
        ],
    )
    password = PasswordField(
        "密码",
        validators=[
            DataRequired(message="请输入密码"),
            Length(max=200, message="密码不能超过 200 个字符"),
        ],
    )


class PasswordForm(FlaskForm):
    current_password = PasswordField(
        "当前密码",
        validators=[
            DataRequired(message="请输入当前密码"),
            Length(max=200, message="密码不能超过 200 个字符"),
        ],
    )
    password = PasswordField("新密码", validators=[DataRequired(message="请输入新密码")])
    confirm = PasswordField(
        "再次输入新密码",
        validators=[
            DataRequired(message="请再次输入新密码"),
            EqualTo("password", message="两次输入的新密码不一致"),
        ],
    )


def _safe_next(target: str | None) -> str:
    # Only same-site paths: never let ?next= send a user elsewhere.
    if target and target.startswith("/") and not urlsplit(target).netloc and "\\" not in target:
        return target
    return url_for("web.home")


@bp.route("/login", methods=["GET", "POST"])
@public
def login():
    form = LoginForm()
    if form.validate_on_submit():
        try:
            user = signin.authenticate(
                form.username.data.strip(), form.password.data, request.remote_addr or ""
            )
        except TooManyRequests as exc:
            flash(exc.message, "error")
            headers = {"Retry-After": str(exc.retry_after)} if exc.retry_after else {}
            return render_template("login.html", form=form), 429, headers
        if user is not None:
            sessions.start(user)
            if user.must_change_password:
                flash("管理员已重置您的密码，请先设置新密码", "error")
                return redirect(url_for("accounts.change_password"))
            return redirect(_safe_next(request.args.get("next")))
        flash("用户名或密码错误", "error")
    elif form.errors:
        return render_template("login.html", form=form), 422
    return render_template("login.html", form=form)


@bp.route("/logout", methods=["POST"])
@allow(*ALL_ROLES)
def logout():
    operations.sign_out(require_actor())
    sessions.end()
    return redirect(url_for("accounts.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@allow(*ALL_ROLES)
def change_password():
    user = require_actor()
    form = PasswordForm()
    if form.validate_on_submit():
        try:
            signin.change_password(user, form.current_password.data, form.password.data)
        except AppError as exc:
            if not any(name in form for name in exc.details):
                flash(exc.message, "error")
            for name, messages in exc.details.items():
                if name in form:
                    form[name].errors = [*form[name].errors, *messages]
            return render_template("accounts/password.html", form=form), exc.status
        sessions.start(user)  # this browser stays signed in under the new version
        flash("密码已修改；其他设备上的登录已全部失效", "success")
        return redirect(url_for("web.home"))
    return render_template("accounts/password.html", form=form)


@bp.get("/account/tokens")
@allow(*ALL_ROLES)
def tokens():
    rows = tokens_of(require_actor())
    revocable = {t.id for t in rows if t.usable}
    lst = listing_of(rows, TOKEN_SORTS, "-created")
    return render_template("accounts/tokens.html", lst=lst, tokens=lst.items, revocable=revocable)


@bp.post("/account/tokens/<int:token_id>/revoke")
@allow(*ALL_ROLES)
def revoke_token(token_id: int):
    user = require_actor()
    try:
        operations.revoke_token(token_id, user.username, owner=user)
    except AppError as exc:
        flash(exc.message, "error")
        return redirect(url_for("accounts.tokens"))
    flash(f"已吊销 API 令牌 {token_id}", "success")
    return redirect(url_for("accounts.tokens"))
