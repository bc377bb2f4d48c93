"""The web shell: navigation by role and home-page cards that modules contribute."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask, url_for

from riskctl.core.auth.policy import ROLE_LABELS, current_actor, policy_of


@dataclass(frozen=True)
class NavItem:
    label: str
    endpoint: str
    order: int


@dataclass(frozen=True)
class HomeCard:
    """A figure on the home page.

    ``compute(user)`` returns None (not for this user) or ``(value, endpoint or None)``,
    optionally with a third element, the tone: "red", "yellow" or "green".
    """

    label: str
    compute: Callable
    order: int


_NAV: list[NavItem] = []
_CARDS: list[HomeCard] = []


def register_nav(label: str, endpoint: str, order: int = 50) -> None:
    if all(item.endpoint != endpoint for item in _NAV):
        _NAV.append(NavItem(label, endpoint, order))


def register_card(label: str, compute: Callable, order: int = 50) -> None:
    if all(card.label != label for card in _CARDS):
        _CARDS.append(HomeCard(label, compute, order))


def nav_for(role: str | None) -> list[dict]:
    """Menu entries the role may open: read from each endpoint's own policy."""
    items = []
    for item in sorted(_NAV, key=lambda i: i.order):
        policy = policy_of(item.endpoint)
        if policy is not None and policy.allows(role):
            items.append(
                {"label": item.label, "url": url_for(item.endpoint), "endpoint": item.endpoint}
            )
    return items


def cards_for(user) -> list[dict]:
    cards = []
    for card in sorted(_CARDS, key=lambda c: c.order):
        result = card.compute(user)
        if result is not None:
            value, endpoint, *tone = result
            cards.append(
                {
                    "label": card.label,
                    "value": value,
                    "url": url_for(endpoint) if endpoint else None,
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
