"""Configuration comes from the environment; production refuses to start without secrets."""

from __future__ import annotations

import pytest

from riskctl import create_app
from riskctl.config import ConfigError


def test_production_without_a_secret_key_does_not_start(monkeypatch, tmp_path):
    monkeypatch.setenv("RISKCTL_ENV", "production")
    monkeypatch.delenv("RISKCTL_SECRET_KEY", raising=False)
    monkeypatch.setenv("RISKCTL_PII_KEY", "k")
    with pytest.raises(ConfigError, match="RISKCTL_SECRET_KEY"):
        create_app({"INSTANCE_PATH": str(tmp_path)})


def test_production_takes_secrets_from_the_environment_and_secures_cookies(monkeypatch, tmp_path):
    monkeypatch.setenv("RISKCTL_ENV", "production")
    monkeypatch.setenv("RISKCTL_SECRET_KEY", "from-the-environment")
    monkeypatch.setenv("RISKCTL_PII_KEY", "pii-from-the-environment")
    monkeypatch.setenv("RISKCTL_DATABASE_URL", f"sqlite:///{tmp_path}/x.sqlite3")
    app = create_app({"INSTANCE_PATH": str(tmp_path)})
    assert app.config["SECRET_KEY"] == "from-the-environment"
    assert app.config["PII_KEY"] == "pii-from-the-environment"
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path}/x.sqlite3"
    assert not (tmp_path / "secret-key").exists()


def test_development_generates_a_secret_once_and_keeps_it(monkeypatch, tmp_path):
    monkeypatch.delenv("RISKCTL_ENV", raising=False)
    monkeypatch.delenv("RISKCTL_SECRET_KEY", raising=False)
    first = create_app({"INSTANCE_PATH": str(tmp_path)}).config["SECRET_KEY"]
    second = create_app({"INSTANCE_PATH": str(tmp_path)}).config["SECRET_KEY"]
    assert first == second and len(first) == 64
    assert oct((tmp_path / "secret-key").stat().st_mode & 0o777) == "0o600"
    assert create_app({"INSTANCE_PATH": str(tmp_path)}).config["SQLALCHEMY_DATABASE_URI"] == (
        f"sqlite:///{tmp_path / 'riskctl.sqlite3'}"
    )


def test_production_hashes_passwords_with_scrypt_and_refuses_a_cheaper_method(
    monkeypatch, tmp_path
):
    monkeypatch.setenv("RISKCTL_ENV", "production")
    monkeypatch.setenv("RISKCTL_SECRET_KEY", "k1")
    monkeypatch.setenv("RISKCTL_PII_KEY", "k2")
    monkeypatch.setenv("RISKCTL_DATABASE_URL", f"sqlite:///{tmp_path}/x.sqlite3")
    app = create_app({"INSTANCE_PATH": str(tmp_path)})
    assert app.config["PASSWORD_HASH_METHOD"] == "scrypt"
    with app.app_context():
        from riskctl.accounts.operations import _hash_password

        assert _hash_password("a-long-password-9").startswith("scrypt:")
    with pytest.raises(ConfigError, match="scrypt"):
        create_app({"INSTANCE_PATH": str(tmp_path), "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1"})


def test_production_without_an_audit_key_does_not_start(monkeypatch, tmp_path):
    monkeypatch.setenv("RISKCTL_ENV", "production")
    monkeypatch.setenv("RISKCTL_SECRET_KEY", "k1")
    monkeypatch.setenv("RISKCTL_PII_KEY", "k2")
    monkeypatch.delenv("RISKCTL_AUDIT_KEY", raising=False)
    with pytest.raises(ConfigError, match="RISKCTL_AUDIT_KEY"):
        create_app({"INSTANCE_PATH": str(tmp_path)})
    assert not (tmp_path / "audit-key").exists()


def test_development_generates_the_audit_key_into_instance(monkeypatch, tmp_path):
    monkeypatch.delenv("RISKCTL_ENV", raising=False)
    monkeypatch.delenv("RISKCTL_AUDIT_KEY", raising=False)
    key = create_app({"INSTANCE_PATH": str(tmp_path)}).config["AUDIT_KEY"]
    assert key == (tmp_path / "audit-key").read_text() and len(key) == 64
    assert create_app({"INSTANCE_PATH": str(tmp_path)}).config["AUDIT_KEY"] == key
