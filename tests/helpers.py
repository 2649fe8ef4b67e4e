"""Small steps many tests take, written as the SPA would take them."""

from __future__ import annotations

from typing import Any

import asyncpg
import orjson

from crypto import secrets_at_rest
from models.outbox import OutboxMessage
from resolvers.core import outbox
from resolvers.core.validation import normalise_email
from settings import Settings
from tests.mailbox import TOKEN_IN_LINK

PASSWORD = "correct horse battery"
CURRENT_TERMS = {"acceptedTerms": Settings().terms_version,
                 "acceptedPrivacyNotice": Settings().privacy_notice_version}
"""What a registration form sends once the person accepted the versions in force."""

REGISTER = """
mutation Register($input: RegisterInput!) {
  register(input: $input) { accepted userErrors { field message code } }
}"""

CONFIRM_EMAIL = """
mutation($input: ConfirmEmailInput!) {
  confirmEmail(input: $input) { emailConfirmed userErrors { field message code } }
}"""

LOGIN = """
mutation Login($input: LoginInput!) {
  login(input: $input) {
    token secondFactorRequired challenge noteRecoveryKey
    viewer { id email }
    userErrors { field message code }
  }
}"""

VIEWER = "{ viewer { id email name roles timeZone locale secondFactorEnabled } }"


async def register(api: Any, email: str, *, name: str = "Anna Jónsdóttir",
                   roles: tuple[str, ...] = ("CLIENT",), time_zone: str = "Atlantic/Reykjavik",
                   password: str = PASSWORD, locale: str = "en") -> str:
    """Register, open the confirmation link, sign in: the bearer token of the new account."""
    return (await register_and_sign_in(api, email, name=name, roles=roles, time_zone=time_zone,
                                       password=password, locale=locale))["token"]


async def register_and_sign_in(api: Any, email: str, *, name: str = "Anna Jónsdóttir",
                               roles: tuple[str, ...] = ("CLIENT",),
                               time_zone: str = "Atlantic/Reykjavik", password: str = PASSWORD,
                               locale: str = "en") -> dict[str, Any]:
    """The login payload of a new account's first sign-in, after confirming its address."""
    data = await api.data(REGISTER, {"input": {
        "email": email, "password": password, "name": name, "timeZone": time_zone,
        "locale": locale, "roles": list(roles), **CURRENT_TERMS,
    }})
    assert data["register"] == {"accepted": True, "userErrors": []}
    token = await emailed_token(api.settings, email, "confirm_email",
                                database_url=getattr(api, "database_url", None))
    confirmed = (await api.data(CONFIRM_EMAIL, {"input": {"token": token}}))["confirmEmail"]
    assert confirmed == {"emailConfirmed": True, "userErrors": []}
    signed_in = await login(api, email, password)
    assert signed_in["token"], signed_in
    return signed_in


async def emailed_token(settings: Settings, to: str, template: str, *,
                        database_url: str | None = None) -> str:
    """The link token of the newest `template` email to `to`, read from the outbox as the
    sender would deliver it (tests that check delivery itself use the `mailbox` fixture).

    `database_url` names another PostgreSQL database than the suite's (an app on a private
    cluster); its outbox is read directly."""
    address = normalise_email(to)
    for sealed in await _outbox_contents(template, database_url):
        content = orjson.loads(secrets_at_rest.decrypt(settings.secret_key, sealed,
                                                       purpose=outbox.CONTENT_PURPOSE))
        if content["to"] == address and (found := TOKEN_IN_LINK.search(content["text"])):
            return found.group(1)
    raise AssertionError(f"no {template} email with a link to {to}")


async def _outbox_contents(template: str, database_url: str | None) -> list[bytes]:
    if database_url is None:
        return [message.content for message in await OutboxMessage.filter(
            template=template, content__not_isnull=True).order_by("-created_at")]
    connection = await asyncpg.connect(database_url)
    try:
        rows = await connection.fetch(
            "SELECT content FROM outbox_message WHERE template = $1 AND content IS NOT NULL "
            "ORDER BY created_at DESC", template)
    finally:
        await connection.close()
    return [bytes(row["content"]) for row in rows]
async def emailed_templates(settings: Settings, to: str) -> list[str]:
    """The templates of the emails waiting in the outbox for `to`, oldest first."""
    address = normalise_email(to)
    found = []
    for message in await OutboxMessage.filter(content__isnull=False).order_by("created_at"):
        content = orjson.loads(secrets_at_rest.decrypt(settings.secret_key, message.content,
                                                       purpose=outbox.CONTENT_PURPOSE))
        if content["to"] == address:
            found.append(message.template)
    return found


async def login(api: Any, email: str, password: str = PASSWORD) -> dict[str, Any]:
    return (await api.data(LOGIN, {"input": {"email": email, "password": password}}))["login"]
