"""Web login and logout."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_login import login_user, logout_user
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length, Regexp

from riskctl.accounts import operations
from riskctl.core import audit
from riskctl.core.auth.policy import ALL_ROLES, allow, current_actor, public

bp = Blueprint("accounts", __name__)


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
        user = operations.authenticate(
            form.username.data.strip(), form.password.data, request.remote_addr or ""
        )
        if user is not None:
            session.clear()  # a fresh session on login (no fixation)
            login_user(user)
            return redirect(_safe_next(request.args.get("next")))
        flash("用户名或密码错误", "error")
    elif form.errors:
        return render_template("login.html", form=form), 422
    return render_template("login.html", form=form)


@bp.route("/logout", methods=["POST"])
@allow(*ALL_ROLES)
def logout():
    actor = current_actor()
    audit.record("logout", "user", actor.username)
    logout_user()
    session.clear()
    return redirect(url_for("accounts.login"))
