"""The floor of the API bench: a bare Flask app answering every path with an empty list.

Served by ``gunicorn -c gunicorn.conf.py bench.bare_app:app`` exactly like riskctl.
"""

from flask import Flask

app = Flask(__name__)


@app.get("/", defaults={"path": ""})
@app.get("/<path:path>")
def anything(path: str) -> dict:
    return {"items": [], "total": 0}
