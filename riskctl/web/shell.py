"""The web shell: navigation by role and home-page cards, from what modules contribute
(:mod:`riskctl.core.contributions`)."""

from __future__ import annotations

from flask import Flask, request, url_for

from riskctl.accounts.roles import ROLE_LABELS
from riskctl.core import contributions
from riskctl.core.auth.policy import current_actor, policy_of
from riskctl.core.listing import clear_url, list_url

# The public portal's menu (every public page shares it).
PUBLIC_NAV = (
    ("/public", "公开首页"),
    ("/public/draws", "双随机抽取公示"),
    ("/public/inspections", "抽查结果公示"),
    ("/public/leniency", "首违不罚公示"),
    ("/public/draws/spec", "核验指南"),
    ("/public/audit", "审计锚点"),
)
# Pages that are a root themselves: no trail above them.
ROOTS = frozenset({"web.home", "web.public_home", "accounts.login"})


def nav_for(role: str | None) -> list[dict]:
    """Menu entries the role may open: read from each endpoint's own policy."""
    items = []
    for item in contributions.nav_items():
        policy = policy_of(item.endpoint)
        if policy is not None and policy.allows(role):
            items.append(
                {"label": item.label, "url": url_for(item.endpoint), "endpoint": item.endpoint}
            )
    return items


def cards_for(user) -> list[dict]:
    """The role's home tiles; a tile whose list the role may not open is not shown.

    ``compute(user)`` returns ``(value, endpoint)`` or ``(value, endpoint, tone)``; the
    endpoint may be ``(endpoint, {query arguments})`` to open a filtered list.
    """
    cards = []
    for card in contributions.home_cards():
        result = card.compute(user)
        if result is None:
            continue
        value, target, *tone = result
        endpoint, arguments = target if isinstance(target, tuple) else (target, {})
        if endpoint:
            policy = policy_of(endpoint)
            if policy is None or not policy.allows(user.role):
                continue  # it would lead to a 403
        cards.append(
            {
                "label": card.label,
                "value": value,
                "url": url_for(endpoint, **arguments) if endpoint else None,
                "tone": tone[0] if tone else None,
            }
        )
    return cards


def _under(path: str, url: str) -> bool:
    return path == url or path.startswith(url.rstrip("/") + "/")


def public_section(path: str) -> str | None:
    """The public menu entry a public page belongs to (the longest matching URL)."""
    matches = [url for url, _ in PUBLIC_NAV[1:] if _under(path, url)]
    return max(matches, key=len) if matches else None


def breadcrumbs(menu: list[dict], extra: list | None = None) -> list[tuple[str, str | None]]:
    """The trail above this page: 首页 (or 公开信息), its menu section, what the page adds.

    ``extra`` (a template's ``crumbs``) lists (label, url) pairs between the section and
    the page itself; the page's own title ends the trail (rendered by the layout).
    """
    if request.endpoint in ROOTS or request.endpoint is None:
        return []
    path = request.path
    if path.startswith("/public") or current_actor() is None:
        trail: list[tuple[str, str | None]] = [("公开信息", "/public")]
        section = public_section(path)
        if section and section != path:
            trail.append((dict(PUBLIC_NAV)[section], section))
    else:
        trail = [("首页", url_for("web.home"))]
        sections = [item for item in menu if _under(path, item["url"])]
        if sections:
            item = max(sections, key=lambda i: len(i["url"]))
            if item["url"] != path:
                trail.append((item["label"], item["url"]))
    trail.extend((label, url) for label, url in extra or [] if (label, url) not in trail)
    return trail


def install(app: Flask) -> None:
    app.jinja_env.globals.update(
        list_url=list_url, clear_url=clear_url, breadcrumbs=breadcrumbs, public_nav=PUBLIC_NAV
    )

    @app.context_processor
    def _shell() -> dict:
        user = current_actor()
        role = user.role if user else None
        return {
            "nav": nav_for(role),
            "actor": user,
            "role_label": ROLE_LABELS.get(role or "", ""),
            "bureau_name": app.config["BUREAU_NAME"],
        }
