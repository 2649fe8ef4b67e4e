"""Signing in with a national eID over OpenID Connect (docs/eid.md).

`start` opens an attempt and returns the provider's authorization URL; `state` is a fresh
256-bit token whose hash alone is stored, and the PKCE verifier and the nonce are derived from
it, so the database holds nothing that would let anyone finish the attempt. `redeem` claims the
attempt once (a conditional UPDATE), then redeems the code through gateways/oidc.py.

`complete_sign_in` answers like `login`: a login session, or, for an eID no account knows, a
registration token that `register` turns into an account once an email is given (and then
confirmed, as with a password registration). Only the person the provider authenticated learns
whether their eID has an account; an email's owner is never revealed to them.

The national identifier is kept encrypted at rest (crypto/secrets_at_rest) and found by a keyed
hash (crypto.tokens.keyed_hash); audit entries name the account, never the identifier.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from crypto import secrets_at_rest
from crypto.tokens import decode_token, derive_key, keyed_hash, lookup_hash, new_token
from gateways import oidc
from models.accounts import (
    Account,
    ExternalIdentity,
    ExternalRegistration,
    ExternalSignInAttempt,
)
from resolvers.accounts import consents, email_confirmation, password_reset
from resolvers.accounts.accounts import NewAccount, create_account, hash_password
from resolvers.accounts.signin import SignedIn, start_session
from resolvers.core import audit
from resolvers.core.caller import Caller
from resolvers.core.errors import ErrorCode, check, fail
from resolvers.core.validation import (
    email_error,
    locale_error,
    normalise_email,
    time_zone_error,
)
from settings import OidcProvider, Settings

STATE_TOKEN = "oidc-state"
REGISTRATION_TOKEN = "oidc-register"
NATIONAL_ID_PURPOSE = "national-id"
REGISTRATION_HOURS = 1
STRENGTH = "eid"

OFF = "Sign-in with an eID is not set up on this server; sign in with your email and password."
STATE_INVALID = ("This eID sign-in is no longer valid (it was used, took too long, or did not "
                 "start here). Start the sign-in again.")


@dataclass(frozen=True)
class RegistrationNeeded:
    """The eID is proven but no account has it: ask for an email, then call register."""

    registration: str
    name: str
    expires_at: datetime


@dataclass(frozen=True)
class Redeemed:
    attempt: ExternalSignInAttempt
    provider: OidcProvider
    identity: oidc.ProvenIdentity

    def national_id_hash(self, settings: Settings) -> str:
        return national_id_hash(settings, self.provider.id, self.identity.national_id)


def national_id_hash(settings: Settings, provider_id: str, national_id: str) -> str:
    return keyed_hash(settings.secret_key, f"{provider_id}:{national_id}",
                      purpose=NATIONAL_ID_PURPOSE)


def encrypt_national_id(settings: Settings, national_id: str) -> bytes:
    return secrets_at_rest.encrypt(settings.secret_key, national_id.encode(),
                                   purpose=NATIONAL_ID_PURPOSE)


def decrypt_national_id(settings: Settings, sealed: bytes) -> str:
    return secrets_at_rest.decrypt(settings.secret_key, sealed,
                                   purpose=NATIONAL_ID_PURPOSE).decode()


def providers(caller: Caller) -> tuple[OidcProvider, ...]:
    return caller.settings.oidc_providers


def _provider(settings: Settings, provider_id: str, field: str = "provider") -> OidcProvider:
    if not settings.external_sign_in_enabled:
        raise fail(OFF, ErrorCode.NOT_ENABLED, field)
    provider = settings.oidc_provider(provider_id)
    if provider is None:
        names = ", ".join(p.id for p in settings.oidc_providers)
        raise fail(f"There is no eID provider by that id; choose one of: {names}.",
                   field=field)
    return provider


def _derived(raw_state: bytes, purpose: str) -> str:
    """A value of the attempt that only the holder of `state` can compute."""
    return base64.urlsafe_b64encode(derive_key(raw_state, purpose=purpose)).rstrip(b"=").decode()


def _failure(provider: OidcProvider, error: oidc.OidcError) -> Exception:
    if error.kind is oidc.OidcFailure.UNAVAILABLE:
        return fail(f"{provider.name} did not answer. Try again in a few minutes.",
                    ErrorCode.PROVIDER_UNAVAILABLE, "provider")
    return fail(f"{provider.name} did not confirm who you are. Start the sign-in again.",
                ErrorCode.EXTERNAL_SIGN_IN_FAILED, "code")


async def start(caller: Caller, *, provider_id: str, redirect_uri: str) -> str:
    """The authorization URL of a new attempt; the browser goes there."""
    settings = caller.settings
    provider = _provider(settings, provider_id)
    if redirect_uri not in settings.oidc_redirect_uris:
        raise fail("That page is not one the eID provider may return to; use one of the "
                   "addresses the server lists in OIDC_REDIRECT_URIS.", field="redirectUri")
    state = new_token()
    raw = decode_token(state)
    assert raw is not None
    try:
        url = await oidc.authorization_url(
            settings, provider, redirect_uri=redirect_uri, state=state,
            nonce=_derived(raw, "oidc-nonce"), code_verifier=_derived(raw, "oidc-pkce"),
        )
    except oidc.OidcError as error:
        raise _failure(provider, error) from None
    await ExternalSignInAttempt.create(
        state_hash=lookup_hash(raw, purpose=STATE_TOKEN), provider=provider.id,
        redirect_uri=redirect_uri, account=caller.account,
        expires_at=datetime.now(UTC) + timedelta(minutes=settings.oidc_attempt_minutes),
    )
    return url


async def redeem(caller: Caller, *, code: str | None, state: str, error: str | None,
                 for_account: Account | None = None) -> Redeemed:
    """Claim the attempt of `state` (once) and redeem its code at the provider.

    `for_account`: the attempt must have been started by this signed-in account (linking), so
    nobody can slip their own eID into another person's account.
    """
    settings = caller.settings
    raw = decode_token(state)
    now = datetime.now(UTC)
    attempt = None
    if raw is not None:
        attempt = await ExternalSignInAttempt.get_or_none(
            state_hash=lookup_hash(raw, purpose=STATE_TOKEN), used_at=None)
    owner = for_account.id if for_account else None
    if (attempt is None or attempt.expires_at <= now
            or (for_account is not None and attempt.account_id != owner)):
        raise fail(STATE_INVALID, ErrorCode.INVALID_TOKEN, "state")
    claimed = await ExternalSignInAttempt.filter(id=attempt.id, used_at=None).update(used_at=now)
    if not claimed:
        raise fail(STATE_INVALID, ErrorCode.INVALID_TOKEN, "state")
    assert raw is not None
    provider = _provider(settings, attempt.provider, "state")
    if error or not code:
        raise fail(f"The sign-in at {provider.name} was cancelled or refused. Start it again "
                   "if you want to sign in with your eID.", ErrorCode.EXTERNAL_SIGN_IN_FAILED,
                   "code")
    try:
        identity = await oidc.redeem_code(
            settings, provider, redirect_uri=attempt.redirect_uri, code=code,
            code_verifier=_derived(raw, "oidc-pkce"), nonce=_derived(raw, "oidc-nonce"),
        )
    except oidc.OidcError as failure:
        raise _failure(provider, failure) from None
    return Redeemed(attempt=attempt, provider=provider, identity=identity)


async def complete_sign_in(caller: Caller, *, code: str | None, state: str,
                           error: str | None = None) -> SignedIn | RegistrationNeeded:
    """Sign in with the proven eID, or hand out a registration token for an unknown one."""
    settings = caller.settings
    redeemed = await redeem(caller, code=code, state=state, error=error)
    hashed = redeemed.national_id_hash(settings)
    linked = await ExternalIdentity.get_or_none(
        provider=redeemed.provider.id, national_id_hash=hashed).select_related("account")
    if linked is None:
        return await _registration(settings, redeemed, hashed)
    account = linked.account
    if account.email_confirmed_at is None:
        raise fail("Confirm your email address first: open the link we emailed you, then sign "
                   "in with your eID again.", ErrorCode.EXTERNAL_SIGN_IN_FAILED, "code")
    async with in_transaction():
        await ExternalIdentity.filter(id=linked.id).update(last_used_at=datetime.now(UTC))
        return await start_session(caller, account, strength=STRENGTH,
                                   audit_action="login_external_identity")


async def _registration(settings: Settings, redeemed: Redeemed, hashed: str
                        ) -> RegistrationNeeded:
    token = new_token()
    raw = decode_token(token)
    assert raw is not None
    expires_at = datetime.now(UTC) + timedelta(hours=REGISTRATION_HOURS)
    await ExternalRegistration.create(
        token_hash=lookup_hash(raw, purpose=REGISTRATION_TOKEN), provider=redeemed.provider.id,
        national_id_hash=hashed,
        national_id_encrypted=encrypt_national_id(settings, redeemed.identity.national_id),
        name=redeemed.identity.name, expires_at=expires_at,
    )
    return RegistrationNeeded(registration=token, name=redeemed.identity.name,
                              expires_at=expires_at)


async def register(caller: Caller, *, registration: str, email: str, time_zone: str,
                   accepted: consents.AcceptedVersions, locale: str = "en") -> None:
    """Create the eID's account with this email, unconfirmed until its link is opened; a taken
    address is left alone and its owner told, and the caller learns neither (as `register`)."""
    email = normalise_email(email)
    errors = [e for e in (email_error(email), time_zone_error(time_zone), locale_error(locale))
              if e]
    errors += consents.consent_errors(caller.settings, accepted)
    check(errors)
    raw = decode_token(registration)
    now = datetime.now(UTC)
    pending = None
    if raw is not None:
        pending = await ExternalRegistration.get_or_none(
            token_hash=lookup_hash(raw, purpose=REGISTRATION_TOKEN), used_at=None)
    if pending is None or pending.expires_at <= now:
        raise fail("This eID registration is no longer valid. Sign in with your eID again.",
                   ErrorCode.INVALID_TOKEN, "registration")
    existing = await Account.get_or_none(email=email)
    new = NewAccount(email=email, name=pending.name or email.split("@")[0], time_zone=time_zone,
                     locale=locale, password_hash=await hash_password(caller, new_token()))
    try:
        async with in_transaction():
            claimed = await ExternalRegistration.filter(id=pending.id, used_at=None).update(
                used_at=now)
            if not claimed:
                raise fail("This eID registration was already used. Sign in with your eID.",
                           ErrorCode.TOKEN_USED, "registration")
            if existing is None:
                account = await create_account(caller, new, as_client=True,
                                               as_professional=False, email_confirmed=False)
                await Account.filter(id=account.id).update(has_password=False)
                await consents.record(caller.settings, account)
                await ExternalIdentity.create(
                    account=account, provider=pending.provider,
                    national_id_hash=pending.national_id_hash,
                    national_id_encrypted=pending.national_id_encrypted,
                )
                await audit.record(caller, "external_identity_linked", subject_type="account",
                                   subject_id=account.id, person_id=account.id,
                                   actor_id=account.id)
                await email_confirmation.send_link(caller, account)
                return
    except IntegrityError:
        existing = await Account.get_or_none(email=email)
        if existing is None:
            raise fail("This eID was registered a moment ago. Sign in with your eID.",
                       ErrorCode.CONFLICT, "registration") from None
    await password_reset.mail_reset_link(caller, existing, template="registration_attempt",
                                         action="register_taken_email")

