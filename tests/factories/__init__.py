"""Test data builders, one module per domain (``tests.factories.<domain>``).

Each builder writes through the module's operations where they exist, or straight to
its tables with only the columns a test reads set to meaningful values, and commits so
that requests (their own session) see the rows. The accounts builders are re-exported
here: ``from tests.factories import PASSWORD, make_bureau``.
"""

from tests.factories.accounts import (
    PASSWORD,
    ROLE_UNITS,
    UNITS,
    ApiClient,
    Bureau,
    make_bureau,
    make_unit,
    make_user,
)

__all__ = [
    "PASSWORD",
    "ROLE_UNITS",
    "UNITS",
    "ApiClient",
    "Bureau",
    "make_bureau",
    "make_unit",
    "make_user",
]
