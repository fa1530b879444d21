"""Passkeys: signing in with a WebAuthn credential instead of a password.

A ceremony has two steps. The service first hands out options holding a random
challenge, kept in ``passkey_challenges`` for :data:`CHALLENGE_TTL`; the browser asks
the authenticator, which signs, and the response comes back. The challenge the response
carries (inside its ``clientDataJSON``) names the ceremony: it is deleted, in a commit of
its own, before anything else is checked, so each is answered at most once, whatever
the answer. Then ``webauthn`` (py_webauthn) checks the origin, the relying party, the
signature and the sign count.

A passkey sign-in ends as a password sign-in does: a token from
:func:`monnaie_locale.auth.tokens.issue_token`, and the count of failed password
attempts cleared. It is not counted toward the lock of :mod:`monnaie_locale.auth.lockout`
and not refused by it: that lock bounds password guessing, while a signature cannot be
guessed, and it would let whoever types wrong passwords keep the passkey's holder out. A
lock running is left in place for password attempts. Every refusal of a sign-in is the
password's :class:`InvalidCredentials`; only the log says which check failed.

The relying party is the deployment's public host (``MLC_PUBLIC_HOST``, the host the QR
codes carry): its name without the port is the id, and the origin is ``https://`` and
the host, or ``http://`` for a host only this machine answers to (``localhost``), which
browsers allow passkeys on while developing.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, NoReturn

from sqlalchemy import Connection, delete, insert, select, update
from webauthn import (
    generate_authentication_options,
    generate_registration_options,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers import (
    options_to_json_dict,
    parse_authentication_credential_json,
    parse_client_data_json,
    parse_registration_credential_json,
)
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    AuthenticatorTransport,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from monnaie_locale.auth.errors import InvalidCredentials
from monnaie_locale.auth.lockout import LoginPolicy, unlocked
from monnaie_locale.auth.tokens import IssuedToken, issue_token
from monnaie_locale.clock import as_utc
from monnaie_locale.errors import InvalidRequest, NotFound
from monnaie_locale.store.database import Database
from monnaie_locale.store.tables_auth import users
from monnaie_locale.store.tables_passkeys import passkey_challenges, passkeys

__all__ = [
    "CHALLENGE_TTL",
    "Passkey",
    "PasskeyNotRegistered",
    "RelyingParty",
    "UnknownPasskey",
    "authentication_options",
    "live_passkeys",
    "register",
    "registration_options",
    "revoke",
    "sign_in",
]

log = logging.getLogger("monnaie_locale.auth")

# Long enough to find the authenticator and touch it; a browser's default timeout is 5 min.
CHALLENGE_TTL = timedelta(minutes=5)
_TIMEOUT_MS = int(CHALLENGE_TTL.total_seconds() * 1000)
NAME_MAX = 80
# What a decoy credential id is made of, for a name with no passkey (see _decoy).
_DECOY_LABEL = b"monnaie-locale passkey decoy"


class UnknownPasskey(NotFound):
    """Raised when a passkey id names none of the caller's passkeys (another user's alike)."""

    code = "unknown_passkey"

    def __init__(self, passkey_id: int) -> None:
        super().__init__(f"no passkey {passkey_id} among yours")
        self.passkey_id = passkey_id


class PasskeyNotRegistered(InvalidRequest):
    """Raised when a registration response cannot be accepted: expired, answered already,
    another user's, from another site, or malformed."""

    code = "passkey_not_registered"

    def __init__(self) -> None:
        super().__init__(
            "the passkey was not registered: the answer is expired, already used or not "
            "for this site; ask for new options and try again"
        )


@dataclass(frozen=True, slots=True)
class RelyingParty:
    """Who the passkeys are for: the id and origin browsers check, a name they show."""

    id: str
    origin: str
    name: str
    # Makes the decoy credential ids of names with no passkey; from the secret key.
    decoy_key: bytes = b""

    @classmethod
    def for_host(cls, public_host: str, *, name: str, secret: str = "") -> RelyingParty:
        """The party of a deployment reached at ``public_host`` (``pay.example:8443``)."""
        host = public_host.rsplit(":", 1)[0] if ":" in public_host else public_host
        host = host.lower().rstrip(".")
        local = host == "localhost" or host.endswith(".localhost") or host == "127.0.0.1"
        scheme = "http" if local else "https"
        decoy_key = hmac.new(secret.encode(), _DECOY_LABEL, hashlib.sha256).digest()
        return cls(
            id=host,
            origin=f"{scheme}://{public_host.lower()}",
            name=name,
            decoy_key=decoy_key,
        )


