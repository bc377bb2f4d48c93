"""Pages of the 免罚清单: the list, an item with its versions, the .xlsx import with preview."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from sqlalchemy import select

from riskctl.accounts.roles import LEGAL
from riskctl.core.auth.policy import allow, require_actor
from riskctl.core.errors import NotFound
from riskctl.core.listing import listing
from riskctl.core.storage import staging
from riskctl.core.tabular.problems import ImportProblems
from riskctl.leniency import queries
from riskctl.leniency.api import READERS, xlsx_response
from riskctl.leniency.items import operations as items
from riskctl.leniency.items.preview import full_preview, preview_of
from riskctl.leniency.items.schemas import LeniencyItemChangeIn, LeniencyItemIn
from riskctl.leniency.models import LeniencyItem, LeniencyItemVersion
from riskctl.leniency.pages import Failure, submit

bp = Blueprint(
    "leniency_items", __name__, url_prefix="/leniency/items", template_folder="../templates"
)

_PURPOSE = "leniency-items"

staging.register_purpose(
    _PURPOSE,
    "免罚清单",
    (LEGAL,),
    "leniency_items.import_page",
    preview=full_preview,
    labels=("事项编号", "违法行为"),
)


@bp.get("")
@allow(*READERS)
def index(failure: Failure | None = None):
    page = render_template(
        "leniency/items.html",
        lst=(
            lst := listing(
                queries.items_query(),
                {
                    "code": LeniencyItem.code,
                    "name": LeniencyItem.name,
                    "active": LeniencyItem.active,
                    "version": LeniencyItem.version,
                },
                "code",
            )
        ),
        items=lst.items,
        failure=failure,
        form=request.form if failure else {},
    )
    return page, failure.status if failure else 200


@bp.post("")
@allow(LEGAL)
def create():
    item, failure = submit(LeniencyItemIn(), lambda data: items.create_item(data, require_actor()))
    if failure is not None:
        return index(failure)
    flash(f"已新增事项 {item.code}", "success")
    return redirect(url_for("leniency_items.item", code=item.code))


@bp.get("/<code>")
@allow(*READERS)
def item(code: str, failure: Failure | None = None):
    found = queries.get_item(code)
    versions = listing(  # its own table: ?versions_page=, ?versions_sort=
        select(LeniencyItemVersion).where(LeniencyItemVersion.item_id == found.id),
        {
            "version": LeniencyItemVersion.version,
            "active": LeniencyItemVersion.active,
            "by": LeniencyItemVersion.changed_by,
        },
        "-version",
        prefix="versions_",
        per_page=20,
    )
    page = render_template(
        "leniency/item.html",
        item=found,
        versions=versions,
        failure=failure,
        form=request.form if failure else {},
    )
    return page, failure.status if failure else 200


@bp.post("/<code>")
@allow(LEGAL)
def change(code: str):
    target = queries.get_item(code)
    # An unticked checkbox sends nothing: the form always states whether the item is active.
    active = {"active": bool(request.form.get("active"))}
    _, failure = submit(
        LeniencyItemChangeIn(),
        lambda d: items.change_item(target, d, require_actor()),
        extra=active,
    )
    if failure is not None:
        return item(code, failure)
    flash(f"事项 {code} 已更新为第 {target.version} 版", "success")
    return redirect(url_for("leniency_items.item", code=code))


@bp.get("/export.xlsx")
@allow(*READERS)
def export():
    return xlsx_response(items.export_items(), "leniency-items.xlsx")


# Import: upload → preview (problems or changes) → confirm ----------------------------------


def _problems(exc: ImportProblems, filename: str):
    return render_template(
        "leniency/import.html", problems=exc.problems, message=exc.message, filename=filename
    ), 422


def _previewed(plan: list, token: str | None, filename: str, preview=None):
    return render_template(
        "leniency/import.html",
        plan=plan,
        preview=preview or preview_of(plan),
        token=token,
        filename=filename,
    )


@bp.route("/import", methods=["GET", "POST"])
@allow(LEGAL)
def import_page():
    if request.method == "GET":
        token = request.args.get("staged")
        if not token:
            return render_template("leniency/import.html")
        try:
            content, filename = staging.fetch(token, _PURPOSE, require_actor())
        except NotFound as exc:
            flash(exc.message, "error")
            return redirect(url_for("leniency_items.import_page"))
        try:
            return _previewed(items.plan_import(content, filename), token, filename)
        except ImportProblems as exc:
            return _problems(exc, filename)
    file = request.files.get("file")
    if file is None or not file.filename:
        return render_template("leniency/import.html", message="请选择要导入的 .xlsx 文件"), 422
    content = file.read()
    try:
        plan = items.plan_import(content, file.filename)
    except ImportProblems as exc:
        return _problems(exc, file.filename)
    preview = preview_of(plan)
    token = None
    if not preview.empty:  # a file that changes nothing waits for no one
        token = staging.stage(
            _PURPOSE, content, file.filename, require_actor().id, preview.summary()
        )
    return _previewed(plan, token, file.filename, preview)


@bp.post("/import/confirm")
@allow(LEGAL)
def import_confirm():
    token = request.form.get("token", "")
    try:
        content, filename = staging.fetch(token, _PURPOSE, require_actor())
    except NotFound:
        return render_template(
            "leniency/import.html", message="预览已失效或已处理，请重新选择文件导入"
        ), 422
    try:
        plan = items.plan_import(content, filename)
    except ImportProblems as exc:
        return _problems(exc, filename)
    counts = items.apply_import(plan, require_actor())
    staging.consume(token, _PURPOSE, require_actor())
    flash(
        f"导入完成：新增 {counts['create']} 项，修改 {counts['change']} 项，"
        f"无变化 {counts['same']} 项",
        "success",
    )
    return redirect(url_for("leniency_items.index"))
