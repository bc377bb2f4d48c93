"""Public pages (一公开), no login: every draw with its verification data."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from marshmallow import ValidationError
from sqlalchemy import func

from riskctl.core.auth.policy import public
from riskctl.core.errors import NotFound
from riskctl.core.listing import Listing, listing, listing_of
from riskctl.core.schema import BaseSchema
from riskctl.draws import queries
from riskctl.draws.api import json_document
from riskctl.draws.models import KINDS, Draw, DrawManifest, DrawSelection
from riskctl.draws.publication import (
    approver_name,
    manifest_url,
    published,
    published_results,
    subject_page,
)
from riskctl.draws.schemas import IndexFilterSchema, PublishedDrawSchema, SelectionFilterSchema

bp = Blueprint("draws", __name__, url_prefix="/public/draws", template_folder="templates")


def _filters(schema: BaseSchema) -> tuple[dict, dict]:
    """Query-string filters and their problems (shown beside the form, never a 500)."""
    try:
        return schema.load(request.args.to_dict()), {}
    except ValidationError as exc:
        return {name: "" for name in schema.fields}, exc.normalized_messages()


def _rounds_table(every: list[Draw]) -> Listing:
    """A manifest's rounds as their own table (``?rounds_sort=&rounds_page=``), first first."""
    return listing_of(
        every,
        {"round": lambda d: d.round, "id": lambda d: d.id, "drawn": lambda d: d.drawn_at},
        "round",
        prefix="rounds_",
        per_page=20,
    )


@bp.get("")
@public
def index():
    filters, problems = _filters(IndexFilterSchema())
    lst = listing(
        queries.draws_query(filters["kind"], filters["q"]),
        {
            "id": Draw.id,
            "kind": DrawManifest.kind,
            "subject": DrawManifest.subject,
            "round": Draw.round,
            "drawn": Draw.drawn_at,
            "selected": Draw.selected_count,
        },
        "-drawn",
    )
    return render_template(
        "draws/index.html",
        lst=lst,
        draws=lst.items,
        latest=queries.latest_rounds([d.manifest_id for d in lst.items]),
        pending=listing(
            queries.pending_manifests(filters["kind"], filters["q"]),
            {
                "id": DrawManifest.id,
                "kind": DrawManifest.kind,
                "subject": DrawManifest.subject,
                "locked": DrawManifest.locked_at,
                "targets": DrawManifest.target_count,
            },
            "-locked",
            prefix="pending_",
            per_page=20,
        ),
        kinds=KINDS,
        problems=problems,
    )


@bp.get("/<int:draw_id>")
@public
def show(draw_id: int):
    draw = queries.get_draw(draw_id)
    filters, problems = _filters(SelectionFilterSchema())
    lst = listing(
        queries.selection_query(draw, **filters),
        {
            "position": DrawSelection.position,
            # A masked target sorts by its public label only, never by the hidden id.
            "target": func.coalesce(DrawSelection.public_label, DrawSelection.target_id),
            "stratum": DrawSelection.stratum,
            "key": DrawSelection.key,
        },
        "position",
        tiebreak=(DrawSelection.position,),
        rows=True,
    )
    every = queries.rounds(draw.manifest_id)
    strata = queries.strata(draw)
    return render_template(
        "draws/show.html",
        draw=draw,
        manifest=draw.manifest,
        lst=lst,
        rows=lst.items,
        strata=strata,
        stratum_names=queries.stratum_names(draw.manifest, [*strata, *draw.manifest.quotas]),
        problems=problems,
        rounds=_rounds_table(every),
        current=every[-1],
        previous=next((r for r in every if r.round == draw.round - 1), None),
        approver=approver_name(draw),
        results=published_results(draw),
        subject_url=subject_page(draw.manifest),
        manifest_url=manifest_url(draw),
    )


@bp.get("/<int:draw_id>.json")
@public
def show_json(draw_id: int):
    return json_document(PublishedDrawSchema().dump(published(queries.get_draw(draw_id))))


@bp.get("/<int:draw_id>/manifest.json")
@public
def public_manifest(draw_id: int):
    draw = queries.get_draw(draw_id)
    if not draw.manifest.public_manifest:
        raise NotFound(
            "本次抽取清单含有个人信息（个人身份证号），不公开全文；"
            "可核对公示的种子与结果摘要，或依申请向本局法制科申请核验"
        )
    return json_document(queries.manifest_document(draw), f"manifest-{draw.id}.json")


@bp.get("/manifests/<int:manifest_id>")
@public
def manifest(manifest_id: int):
    """A locked manifest: its digests are public before any entropy exists."""
    manifest = queries.get_manifest(manifest_id)
    every = queries.rounds(manifest.id)
    return render_template(
        "draws/manifest.html",
        manifest=manifest,
        stratum_names=queries.stratum_names(manifest, list(manifest.quotas)),
        rounds=_rounds_table(every),
        current=every[-1] if every else None,
        subject_url=subject_page(manifest),
    )


@bp.get("/spec")
@public
def spec():
    return render_template("draws/spec.html")
