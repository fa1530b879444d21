"""Settings: read from MLC_ variables and an optional file; production needs a real secret."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from monnaie_locale.config import DEVELOPMENT_SECRET, Settings, load_settings
from monnaie_locale.payments import SigningKey

STRONG_SECRET = "k" * 40


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (
        "MLC_ENVIRONMENT",
        "MLC_SECRET_KEY",
        "MLC_DATABASE_URL",
        "MLC_DATABASE_READ_URL",
        "MLC_CURRENCY_CODE",
        "MLC_DEPLOYMENT_NAME",
        "MLC_PUBLIC_HOST",
    ):
        monkeypatch.delenv(name, raising=False)


def test_development_defaults_use_a_sqlite_file_under_var() -> None:
    settings = load_settings()
    assert settings.environment == "development"
    assert settings.database_url.startswith("sqlite:///./var/")
    assert settings.secret_key.get_secret_value() == DEVELOPMENT_SECRET


def test_environment_variables_with_the_prefix_are_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MLC_CURRENCY_CODE", "EUSKO")
    monkeypatch.setenv("MLC_DEPLOYMENT_NAME", "Euskal Moneta")
    settings = load_settings()
    assert settings.currency.code == "EUSKO"
    assert settings.deployment_name == "Euskal Moneta"


def test_a_settings_file_is_read_and_the_environment_wins_over_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    env_file = tmp_path / "mlc.env"
    env_file.write_text("MLC_CURRENCY_CODE=LEMAN\nMLC_DEPLOYMENT_NAME=from the file\n")
    monkeypatch.setenv("MLC_DEPLOYMENT_NAME", "from the environment")
    settings = load_settings(env_file)
    assert settings.currency_code == "LEMAN"
    assert settings.deployment_name == "from the environment"


def test_a_missing_settings_file_is_an_error_not_silently_ignored(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        load_settings(tmp_path / "absent.env")


def test_production_refuses_the_development_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MLC_ENVIRONMENT", "production")
    with pytest.raises(ValidationError, match="development default"):
        load_settings()


def test_production_refuses_a_short_secret() -> None:
    with pytest.raises(ValidationError, match="at least 32"):
        Settings(environment="production", secret_key="short-secret")


def test_production_starts_with_a_long_random_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MLC_ENVIRONMENT", "production")
    monkeypatch.setenv("MLC_SECRET_KEY", STRONG_SECRET)
    # Production also needs the key that signs payment codes.
    monkeypatch.setenv("MLC_SIGNING_KEY_PEM", SigningKey.generate().to_pem().decode())
    monkeypatch.setenv("MLC_PUBLIC_HOST", "pay.eusko.example")
    settings = load_settings()
    assert settings.is_production
    assert settings.secret_key.get_secret_value() == STRONG_SECRET


def production(**changes: object) -> Settings:
    """Production settings complete but for ``changes``."""
    values: dict[str, object] = {
        "environment": "production",
        "secret_key": STRONG_SECRET,
        "signing_key_pem": SigningKey.generate().to_pem().decode(),
        "public_host": "pay.eusko.example",
    }
    return Settings.model_validate({**values, **changes})


@pytest.mark.parametrize(
    "host",
    ["localhost", "LOCALHOST:8443", "till.localhost", "127.0.0.1", "127.1.2.3:8000", "0.0.0.0"],
)
def test_production_refuses_a_public_host_no_phone_can_reach(host: str) -> None:
    with pytest.raises(ValidationError, match="MLC_PUBLIC_HOST"):
        production(public_host=host)


def test_production_refuses_to_start_without_a_public_host(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("MLC_ENVIRONMENT", "production")
    monkeypatch.setenv("MLC_SECRET_KEY", STRONG_SECRET)
    monkeypatch.setenv("MLC_SIGNING_KEY_PEM", SigningKey.generate().to_pem().decode())
    with pytest.raises(ValidationError, match="MLC_PUBLIC_HOST"):
        load_settings()


@pytest.mark.parametrize("host", ["pay.eusko.example", "leman.example:8443", "203.0.113.7"])
def test_production_accepts_a_public_host_phones_reach(host: str) -> None:
    assert production(public_host=host).public_host == host


def test_development_keeps_localhost_as_the_public_host() -> None:
    assert load_settings().public_host == "localhost"


def test_the_secret_is_hidden_from_the_settings_text() -> None:
    settings = Settings(secret_key=STRONG_SECRET)
    assert STRONG_SECRET not in repr(settings)


@pytest.mark.parametrize("field", ["environment", "currency_code"])
def test_invalid_values_are_refused(field: str) -> None:
    with pytest.raises(ValidationError):
        Settings.model_validate({field: "not valid"})


def test_a_misspelt_setting_in_the_file_is_refused(tmp_path: Path) -> None:
    env_file = tmp_path / "mlc.env"
    env_file.write_text("MLC_DEPLOYMNT_NAME=typo\n")
    with pytest.raises(ValueError, match="MLC_DEPLOYMNT_NAME"):
        load_settings(env_file)


def test_other_programs_variables_in_the_file_are_ignored(tmp_path: Path) -> None:
    env_file = tmp_path / "shared.env"
    env_file.write_text("POSTGRES_PASSWORD=x\nMLC_DEPLOYMENT_NAME=Le Léman\n")
    assert load_settings(env_file).deployment_name == "Le Léman"


def test_the_production_example_file_names_every_setting_production_requires() -> None:
    example = Path(__file__).resolve().parents[2] / "deploy" / "production.env.example"
    settings = load_settings(example)
    assert settings.is_production
    assert settings.public_host == "pay.eusko.example"


def test_the_deployment_s_time_zone_defaults_to_paris_and_is_read_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert str(load_settings().zone) == "Europe/Paris"
    monkeypatch.setenv("MLC_TIME_ZONE", "America/Guadeloupe")
    assert str(load_settings().zone) == "America/Guadeloupe"


@pytest.mark.parametrize("name", ["Mars/Olympus", "UTC+2", "../etc/passwd", ""])
def test_an_unknown_time_zone_is_refused_at_start_up(
    monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    monkeypatch.setenv("MLC_TIME_ZONE", name)
    with pytest.raises(ValidationError, match="MLC_TIME_ZONE"):
        load_settings()


def test_a_read_url_is_a_postgresql_standby_of_a_postgresql_database() -> None:
    assert load_settings().database_read_url is None
    primary = "postgresql://ledger@10.0.0.1/ledger"
    standby = "postgresql://ledger@10.0.0.2/ledger"
    settings = Settings(database_url=primary, database_read_url=standby)
    assert settings.database_read_url == standby
    with pytest.raises(ValidationError, match="MLC_DATABASE_READ_URL"):
        Settings(database_url="sqlite:///ledger.db", database_read_url=standby)


@pytest.mark.parametrize(
    ("asked", "on_sqlite", "on_postgres"),
    [(None, True, True), (True, True, True), (False, False, False)],
)
def test_group_commit_is_on_by_default_and_the_deployment_s_choice_otherwise(
    tmp_path: Path, asked: bool | None, on_sqlite: bool, on_postgres: bool
) -> None:
    from api.app import open_database
    from tests.conftest import POSTGRES_URL

    for url, expected in (
        (f"sqlite:///{tmp_path / 'ledger.db'}", on_sqlite),
        (POSTGRES_URL, on_postgres),
    ):
        database = open_database(Settings(database_url=url, group_commit=asked))
        try:
            assert (database.committer is not None) is expected, url
        finally:
            database.dispose()
