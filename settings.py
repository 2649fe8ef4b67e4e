"""The app's settings, read from environment variables in this one place.

Every value has a safe development default, so `python3 dev.py serve` works with no configuration.
Production (`ENVIRONMENT=production`) refuses to start with development shortcuts: a missing
SECRET_KEY or weak password-hashing parameters.
"""

from __future__ import annotations

import base64
import ipaddress
import json
import os
import secrets
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent
VAR = ROOT / "var"

# OWASP ASVS 2.4 / cheat sheet minimum for argon2id: 19 MiB of memory, 2 iterations, 1 lane.
OWASP_ARGON2_MEMORY_KIB = 19_456
OWASP_ARGON2_TIME_COST = 2


class SettingsError(RuntimeError):
    """A setting is missing or unsafe; the message names the variable to fix."""


@dataclass(frozen=True, kw_only=True)
class OidcProvider:
    """One OpenID Connect provider people may sign in with (an eID: island.is, ...), from
    OIDC_PROVIDERS (docs/eid.md)."""

    id: str
    """The short name the API uses (`provider` of startExternalSignIn); never changes, since
    linked identities are stored under it."""
    name: str
    """What the sign-in button says."""
    issuer: str
    """Its discovery document is `<issuer>/.well-known/openid-configuration`."""
    client_id: str
    client_secret: str = field(repr=False)
    scopes: str = "openid profile"
    national_id_claim: str = "nationalId"
    """The claim (ID token or userinfo) that carries the person's national identifier."""
    name_claim: str = "name"


_PROVIDER_KEYS = {"id", "name", "issuer", "clientId", "clientSecret", "scopes",
                  "nationalIdClaim", "nameClaim"}