@dataclass(frozen=True, slots=True)
class Passkey:
    """A passkey as its owner sees it: never its key."""

    id: int
    name: str
    transports: tuple[str, ...]
    created_at: datetime
    last_used_at: datetime | None


# --- registration ---------------------------------------------------------------------


def registration_options(
    conn: Connection, user_id: int, username: str, *, party: RelyingParty, now: datetime
) -> dict[str, Any]:
    """The options of ``navigator.credentials.create()`` for the user, as JSON.

    Their live passkeys are excluded (an authenticator holding one says so instead of
    making another); user verification and a resident key are preferred, the latter so
    that the passkey signs in without a name typed.
    """
    _forget_expired(conn, now=now)
    live = conn.execute(
        select(passkeys.c.credential_id, passkeys.c.transports).where(
            passkeys.c.user_id == user_id, passkeys.c.revoked_at.is_(None)
        )
    ).all()
    handle = _user_handle(conn, user_id)
    challenge = _new_challenge(conn, "registration", now=now, user_id=user_id, user_handle=handle)
    options = generate_registration_options(
        rp_id=party.id,
        rp_name=party.name,
        user_name=username,
        user_id=handle,
        user_display_name=username,
        challenge=challenge,
        timeout=_TIMEOUT_MS,
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.PREFERRED,
            user_verification=UserVerificationRequirement.PREFERRED,
        ),
        exclude_credentials=[_descriptor(row.credential_id, row.transports) for row in live],
    )
    return options_to_json_dict(options)


def register(
    database: Database,
    user_id: int,
    response: Mapping[str, Any],
    name: str,
    *,
    party: RelyingParty,
    now: datetime,
) -> Passkey:
    """Check the authenticator's registration ``response`` and keep its passkey as ``name``.

    Refused with :class:`PasskeyNotRegistered`, whatever the reason (logged).
    """
    name = name.strip()
    if not 1 <= len(name) <= NAME_MAX:
        raise InvalidRequest(f"give the passkey a name of 1 to {NAME_MAX} characters")
    try:
        credential = parse_registration_credential_json(dict(response))
        challenge = parse_client_data_json(credential.response.client_data_json).challenge
    except Exception as exc:  # the library raises many kinds for a malformed response
        log.warning("passkey registration refused for user %s: malformed (%s)", user_id, exc)
        raise PasskeyNotRegistered() from None
    pending = database.write(lambda conn: _consume(conn, challenge, "registration", now=now))
    if pending is None or pending.user_id != user_id:
        log.warning("passkey registration refused for user %s: unknown challenge", user_id)
        raise PasskeyNotRegistered()
    try:
        verified = verify_registration_response(
            credential=credential,
            expected_challenge=challenge,
            expected_rp_id=party.id,
            expected_origin=party.origin,
        )
    except Exception as exc:
        log.warning("passkey registration refused for user %s: %s", user_id, exc)
        raise PasskeyNotRegistered() from None
    transports = ",".join(str(t.value) for t in credential.response.transports or ())[:200]

    def keep(conn: Connection) -> Passkey:
        taken = conn.execute(
            select(passkeys.c.id).where(passkeys.c.credential_id == verified.credential_id)
        ).first()
        if taken is not None:
            log.warning("passkey registration refused for user %s: id taken", user_id)
            raise PasskeyNotRegistered()
        passkey_id = conn.execute(
            insert(passkeys)
            .values(
                user_id=user_id,
                credential_id=verified.credential_id,
                public_key=verified.credential_public_key,
                user_handle=pending.user_handle,
                sign_count=verified.sign_count,
                transports=transports,
                name=name,
                created_at=now,
            )
            .returning(passkeys.c.id)
        ).scalar_one()
        return Passkey(
            id=passkey_id,
            name=name,
            transports=_split(transports),
            created_at=now,
            last_used_at=None,
        )

    return database.write(keep)


