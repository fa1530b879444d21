"""The service's settings: one object, read once at start-up and passed down.

Values come from ``MLC_``-prefixed environment variables and, optionally, a dotenv-style
file (environment variables win). Nothing here is read at import time: call
:func:`load_settings` where the process starts. In production the service refuses to
start with the development secret, or with one too short to resist guessing, and with a
public host no phone can reach: every QR code and printed sheet, valid for years, carries
that host.
"""

from __future__ import annotations

import ipaddress
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo

from dotenv import dotenv_values
from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from monnaie_locale.clock import DEFAULT_TIME_ZONE, zone_named
from monnaie_locale.money import Currency
from monnaie_locale.siren import siren_is_valid

__all__ = ["DEVELOPMENT_SECRET", "MIN_SECRET_LENGTH", "Settings", "load_settings"]

# Deliberately recognisable, so it can be refused outside development.
DEVELOPMENT_SECRET = "development-only-secret-change-me"
MIN_SECRET_LENGTH = 32


class Settings(BaseSettings):
    """Everything a deployment configures, validated as a whole."""

    # Other programs' variables may share the environment or the file: they are ignored,
    # but a misspelt MLC_ name in the file is refused by load_settings.
    model_config = SettingsConfigDict(env_prefix="MLC_", extra="ignore", frozen=True)

    database_url: str = "sqlite:///./var/monnaie-locale.db"
    # A streaming standby of database_url (PostgreSQL): reports and exports read there,
    # everything else from database_url (see monnaie_locale.store.database). Unset: all
    # reads go to database_url.
    database_read_url: str | None = None
    # Where the tills' live pages LISTEN for payments, on PostgreSQL: a direct connection
    # to the server, for when MLC_DATABASE_URL goes through a pool in transaction mode
    # (PgBouncer), which cannot keep a LISTEN. Unset: MLC_DATABASE_URL.
    database_listen_url: str | None = None
    # Concurrent writes sharing one transaction and one commit, each in a savepoint (see
    # monnaie_locale.store.group_commit). Unset: on, for a SQLite file and on PostgreSQL
    # (bench/README.md says what it saves). False: a transaction per write.
    group_commit: bool | None = None
    environment: Literal["development", "production"] = "development"
    secret_key: SecretStr = SecretStr(DEVELOPMENT_SECRET)

    currency_code: str = "MLC"
    currency_name: str = "monnaie locale"
    currency_symbol: str = "Ml"
    deployment_name: str = "monnaie-locale"

    token_ttl_minutes: int = Field(default=12 * 60, ge=1, le=60 * 24 * 30)
    login_max_failures: int = Field(default=5, ge=1, le=100)
    lockout_minutes: int = Field(default=15, ge=1, le=24 * 60)
    login_attempts_per_minute: int = Field(default=30, ge=1, le=10_000)
    max_body_bytes: int = Field(default=64 * 1024, ge=1024, le=16 * 1024 * 1024)
    # Uploads: bank statements, the members' file of a membership tool.
    max_upload_bytes: int = Field(default=8 * 1024 * 1024, ge=1024, le=256 * 1024 * 1024)
    # Per caller (user or API key), on the routes that move money; generous on purpose.
    payment_attempts_per_minute: int = Field(default=1200, ge=1, le=10_000_000)
    # Per serving process: connections and requests at once, beyond which a request gets
    # 503 at once. Each till showing its live payments holds one connection all day.
    max_connections: int = Field(default=2048, ge=16, le=1_000_000)
    # The reverse proxies whose X-Forwarded-For names the client (addresses or networks,
    # JSON: MLC_TRUSTED_PROXIES='["10.0.0.2"]'). Empty: the header is ignored, whoever
    # sends it, the local host included, so the sign-in limit cannot be dodged with it.
    trusted_proxies: tuple[str, ...] = ()
    # Lets a scraper outside the host read /metrics (sent as a bearer credential).
    metrics_secret: SecretStr | None = None
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"

    # Lists and maps are JSON in the environment: MLC_OFFICES='["gare"]'.
    offices: tuple[str, ...] = ()
    # The currency's rules, from the bonus to the maximum balances: seeds only. ``mlc init``
    # records them as the first rules in the database (monnaie_locale.rules), in force from
    # that day; afterwards they are changed with ``mlc rules set`` and changing or unsetting
    # these variables has no effect. MLC_MEMBERSHIP_FEES='{"member": 1000}'.
    conversion_bonus_bps: int = Field(default=0, ge=0, le=10_000)
    reconversion_fees_bps: dict[str, int] = Field(
        default_factory=lambda: {"business": 500, "authority": 500, "member": 500}
    )
    members_may_reconvert: bool = False
    authorities_may_reconvert: bool = True
    # Account kind -> fee in minor units, paid per ``membership_period``.
    membership_fees: dict[str, int] = Field(default_factory=dict)
    membership_period: Literal["year", "month"] = "year"
    # Account kind -> the most an account of that kind may hold, in minor units; accounts
    # opened afterwards get it as their upper limit: MLC_MAX_BALANCES='{"member": 150000}'.
    max_balances: dict[str, int] = Field(default_factory=dict)
    association_name: str = "Association"
    # The deployment's one time zone (IANA): days shown, exported (statements, FEC, CSV)
    # and typed (--as-of 2026-10-31), and the cashier's refund day, are this zone's.
    time_zone: str = DEFAULT_TIME_ZONE
    reserve_iban: str | None = None
    reserve_bic: str | None = None
    # The association's SIREN (9 digits, Luhn key), which names its FEC file.
    siren: str | None = Field(default=None, pattern=r"^[0-9]{9}$")

    # The Ed25519 key that signs payment requests and receipts: a PKCS#8 PEM file, or the
    # PEM itself, encrypted when a passphrase is given. Development without one signs with
    # a key made at start-up, so its QR codes die with the process; production refuses.
    signing_key_file: Path | None = None
    signing_key_pem: SecretStr | None = None
    signing_key_passphrase: SecretStr | None = None
    # Keys retired by ``mlc keys rotate``: each *.pem file here (public, or private with the
    # same passphrase) still verifies what it signed; delete one to revoke its codes.
    signing_key_retired_dir: Path | None = None
    # Carried inside every QR code, so another currency's codes are told apart and refused.
    deployment_id: int = Field(default=1, ge=0, le=2**16 - 1)
    # The host name the QR codes point to (``HTTPS://<public_host>/R/...``); production
    # refuses the default, see _require_public_host_in_production. Passkeys are bound to
    # it too (monnaie_locale.auth.passkeys): changing it leaves them unusable.
    public_host: str = Field(
        default="localhost", max_length=24, pattern=r"^[A-Za-z0-9.-]+(:[0-9]+)?$"
    )
    # What one cashier (a sign-in or a terminal's key) may refund alone per day (in
    # time_zone), in minor units, all its refunds together; above it the owner refunds.
    cashier_refund_limit: int = Field(default=50_00, ge=0)
    webhook_poll_seconds: float = Field(default=5.0, gt=0, le=3600)
    # The scheduled jobs (see monnaie_locale.jobs): off, the service expires no hold,
    # seals nothing on PostgreSQL and sends no webhook by itself. Intervals in seconds
    # by job name override the defaults: MLC_JOB_INTERVALS='{"expire_holds": 30}'.
    jobs_enabled: bool = True
    job_intervals: dict[str, float] = Field(default_factory=dict)
    # Signed checkpoints of the journal (monnaie_locale.transparency.publishing): one
    # when the tree grew by this many entries since the last, or when the last is this
    # many minutes old and anything changed since. The job looks every minute.
    checkpoint_every_entries: int = Field(default=1000, ge=1, le=10_000_000)
    checkpoint_every_minutes: int = Field(default=60, ge=1, le=7 * 24 * 60)
    # Lets webhooks go to this machine (127.0.0.1, ::1), to try a receiver while developing.
    # Every other private address stays refused; production refuses the setting itself.
    webhook_allow_loopback: bool = False

    @model_validator(mode="after")
    def _check_read_url(self) -> Settings:
        read_url = self.database_read_url
        if read_url and not (
            self.database_url.startswith("postgresql") and read_url.startswith("postgresql")
        ):
            raise ValueError(
                "MLC_DATABASE_READ_URL names a PostgreSQL standby of a PostgreSQL "
                "MLC_DATABASE_URL: unset it on SQLite"
            )
        return self

    @model_validator(mode="after")
    def _check_siren(self) -> Settings:
        if self.siren is not None and not siren_is_valid(self.siren):
            raise ValueError(f"MLC_SIREN {self.siren!r} is not a SIREN: its Luhn key is wrong")
        return self

    @model_validator(mode="after")
    def _refuse_weak_secret_in_production(self) -> Settings:
        if self.environment != "production":
            return self
        secret = self.secret_key.get_secret_value()
        if secret == DEVELOPMENT_SECRET:
            raise ValueError(
                "MLC_SECRET_KEY is the development default; set a random secret of at least "
                f"{MIN_SECRET_LENGTH} characters before running in production"
            )
        if len(secret) < MIN_SECRET_LENGTH:
            raise ValueError(
                f"MLC_SECRET_KEY must be at least {MIN_SECRET_LENGTH} characters in production"
            )
        return self

    @model_validator(mode="after")
    def _require_signing_key_in_production(self) -> Settings:
        if self.environment != "production":
            return self
        if self.signing_key_file is None and self.signing_key_pem is None:
            raise ValueError(
                "set MLC_SIGNING_KEY_FILE (or MLC_SIGNING_KEY_PEM) to the Ed25519 key that "
                "signs payment codes before running in production"
            )
        return self

    @model_validator(mode="after")
    def _refuse_loopback_webhooks_in_production(self) -> Settings:
        if self.environment == "production" and self.webhook_allow_loopback:
            raise ValueError(
                "MLC_WEBHOOK_ALLOW_LOOPBACK is for development: in production a webhook "
                "posting to this machine would reach its private services"
            )
        return self

    @model_validator(mode="after")
    def _require_public_host_in_production(self) -> Settings:
        if self.environment == "production" and not _reachable_from_outside(self.public_host):
            raise ValueError(
                f"MLC_PUBLIC_HOST is {self.public_host!r}: set it to the host name payers' "
                "phones reach the service by (pay.eusko.example), before running in "
                "production; every QR code and printed sheet carries it"
            )
        return self

    @model_validator(mode="after")
    def _check_job_intervals(self) -> Settings:
        for name, seconds in self.job_intervals.items():
            if not 0 < seconds <= 24 * 3600:
                raise ValueError(
                    f"MLC_JOB_INTERVALS: {name} every {seconds} s; give between 0 and 86400"
                )
        return self

    @model_validator(mode="after")
    def _check_trusted_proxies(self) -> Settings:
        for proxy in self.trusted_proxies:
            try:
                ipaddress.ip_network(proxy, strict=False)
            except ValueError as exc:
                raise ValueError(
                    f"MLC_TRUSTED_PROXIES: {proxy!r} is not an IP address or network"
                ) from exc
        return self

    @model_validator(mode="after")
    def _check_time_zone(self) -> Settings:
        self.zone  # noqa: B018 - reads the zone, which refuses an unknown name
        return self

    @model_validator(mode="after")
    def _check_currency(self) -> Settings:
        self.currency  # noqa: B018 - builds the Currency, which validates the code
        return self

    @property
    def currency(self) -> Currency:
        """The deployment's local unit."""
        return Currency(
            code=self.currency_code, name=self.currency_name, symbol=self.currency_symbol
        )

    @property
    def zone(self) -> ZoneInfo:
        """The deployment's time zone (MLC_TIME_ZONE)."""
        try:
            return zone_named(self.time_zone)
        except ValueError as exc:
            raise ValueError(f"MLC_TIME_ZONE: {exc}") from None

    @property
    def is_production(self) -> bool:
        return self.environment == "production"


def _reachable_from_outside(host: str) -> bool:
    """False for a host only this machine answers to: localhost, a loopback address, 0.0.0.0."""
    name = host.rsplit(":", 1)[0].lower().rstrip(".")
    if name == "localhost" or name.endswith(".localhost"):  # RFC 6761, section 6.3
        return False
    try:
        address = ipaddress.ip_address(name)
    except ValueError:
        return bool(name)
    return not (address.is_loopback or address.is_unspecified)


def load_settings(env_file: Path | None = None) -> Settings:
    """Read the settings from the environment and, if given, from ``env_file``."""
    if env_file is not None:
        _check_file(env_file)
    return Settings(_env_file=env_file)


def _check_file(env_file: Path) -> None:
    if not env_file.is_file():
        raise FileNotFoundError(f"settings file {env_file} does not exist")
    known = {f"MLC_{name}".upper() for name in Settings.model_fields}
    unknown = sorted(
        key
        for key in dotenv_values(env_file)
        if key.upper().startswith("MLC_") and key.upper() not in known
    )
    if unknown:
        raise ValueError(f"unknown settings in {env_file}: {', '.join(unknown)}")
