"""Static files under versioned URLs: kept a year under their digest, revalidated else."""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path

from riskctl.core import assets


def _linked(page: str) -> dict[str, str]:
    """``{path: v}`` of the page's stylesheets and scripts."""
    return dict(re.findall(r'(?:href|src)="(/static/[^"?]+)\?v=([0-9a-f]+)"', page))


def test_a_page_links_its_files_under_their_digest_and_they_are_kept_a_year(app, client):
    linked = _linked(client.get("/public").get_data(as_text=True))
    assert {"/static/style.css", "/static/js/app.js"} <= set(linked)
    for path, version in linked.items():
        content = (Path(app.static_folder) / path.removeprefix("/static/")).read_bytes()
        assert version == hashlib.sha256(content).hexdigest()[:12]
        kept = client.get(f"{path}?v={version}")
        assert kept.status_code == 200 and kept.data == content
        assert kept.cache_control.max_age == assets.YEAR and kept.cache_control.public
        for other in (path, f"{path}?v=000000000000"):  # no version, or an old one
            answer = client.get(other)
            assert answer.status_code == 200 and answer.cache_control.max_age is None
            assert answer.headers["ETag"]  # revalidated, as Flask does by default
            answer.close()
        kept.close()


def test_the_digest_follows_the_file(tmp_path):
    path = tmp_path / "a.css"
    path.write_text("body { color: red }")
    first = assets.digest(path)
    assert first == assets.digest(path)
    path.write_text("body { color: blue }")  # same size
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 1_000_000))
    assert assets.digest(path) != first


def test_a_path_out_of_the_static_folder_is_never_read(app, client):
    assert assets._static_file(app, "../__init__.py") is None
    assert assets._static_file(app, "style.css") is not None
    for path in ("/static/../__init__.py?v=x", "/static/%2e%2e/__init__.py?v=x"):
        assert client.get(path).status_code == 404