# --- the user's passkeys ----------------------------------------------------------------


def live_passkeys(conn: Connection, user_id: int) -> list[Passkey]:
    """The user's passkeys not revoked, oldest first."""
    rows = conn.execute(
        select(passkeys)
        .where(passkeys.c.user_id == user_id, passkeys.c.revoked_at.is_(None))
        .order_by(passkeys.c.id)
    ).all()
    return [_passkey(row) for row in rows]


def revoke(conn: Connection, user_id: int, passkey_id: int, *, now: datetime) -> Passkey:
    """Revoke one of the user's passkeys at once; a passkey revoked already, or another
    user's, is :class:`UnknownPasskey`."""
    row = conn.execute(
        update(passkeys)
        .where(
            passkeys.c.id == passkey_id,
            passkeys.c.user_id == user_id,
            passkeys.c.revoked_at.is_(None),
        )
        .values(revoked_at=now)
        .returning(*passkeys.c)
    ).first()
    if row is None:
        raise UnknownPasskey(passkey_id)
    return _passkey(row)


# --- signing in -------------------------------------------------------------------------


def authentication_options(
    conn: Connection, *, party: RelyingParty, now: datetime, username: str | None = None
) -> dict[str, Any]:
    """The options of ``navigator.credentials.get()``, as JSON.

    Without ``username``, no credential is listed: the authenticator offers the
    passkeys it holds for this site. With one, that user's live passkeys are listed, and
    a name with none (unknown, disabled or without passkeys) gets a decoy, the same
    for the same name, so the answer does not tell which names have passkeys.
    """
    _forget_expired(conn, now=now)
    challenge = _new_challenge(conn, "authentication", now=now)
    allowed: list[PublicKeyCredentialDescriptor] = []
    if username is not None:
        rows = conn.execute(
            select(passkeys.c.credential_id, passkeys.c.transports)
            .join(users, users.c.id == passkeys.c.user_id)
            .where(
                users.c.username == username,
                users.c.status == "active",
                passkeys.c.revoked_at.is_(None),
            )
            .order_by(passkeys.c.id)
        ).all()
        allowed = [_descriptor(row.credential_id, row.transports) for row in rows]
        if not allowed:
            allowed = [_descriptor(_decoy(party, username), "")]
    options = generate_authentication_options(
        rp_id=party.id,
        challenge=challenge,
        timeout=_TIMEOUT_MS,
        allow_credentials=allowed,
        user_verification=UserVerificationRequirement.PREFERRED,
    )
    return options_to_json_dict(options)


def sign_in(
    database: Database,
    response: Mapping[str, Any],
    *,
    party: RelyingParty,
    now: datetime,
    policy: LoginPolicy,
) -> IssuedToken:
    """Check the authenticator's assertion and issue a token, or raise
    :class:`InvalidCredentials` (the same refusal whatever failed)."""
    try:
        credential = parse_authentication_credential_json(dict(response))
        challenge = parse_client_data_json(credential.response.client_data_json).challenge
    except Exception as exc:
        _refuse(f"malformed ({exc})")
    pending = database.write(lambda conn: _consume(conn, challenge, "authentication", now=now))
    if pending is None:
        _refuse("unknown, used or expired challenge")
    stored = database.read(
        lambda conn: conn.execute(
            select(passkeys, users.c.status)
            .join(users, users.c.id == passkeys.c.user_id)
            .where(passkeys.c.credential_id == credential.raw_id)
        ).first()
    )
    if stored is None:
        _refuse("unknown credential")
    if stored.revoked_at is not None or stored.status != "active":
        _refuse(f"passkey {stored.id} revoked or its user disabled")
    handle = credential.response.user_handle
    if handle is not None and not hmac.compare_digest(handle, stored.user_handle):
        _refuse(f"passkey {stored.id}: another user's handle")
    try:
        verified = verify_authentication_response(
            credential=credential,
            expected_challenge=challenge,
            expected_rp_id=party.id,
            expected_origin=party.origin,
            credential_public_key=stored.public_key,
            credential_current_sign_count=stored.sign_count,
        )
    except Exception as exc:
        _refuse(f"passkey {stored.id}: {exc}")

    def record(conn: Connection) -> IssuedToken | None:
        # Compare-and-set on the count read: of two uses of one assertion, or of a
        # cloned authenticator's, at most one gets through; a revocation meanwhile wins.
        used = conn.execute(
            update(passkeys)
            .where(
                passkeys.c.id == stored.id,
                passkeys.c.revoked_at.is_(None),
                passkeys.c.sign_count == stored.sign_count,
            )
            .values(sign_count=verified.new_sign_count, last_used_at=now)
            .returning(passkeys.c.id)
        ).first()
        active = conn.execute(
            select(users.c.id).where(users.c.id == stored.user_id, users.c.status == "active")
        ).first()
        if used is None or active is None:
            return None
        # A success clears the count of failed passwords; a lock running stays.
        conn.execute(
            update(users)
            .where(users.c.id == stored.user_id, unlocked(users, now))
            .values(failed_logins=0, locked_until=None)
        )
        return issue_token(conn, stored.user_id, now=now, ttl=policy.token_ttl)

    issued = database.write(record)
    if issued is None:
        _refuse(f"passkey {stored.id} changed meanwhile")
    return issued


