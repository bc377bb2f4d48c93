"""The web shell: navigation by role and home-page cards, from what modules contribute
(:mod:`riskctl.core.contributions`)."""

from __future__ import annotations

from flask import Flask, url_for

from riskctl.accounts.roles import ROLE_LABELS
from riskctl.core import contributions
from riskctl.core.auth.policy import current_actor, policy_of


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


def install(app: Flask) -> None:
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