@dataclass(frozen=True, kw_only=True)
class Settings:
    environment: str = "development"
    database_url: str = f"sqlite://{VAR / 'therapyhub.sqlite3'}"
    redis_url: str = field(default="", repr=False)
    """Events between app processes over Redis pub/sub (redis://, rediss://); empty: over
    PostgreSQL's LISTEN/NOTIFY, or in process on SQLite."""
    redis_channel_prefix: str = "therapyhub"
    """The Redis channel is `<prefix>:events`: deployments (or test runs) sharing one Redis
    keep apart by giving each its own prefix."""
    secret_key: bytes = field(default=b"", repr=False)
    public_url: str = "http://127.0.0.1:8000"
    host: str = "127.0.0.1"
    port: int = 8000
    cors_origins: tuple[str, ...] = ()
    trusted_proxies: tuple[str, ...] = ("127.0.0.1", "::1")
    """Addresses or networks of reverse proxies whose X-Forwarded-For is believed: the
    address they forward is the one rate limits and the audit log see."""
    max_body_bytes: int = 1_048_576
    """Largest request body accepted (GraphQL documents with their variables); larger is 413."""
    stripe_webhook_max_body_bytes: int = 1_048_576

    argon2_time_cost: int = 3
    argon2_memory_kib: int = 65_536
    argon2_parallelism: int = 1

    session_idle_minutes: int = 30
    session_absolute_hours: int = 12
    second_factor_challenge_minutes: int = 5
    second_factor_max_attempts: int = 5

    login_window_minutes: int = 15
    login_max_failures_per_account: int = 5
    login_max_failures_per_address: int = 20
    """Both limits count attempts from unknown devices only (see known devices below)."""
    login_device_max_failures: int = 5
    """Wrong passwords a known device may send before its device token stops counting."""
    login_device_days: int = 180
    """How long a device token (login payload `deviceToken`) keeps a device known."""

    emailing_window_minutes: int = 60
    request_service_max_per_account: int = 5
    request_service_max_per_address: int = 20
    invitation_max_per_account: int = 50
    """inviteClient and resendInvitation together, per professional."""
    invitation_max_per_address: int = 100

    graphql_max_depth: int = 12
    graphql_max_aliases: int = 30
    graphql_max_tokens: int = 3_000
    trusted_documents: str = ""
    """Path of the allow-list (codegen's persisted-documents.json, `{hash: document}`): when
    set, only those documents run (schema/core/trusted_documents.py). Empty: any operation
    runs, in production too (docs/api.md, "Trusted documents")."""

    # Card payments: both secrets empty means they are not enabled (manual payments still work).
    stripe_secret_key: str = field(default="", repr=False)
    stripe_webhook_secret: str = field(default="", repr=False)
    stripe_api_base: str = ""  # empty: Stripe's own API; tests point it at a local fake
    stripe_timeout_seconds: float = 20.0
    stripe_max_network_retries: int = 2
    receipt_link_minutes: int = 15
    """How long a signed receipt link (`receiptUrl`) opens the PDF."""
    calendar_file_minutes: int = 15
    """How long a signed "Add to calendar" link (`Session.calendarFileUrl`) opens the .ics."""

    smtp_host: str = ""
    """Empty outside production: mail is written to `mail_dir` instead of sent."""
    smtp_port: int = 587
    smtp_username: str = ""
    smtp_password: str = field(default="", repr=False)
    smtp_security: str = "starttls"
    """starttls (port 587), tls (implicit TLS, port 465) or none (local relays and tests)."""
    smtp_timeout_seconds: int = 30
    mail_from: str = "Therapy Hub <no-reply@therapyhub.test>"
    mail_dir: str = str(VAR / "mail")
    mail_poll_seconds: float = 5.0
    mail_retry_base_seconds: int = 30
    mail_retry_max_seconds: int = 3_600
    mail_max_attempts: int = 30
    """About a day of retries with the defaults; then the message is kept as failed."""

    invitation_days: int = 14
    password_reset_minutes: int = 30
    password_reset_max_per_hour: int = 3
    email_confirmation_hours: int = 168

    reminder_hours: int = 24
    """How long before a session its reminder email goes out."""
    reminder_poll_seconds: float = 60.0

    data_export_link_hours: int = 72
    """How long an export's download link (exportMyData) works; then the ZIP is erased."""
    data_export_poll_seconds: float = 10.0
    data_export_lease_minutes: int = 30
    """How long a builder holds an export; one still building after that is given up as failed."""

    join_window_minutes: int = 10
    """A session can be joined from this many minutes before its start until its end."""

    stun_urls: tuple[str, ...] = ()
    turn_urls: tuple[str, ...] = ()
    turn_secret: str = field(default="", repr=False)
    """coturn's `static-auth-secret` (`use-auth-secret`): TURN credentials are signed with it."""
    turn_credential_seconds: int = 3_600
    signal_max_bytes: int = 16_384
    """The largest sealed signal payload accepted, in bytes of its base64url text."""
    signal_rate_per_minute: int = 300
    """Signals one participant may send per minute of a call (counted in the database)."""

    terms_version: str = "2026-12-01"
    """The version of the terms of service a person must have accepted; publishing a new one
    (a new value) asks everyone again (`viewer.consentRequired`, `acceptTerms`)."""
    privacy_notice_version: str = "2026-12-01"
    """The version of the privacy notice, asked for like the terms."""

    bookkeeping_retention_years: int = 7
    """How long payments and receipts of an erased person are kept (Icelandic bookkeeping law,
    lög um bókhald 145/1994, 20. gr.: seven years); the retention job removes them after."""
    login_session_retention_days: int = 30
    """How long an ended (expired or revoked) login session is kept, for looking into a
    suspicious sign-in, before the retention job removes it."""
    invitation_retention_days: int = 90
    """How long an invitation is kept once it expired, was withdrawn or was accepted."""
    account_link_retention_days: int = 7
    """How long a used or expired confirmation or password reset link is kept."""
    outbox_retention_days: int = 7
    """How long a sent (or finally failed) email's delivery record is kept."""
    data_export_retention_days: int = 30
    """How long the row of an expired or failed data export is kept (its archive is gone when
    the link expires)."""
    retention_poll_seconds: float = 3_600.0
    """How often the retention job looks for rows past their period."""
    oidc_providers: tuple[OidcProvider, ...] = ()
    """eID sign-in over OpenID Connect; none: the feature is off (docs/eid.md)."""
    oidc_redirect_uris: tuple[str, ...] = ()
    """The SPA pages a provider may send the browser back to; any other is refused."""
    oidc_attempt_minutes: int = 10
    """How long the `state` of startExternalSignIn stays usable."""
    oidc_timeout_seconds: float = 10.0
    require_strong_auth_for_professionals: bool = False
    """When on, a professional signed in with a password alone (no TOTP, no eID) must sign in
    strongly before reading a client profile or notes."""
    # Operations (docs/deploy.md): logs and metrics.
    log_format: str = "text"
    """json (one object per line, the default in production) or text."""
    metrics_token: str = field(default="", repr=False)
    """A bearer token that opens /metrics from anywhere; empty: no token opens it."""
    metrics_networks: tuple[str, ...] = ()
    """Addresses or networks whose requests see /metrics without a token (Prometheus)."""

    @property
    def production(self) -> bool:
        return self.environment == "production"

    @property
    def card_payments_enabled(self) -> bool:
        return bool(self.stripe_secret_key and self.stripe_webhook_secret)

    @property
    def external_sign_in_enabled(self) -> bool:
        return bool(self.oidc_providers)

    def oidc_provider(self, provider_id: str) -> OidcProvider | None:
        return next((p for p in self.oidc_providers if p.id == provider_id), None)

    @property
    def smtp_configured(self) -> bool:
        return bool(self.smtp_host)

    def with_changes(self, **changes: Any) -> Settings:
        return replace(self, **changes)