# --- helpers ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Pending:
    user_id: int | None
    user_handle: bytes | None


def _new_challenge(
    conn: Connection,
    purpose: str,
    *,
    now: datetime,
    user_id: int | None = None,
    user_handle: bytes | None = None,
) -> bytes:
    challenge = secrets.token_bytes(32)
    conn.execute(
        insert(passkey_challenges).values(
            challenge=challenge,
            purpose=purpose,
            user_id=user_id,
            user_handle=user_handle,
            created_at=now,
            expires_at=now + CHALLENGE_TTL,
        )
    )
    return challenge


def _consume(conn: Connection, challenge: bytes, purpose: str, *, now: datetime) -> _Pending | None:
    """Delete the challenge; what it was issued for, or None if unknown or expired."""
    if not 16 <= len(challenge) <= 64:
        return None
    row = conn.execute(
        delete(passkey_challenges)
        .where(
            passkey_challenges.c.challenge == challenge,
            passkey_challenges.c.purpose == purpose,
        )
        .returning(
            passkey_challenges.c.user_id,
            passkey_challenges.c.user_handle,
            passkey_challenges.c.expires_at,
        )
    ).first()
    if row is None or as_utc(row.expires_at) <= now:
        return None
    return _Pending(user_id=row.user_id, user_handle=row.user_handle)


def _forget_expired(conn: Connection, *, now: datetime) -> None:
    """Delete the challenges no response can answer any more (each new one sweeps)."""
    conn.execute(delete(passkey_challenges).where(passkey_challenges.c.expires_at <= now))


def _user_handle(conn: Connection, user_id: int) -> bytes:
    """The handle of the user's passkeys so far, or a new random one: an authenticator
    then keeps one passkey per user of this site, the newest replacing the older."""
    handle = conn.execute(
        select(passkeys.c.user_handle)
        .where(passkeys.c.user_id == user_id)
        .order_by(passkeys.c.id.desc())
        .limit(1)
    ).scalar()
    return bytes(handle) if handle is not None else secrets.token_bytes(32)


def _decoy(party: RelyingParty, username: str) -> bytes:
    return hmac.new(party.decoy_key, username.encode(), hashlib.sha256).digest()


def _descriptor(credential_id: bytes, transports: str) -> PublicKeyCredentialDescriptor:
    known = {t.value for t in AuthenticatorTransport}
    return PublicKeyCredentialDescriptor(
        id=bytes(credential_id),
        transports=[AuthenticatorTransport(t) for t in _split(transports) if t in known] or None,
    )


def _split(transports: str) -> tuple[str, ...]:
    return tuple(t for t in transports.split(",") if t)


def _passkey(row: Any) -> Passkey:
    return Passkey(
        id=row.id,
        name=row.name,
        transports=_split(row.transports),
        created_at=as_utc(row.created_at),
        last_used_at=None if row.last_used_at is None else as_utc(row.last_used_at),
    )


def _refuse(reason: str) -> NoReturn:
    log.warning("passkey sign-in refused: %s", reason)
    raise InvalidCredentials()
