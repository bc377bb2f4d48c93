"""Security headers on every response (等保 2.0: clickjacking, sniffing, injected script).

Pages load scripts and styles only from the service itself: no inline script,
event-handler attribute or style attribute runs (they live in ``web/static``).
A response may set its own value first (an attachment download, say): it is kept.
"""

from __future__ import annotations

from flask import Flask, Response

CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "font-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}

# Header names compare case-insensitively: one set of the response's names, one pass.
_KEYED = tuple((name.lower(), name, value) for name, value in HEADERS.items())


def install(app: Flask) -> None:
    @app.after_request
    def _security_headers(response: Response) -> Response:
        headers = response.headers
        present = {name.lower() for name, _ in headers}
        for key, name, value in _KEYED:
            if key not in present:
                headers.add(name, value)
        return response
