"""WSGI entry point: ``gunicorn wsgi:app`` and ``flask --app wsgi …``."""

from riskctl import create_app

app = create_app()