def _secret_key(environment: str, raw: str | None) -> bytes:
    """Decode SECRET_KEY, or keep a generated one under var/ outside production.

    The key encrypts TOTP secrets and signs links; losing it disables second factors, so a
    development key is persisted rather than regenerated per start.
    """
    if raw:
        key = base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4))
        if len(key) < 32:
            raise SettingsError("SECRET_KEY must be at least 32 random bytes, base64url-encoded.")
        return key
    if environment == "production":
        raise SettingsError(
            "SECRET_KEY is required in production: generate one with "
            "`python -c \"import secrets; print(secrets.token_urlsafe(32))\"`."
        )
    if environment == "test":
        return secrets.token_bytes(32)
    VAR.mkdir(exist_ok=True)
    path = VAR / "secret.key"
    if not path.exists():
        path.write_bytes(secrets.token_bytes(32))
        path.chmod(0o600)
    return path.read_bytes()


def _int(env: dict[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a whole number, got {raw!r}.") from None


def _float(env: dict[str, str], name: str, default: float) -> float:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        return float(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a number, got {raw!r}.") from None


def _networks(env: dict[str, str], name: str, default: tuple[str, ...]) -> tuple[str, ...]:
    """Comma-separated addresses or CIDR networks; a typo is refused rather than silently
    trusting nothing (or, worse, the wrong hosts)."""
    raw = env.get(name)
    if raw is None or raw.strip() == "":
        return default
    entries = tuple(entry.strip() for entry in raw.split(",") if entry.strip())
    for entry in entries:
        try:
            ipaddress.ip_network(entry, strict=False)
        except ValueError:
            raise SettingsError(
                f"{name} must list IP addresses or networks (10.0.0.0/8), comma-separated; "
                f"{entry!r} is neither."
            ) from None
    return entries


def _list(env: dict[str, str], name: str) -> tuple[str, ...]:
    """A comma-separated list; empty items are dropped."""
    return tuple(item.strip() for item in env.get(name, "").split(",") if item.strip())


def _bool(env: dict[str, str], name: str, default: bool) -> bool:
    raw = env.get(name, "").strip().lower()
    if raw == "":
        return default
    if raw not in {"true", "false", "1", "0", "yes", "no"}:
        raise SettingsError(f"{name} must be true or false, got {raw!r}.")
    return raw in {"true", "1", "yes"}


def _oidc_providers(env: dict[str, str]) -> tuple[OidcProvider, ...]:
    """OIDC_PROVIDERS: a JSON list of objects, one per provider (docs/eid.md). One variable
    rather than numbered ones, so a provider's fields cannot drift apart."""
    raw = env.get("OIDC_PROVIDERS", "").strip()
    if not raw:
        return ()
    hint = ('OIDC_PROVIDERS must be a JSON list like [{"id": "island", "name": "Ísland.is", '
            '"issuer": "https://…", "clientId": "…", "clientSecret": "…"}] (docs/eid.md)')
    try:
        entries = json.loads(raw)
    except ValueError:
        raise SettingsError(f"{hint}; it is not valid JSON.") from None
    if not isinstance(entries, list):
        raise SettingsError(f"{hint}; it is not a list.")
    providers: list[OidcProvider] = []
    for entry in entries:
        if not isinstance(entry, dict) or not all(isinstance(v, str) for v in entry.values()):
            raise SettingsError(f"{hint}; each provider is an object of strings.")
        unknown = set(entry) - _PROVIDER_KEYS
        missing = {"id", "name", "issuer", "clientId", "clientSecret"} - set(entry)
        if unknown or missing:
            raise SettingsError(f"{hint}; unknown keys {sorted(unknown)}, "
                                f"missing keys {sorted(missing)}.")
        provider = OidcProvider(
            id=entry["id"], name=entry["name"], issuer=entry["issuer"].rstrip("/"),
            client_id=entry["clientId"], client_secret=entry["clientSecret"],
            scopes=entry.get("scopes", "openid profile"),
            national_id_claim=entry.get("nationalIdClaim", "nationalId"),
            name_claim=entry.get("nameClaim", "name"),
        )
        if "openid" not in provider.scopes.split():
            raise SettingsError(f"OIDC_PROVIDERS: the scopes of {provider.id!r} must include "
                                "openid.")
        providers.append(provider)
    ids = [p.id for p in providers]
    if len(set(ids)) != len(ids):
        raise SettingsError("OIDC_PROVIDERS: two providers have the same id; give each its own.")
    return tuple(providers)


def _check_oidc(settings: Settings) -> None:
    """Providers need somewhere to send the browser back to; in production only over https,
    or the authorization code would travel in the clear."""
    if settings.oidc_providers and not settings.oidc_redirect_uris:
        raise SettingsError("OIDC_REDIRECT_URIS must list the SPA page(s) a provider sends the "
                            "browser back to when OIDC_PROVIDERS is set.")
    if settings.production:
        plain = [p.issuer for p in settings.oidc_providers if not p.issuer.startswith("https://")]
        plain += [u for u in settings.oidc_redirect_uris if not u.startswith("https://")]
        if plain:
            raise SettingsError("OIDC issuers and OIDC_REDIRECT_URIS must be https:// addresses "
                                f"in production: {', '.join(plain)}.")


def _check_stripe(settings: Settings) -> None:
    """Card payments need both secrets: without the webhook secret a saved card would never be
    recorded. A non-https API base in production would send the secret key in the clear."""
    if bool(settings.stripe_secret_key) != bool(settings.stripe_webhook_secret):
        raise SettingsError(
            "Set both STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET to enable card payments, "
            "or neither to run without them."
        )
    if settings.production and settings.stripe_api_base and not (
        settings.stripe_api_base.startswith("https://")
    ):
        raise SettingsError("STRIPE_API_BASE must be an https:// address in production.")


def from_env(env: dict[str, str] | None = None) -> Settings:
    env = dict(os.environ if env is None else env)
    defaults = Settings()
    environment = env.get("ENVIRONMENT", defaults.environment)
    if environment not in {"development", "test", "production"}:
        raise SettingsError("ENVIRONMENT must be development, test or production.")
    settings = Settings(
        environment=environment,
        database_url=env.get("DATABASE_URL", defaults.database_url),
        redis_url=env.get("REDIS_URL", ""),
        redis_channel_prefix=env.get("REDIS_CHANNEL_PREFIX", defaults.redis_channel_prefix),
        secret_key=_secret_key(environment, env.get("SECRET_KEY")),
        public_url=env.get("PUBLIC_URL", defaults.public_url).rstrip("/"),
        host=env.get("HOST", defaults.host),
        port=_int(env, "PORT", defaults.port),
        cors_origins=tuple(o for o in env.get("CORS_ORIGINS", "").split(",") if o),
        trusted_proxies=_networks(env, "TRUSTED_PROXIES", defaults.trusted_proxies),
        max_body_bytes=_int(env, "MAX_BODY_BYTES", defaults.max_body_bytes),
        stripe_webhook_max_body_bytes=_int(
            env, "STRIPE_WEBHOOK_MAX_BODY_BYTES", defaults.stripe_webhook_max_body_bytes
        ),
        argon2_time_cost=_int(env, "ARGON2_TIME_COST", defaults.argon2_time_cost),
        argon2_memory_kib=_int(env, "ARGON2_MEMORY_KIB", defaults.argon2_memory_kib),
        argon2_parallelism=_int(env, "ARGON2_PARALLELISM", defaults.argon2_parallelism),
        session_idle_minutes=_int(env, "SESSION_IDLE_MINUTES", defaults.session_idle_minutes),
        session_absolute_hours=_int(
            env, "SESSION_ABSOLUTE_HOURS", defaults.session_absolute_hours
        ),
        login_window_minutes=_int(env, "LOGIN_WINDOW_MINUTES", defaults.login_window_minutes),
        login_max_failures_per_account=_int(
            env, "LOGIN_MAX_FAILURES_PER_ACCOUNT", defaults.login_max_failures_per_account
        ),
        login_max_failures_per_address=_int(
            env, "LOGIN_MAX_FAILURES_PER_ADDRESS", defaults.login_max_failures_per_address
        ),
        login_device_max_failures=_int(
            env, "LOGIN_DEVICE_MAX_FAILURES", defaults.login_device_max_failures
        ),
        login_device_days=_int(env, "LOGIN_DEVICE_DAYS", defaults.login_device_days),
        emailing_window_minutes=_int(
            env, "EMAILING_WINDOW_MINUTES", defaults.emailing_window_minutes
        ),
        request_service_max_per_account=_int(
            env, "REQUEST_SERVICE_MAX_PER_ACCOUNT", defaults.request_service_max_per_account
        ),
        request_service_max_per_address=_int(
            env, "REQUEST_SERVICE_MAX_PER_ADDRESS", defaults.request_service_max_per_address
        ),
        invitation_max_per_account=_int(
            env, "INVITATION_MAX_PER_ACCOUNT", defaults.invitation_max_per_account
        ),
        invitation_max_per_address=_int(
            env, "INVITATION_MAX_PER_ADDRESS", defaults.invitation_max_per_address
        ),
        graphql_max_depth=_int(env, "GRAPHQL_MAX_DEPTH", defaults.graphql_max_depth),
        graphql_max_aliases=_int(env, "GRAPHQL_MAX_ALIASES", defaults.graphql_max_aliases),
        graphql_max_tokens=_int(env, "GRAPHQL_MAX_TOKENS", defaults.graphql_max_tokens),
        trusted_documents=env.get("TRUSTED_DOCUMENTS", "").strip(),
        stripe_secret_key=env.get("STRIPE_SECRET_KEY", ""),
        stripe_webhook_secret=env.get("STRIPE_WEBHOOK_SECRET", ""),
        stripe_api_base=env.get("STRIPE_API_BASE", "").rstrip("/"),
        stripe_timeout_seconds=_float(
            env, "STRIPE_TIMEOUT_SECONDS", defaults.stripe_timeout_seconds
        ),
        stripe_max_network_retries=_int(
            env, "STRIPE_MAX_NETWORK_RETRIES", defaults.stripe_max_network_retries
        ),
        receipt_link_minutes=_int(env, "RECEIPT_LINK_MINUTES", defaults.receipt_link_minutes),
        calendar_file_minutes=_int(env, "CALENDAR_FILE_MINUTES", defaults.calendar_file_minutes),
        smtp_host=env.get("SMTP_HOST", defaults.smtp_host),
        smtp_port=_int(env, "SMTP_PORT", defaults.smtp_port),
        smtp_username=env.get("SMTP_USERNAME", defaults.smtp_username),
        smtp_password=env.get("SMTP_PASSWORD", defaults.smtp_password),
        smtp_security=env.get("SMTP_SECURITY", defaults.smtp_security),
        smtp_timeout_seconds=_int(env, "SMTP_TIMEOUT_SECONDS", defaults.smtp_timeout_seconds),
        mail_from=env.get("MAIL_FROM", defaults.mail_from),
        mail_dir=env.get("MAIL_DIR", defaults.mail_dir),
        mail_poll_seconds=_float(env, "MAIL_POLL_SECONDS", defaults.mail_poll_seconds),
        mail_retry_base_seconds=_int(
            env, "MAIL_RETRY_BASE_SECONDS", defaults.mail_retry_base_seconds
        ),
        mail_retry_max_seconds=_int(env, "MAIL_RETRY_MAX_SECONDS", defaults.mail_retry_max_seconds),
        mail_max_attempts=_int(env, "MAIL_MAX_ATTEMPTS", defaults.mail_max_attempts),
        invitation_days=_int(env, "INVITATION_DAYS", defaults.invitation_days),
        password_reset_minutes=_int(
            env, "PASSWORD_RESET_MINUTES", defaults.password_reset_minutes
        ),
        password_reset_max_per_hour=_int(
            env, "PASSWORD_RESET_MAX_PER_HOUR", defaults.password_reset_max_per_hour
        ),
        email_confirmation_hours=_int(
            env, "EMAIL_CONFIRMATION_HOURS", defaults.email_confirmation_hours
        ),
        reminder_hours=_int(env, "REMINDER_HOURS", defaults.reminder_hours),
        reminder_poll_seconds=_float(env, "REMINDER_POLL_SECONDS",
                                     defaults.reminder_poll_seconds),
        data_export_link_hours=_int(env, "DATA_EXPORT_LINK_HOURS",
                                    defaults.data_export_link_hours),
        data_export_poll_seconds=_float(env, "DATA_EXPORT_POLL_SECONDS",
                                        defaults.data_export_poll_seconds),
        data_export_lease_minutes=_int(env, "DATA_EXPORT_LEASE_MINUTES",
                                       defaults.data_export_lease_minutes),
        join_window_minutes=_int(env, "JOIN_WINDOW_MINUTES", defaults.join_window_minutes),
        stun_urls=_list(env, "STUN_URLS"),
        turn_urls=_list(env, "TURN_URLS"),
        turn_secret=env.get("TURN_SECRET", ""),
        turn_credential_seconds=_int(env, "TURN_CREDENTIAL_SECONDS",
                                     defaults.turn_credential_seconds),
        signal_max_bytes=_int(env, "SIGNAL_MAX_BYTES", defaults.signal_max_bytes),
        signal_rate_per_minute=_int(env, "SIGNAL_RATE_PER_MINUTE",
                                    defaults.signal_rate_per_minute),
        oidc_providers=_oidc_providers(env),
        oidc_redirect_uris=_list(env, "OIDC_REDIRECT_URIS"),
        oidc_attempt_minutes=_int(env, "OIDC_ATTEMPT_MINUTES", defaults.oidc_attempt_minutes),
        oidc_timeout_seconds=_float(env, "OIDC_TIMEOUT_SECONDS",
                                    defaults.oidc_timeout_seconds),
        require_strong_auth_for_professionals=_bool(
            env, "REQUIRE_STRONG_AUTH_FOR_PROFESSIONALS",
            defaults.require_strong_auth_for_professionals),
    )
    settings = replace(
        settings,
        terms_version=env.get("TERMS_VERSION", defaults.terms_version),
        privacy_notice_version=env.get("PRIVACY_NOTICE_VERSION",
                                       defaults.privacy_notice_version),
        bookkeeping_retention_years=_int(env, "BOOKKEEPING_RETENTION_YEARS",
                                         defaults.bookkeeping_retention_years),
        login_session_retention_days=_int(env, "LOGIN_SESSION_RETENTION_DAYS",
                                          defaults.login_session_retention_days),
        invitation_retention_days=_int(env, "INVITATION_RETENTION_DAYS",
                                       defaults.invitation_retention_days),
        account_link_retention_days=_int(env, "ACCOUNT_LINK_RETENTION_DAYS",
                                         defaults.account_link_retention_days),
        outbox_retention_days=_int(env, "OUTBOX_RETENTION_DAYS", defaults.outbox_retention_days),
        data_export_retention_days=_int(env, "DATA_EXPORT_RETENTION_DAYS",
                                        defaults.data_export_retention_days),
        retention_poll_seconds=_float(env, "RETENTION_POLL_SECONDS",
                                      defaults.retention_poll_seconds),
    )
    settings = replace(
        settings,
        log_format=env.get("LOG_FORMAT", "json" if settings.production else "text"),
        metrics_token=env.get("METRICS_TOKEN", ""),
        metrics_networks=_networks(env, "METRICS_NETWORKS", ()),
    )
    if settings.log_format not in {"json", "text"}:
        raise SettingsError("LOG_FORMAT must be json or text.")
    if settings.turn_urls and not settings.turn_secret:
        raise SettingsError("TURN_URLS needs TURN_SECRET (coturn's static-auth-secret) to sign "
                            "the TURN credentials; set it, or leave TURN_URLS empty.")
    _check_stripe(settings)
    _check_oidc(settings)
    for name, minutes in (("LOGIN_WINDOW_MINUTES", settings.login_window_minutes),
                          ("EMAILING_WINDOW_MINUTES", settings.emailing_window_minutes)):
        if not 1 <= minutes <= 1440:
            raise SettingsError(f"{name} must be between 1 and 1440 (a day).")
    if settings.smtp_security not in {"starttls", "tls", "none"}:
        raise SettingsError("SMTP_SECURITY must be starttls, tls or none.")
    if environment == "production" and not settings.smtp_configured:
        raise SettingsError(
            "SMTP_HOST is required in production: without it invitations and password "
            "reset links would only be written to a local folder."
        )
    if environment != "test" and (
        settings.argon2_memory_kib < OWASP_ARGON2_MEMORY_KIB
        or settings.argon2_time_cost < OWASP_ARGON2_TIME_COST
    ):
        raise SettingsError(
            "ARGON2_MEMORY_KIB must be at least 19456 and ARGON2_TIME_COST at least 2 "
            "(OWASP); cheaper parameters are allowed only with ENVIRONMENT=test."
        )
    return settings
