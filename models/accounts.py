"""Accounts and everything about signing in: login sessions, second factor, known devices."""

from __future__ import annotations

from uuid import UUID, uuid4

from tortoise import fields
from tortoise.models import Model


class Account(Model):
    """One person. Roles are flags on the account: a psychologist can also be someone's client."""

    id = fields.UUIDField(primary_key=True, default=uuid4)
    email = fields.CharField(max_length=254, unique=True)
    """Normalised (trimmed, lower-cased) so one address cannot own two accounts."""
    password_hash = fields.CharField(max_length=255)
    name = fields.CharField(max_length=200)
    time_zone = fields.CharField(max_length=64, default="UTC")
    locale = fields.CharField(max_length=16, default="en")
    is_client = fields.BooleanField(default=True)
    is_professional = fields.BooleanField(default=False)
    email_confirmed_at = fields.DatetimeField(null=True)
    totp_secret = fields.BinaryField(null=True)
    """Encrypted under the server key; set only once enrolment is confirmed."""
    totp_pending_secret = fields.BinaryField(null=True)
    totp_last_step = fields.BigIntField(null=True)
    """Last accepted TOTP time step: a code is accepted only for a newer step (no replay)."""
    has_password = fields.BooleanField(default=True)
    """False for an account registered with an eID: its hash is of a random value nobody
    knows, until a password reset sets one."""
    password_changed_at = fields.DatetimeField(auto_now_add=True)
    erased_at = fields.DatetimeField(null=True)
    """Set when the person deleted their account: the row stays as a pseudonymous tombstone
    (resolvers/privacy/erasure.py) because sessions, notes and payments refer to it."""
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "account"

    @property
    def second_factor_enabled(self) -> bool:
        return self.totp_secret is not None


class LoginSession(Model):
    """A signed-in device. The bearer token itself is never stored, only its keyed hash."""

    id = fields.UUIDField(primary_key=True, default=uuid4)
    account: fields.ForeignKeyRelation[Account] = fields.ForeignKeyField(
        "accounts.Account", related_name="login_sessions", on_delete=fields.CASCADE
    )
    account_id: UUID
    token_hash = fields.CharField(max_length=64, unique=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    last_seen_at = fields.DatetimeField()
    expires_at = fields.DatetimeField()
    """Absolute expiry; the idle expiry is last_seen_at plus the idle timeout."""
    revoked_at = fields.DatetimeField(null=True)
    address = fields.CharField(max_length=64, default="")
    user_agent = fields.CharField(max_length=300, default="")
    strength = fields.CharField(max_length=16, default="password")
    """How the sign-in was proved: password, second_factor (password and TOTP or a recovery
    code) or eid (an eID sign-in), the last two being strong authentication."""

    class Meta:
        table = "login_session"
        indexes = (("account_id",),)


class SecondFactorChallenge(Model):
    """The half-finished sign-in between a correct password and a correct second factor."""

    id = fields.UUIDField(primary_key=True, default=uuid4)
    account: fields.ForeignKeyRelation[Account] = fields.ForeignKeyField(
        "accounts.Account", related_name="challenges", on_delete=fields.CASCADE
    )
    account_id: UUID
    token_hash = fields.CharField(max_length=64, unique=True)
    expires_at = fields.DatetimeField()
    failed_attempts = fields.IntField(default=0)
    completed_at = fields.DatetimeField(null=True)
    known_device_id = fields.UUIDField(null=True)
    """The known device the password came from: replaced by a new one when the sign-in ends."""

    class Meta:
        table = "second_factor_challenge"
        indexes = (("account_id",),)


class RecoveryCode(Model):
    id = fields.UUIDField(primary_key=True, default=uuid4)
    account: fields.ForeignKeyRelation[Account] = fields.ForeignKeyField(
        "accounts.Account", related_name="recovery_codes", on_delete=fields.CASCADE
    )
    account_id: UUID
    code_hash = fields.CharField(max_length=64)
    used_at = fields.DatetimeField(null=True)

    class Meta:
        table = "recovery_code"
        unique_together = (("account", "code_hash"),)


class KnownDevice(Model):
    """A browser that signed in to this account before (OWASP's device cookie).

    It carries a secret that lets its sign-ins skip the lockout that failed attempts from
    unknown devices put on the account, so a stranger cannot lock the owner out. Only a hash of
    the secret is stored. Its own failures are counted: past a small budget it counts as unknown.
    """

    id = fields.UUIDField(primary_key=True, default=uuid4)
    account: fields.ForeignKeyRelation[Account] = fields.ForeignKeyField(
        "accounts.Account", related_name="known_devices", on_delete=fields.CASCADE
    )
    account_id: UUID
    token_hash = fields.CharField(max_length=64, unique=True)
    failed_attempts = fields.IntField(default=0)
    created_at = fields.DatetimeField(auto_now_add=True)
    expires_at = fields.DatetimeField()

    class Meta:
        table = "known_device"
        indexes = (("account_id",),)


class ExternalIdentity(Model):
    """An eID (OpenID Connect) identity linked to an account.

    The national identifier is kept encrypted under the server key and found by its keyed
    hash, so the rows never hold it in plain text.
    """

    id = fields.UUIDField(primary_key=True, default=uuid4)
    account: fields.ForeignKeyRelation[Account] = fields.ForeignKeyField(
        "accounts.Account", related_name="external_identities", on_delete=fields.CASCADE
    )
    account_id: UUID
    provider = fields.CharField(max_length=64)
    national_id_hash = fields.CharField(max_length=64)
    national_id_encrypted = fields.BinaryField()
    created_at = fields.DatetimeField(auto_now_add=True)
    last_used_at = fields.DatetimeField(null=True)

    class Meta:
        table = "external_identity"
        unique_together = (("provider", "national_id_hash"), ("account", "provider"))


class ExternalSignInAttempt(Model):
    """One trip to an eID provider, from startExternalSignIn to its completion.

    Only the hash of `state` is stored: the PKCE verifier and the nonce are derived from the
    raw state, which only the browser holds. Used once, within minutes.
    """

    id = fields.UUIDField(primary_key=True, default=uuid4)
    state_hash = fields.CharField(max_length=64, unique=True)
    provider = fields.CharField(max_length=64)
    redirect_uri = fields.CharField(max_length=500)
    account: fields.ForeignKeyNullableRelation[Account] = fields.ForeignKeyField(
        "accounts.Account", related_name="external_sign_in_attempts", null=True,
        on_delete=fields.CASCADE,
    )
    account_id: UUID | None
    """Who was signed in when it started: only they may link its identity."""
    expires_at = fields.DatetimeField()
    used_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "external_sign_in_attempt"
        indexes = (("account_id",),)


class ExternalRegistration(Model):
    """An eID proved by a person without an account, waiting for the email they register with."""

    id = fields.UUIDField(primary_key=True, default=uuid4)
    token_hash = fields.CharField(max_length=64, unique=True)
    provider = fields.CharField(max_length=64)
    national_id_hash = fields.CharField(max_length=64)
    national_id_encrypted = fields.BinaryField()
    name = fields.CharField(max_length=200)
    expires_at = fields.DatetimeField()
    used_at = fields.DatetimeField(null=True)

    class Meta:
        table = "external_registration"
