"""What each module contributes to the shell: menu entries, home-page cards, demo loaders.

A module's ``register(app)`` calls :func:`register_nav`, :func:`register_card` and
:func:`register_demo`; the web layer (``riskctl.web``) reads them back to draw the menu
and the home page and to run ``flask demo``. Kept in core so that the domain modules
need nothing from the layer above them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


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
_LOADERS: list[tuple[int, str, Callable[[], str | None]]] = []
_NAMERS: dict[str, Callable] = {}


def register_nav(label: str, endpoint: str, order: int = 50) -> None:
    if all(item.endpoint != endpoint for item in _NAV):
        _NAV.append(NavItem(label, endpoint, order))


def register_card(label: str, compute: Callable, order: int = 50) -> None:
    if all(card.label != label for card in _CARDS):
        _CARDS.append(HomeCard(label, compute, order))


def register_demo(order: int, name: str, loader: Callable[[], str | None]) -> None:
    """``loader()`` adds a module's demo records unless they exist; returns a line to print."""
    if all(existing != name for _, existing, _ in _LOADERS):
        _LOADERS.append((order, name, loader))


def register_namer(kind: str, namer: Callable) -> None:
    """How a module names its objects for pages of other modules (audit log, ledger sources).

    ``namer``'s signature belongs to ``kind``: see its callers. A module that reads a name
    looks it up with :func:`namer` and does without when the owning module is not loaded.
    """
    _NAMERS.setdefault(kind, namer)


def namer(kind: str) -> Callable | None:
    return _NAMERS.get(kind)


def nav_items() -> list[NavItem]:
    return sorted(_NAV, key=lambda i: i.order)


def home_cards() -> list[HomeCard]:
    return sorted(_CARDS, key=lambda c: c.order)


def demo_loaders() -> list[tuple[int, str, Callable[[], str | None]]]:
    return sorted(_LOADERS)
