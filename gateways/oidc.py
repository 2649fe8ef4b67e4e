"""The OpenID Connect relying party of eID sign-in, on Authlib and joserfc.

Authlib's AsyncOAuth2Client builds the authorization URL (PKCE S256) and redeems the code;
joserfc checks the ID token's signature against the provider's JWKS and Authlib's
CodeIDToken its claims (iss, aud, exp, iat, nonce, at_hash), as Authlib's own OpenID client
does. The discovery document and the JWKS are cached per issuer; a token whose key is not in
the cached JWKS (the provider rotated its keys) makes the JWKS be fetched again, once.

Every failure is an `OidcError` whose `kind` says what the person can do about it; nothing
from the provider's answer is echoed back.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from enum import Enum
from typing import Any

import httpx
from authlib.integrations.base_client.errors import OAuthError
from authlib.oidc.core import CodeIDToken
from joserfc import jwt
from joserfc.errors import BadSignatureError, InvalidKeyIdError, JoseError
from joserfc.jwk import KeySet
from joserfc.jws import JWSRegistry

from settings import OidcProvider, Settings

with warnings.catch_warnings():
    # Authlib 1.9 prefers the httpx2 fork and warns when it runs on httpx, the HTTP client
    # pinned here for stripe as well; httpx is still supported, so one client library it is.
    warnings.filterwarnings("ignore", "The httpx module is deprecated", DeprecationWarning)
    from authlib.integrations.httpx_client import AsyncOAuth2Client

LEEWAY_SECONDS = 60
"""Clock difference tolerated between the provider and us for exp and iat."""


class OidcFailure(Enum):
    UNAVAILABLE = "unavailable"
    """The provider did not answer, or answered something that is not OpenID Connect."""
    REFUSED = "refused"
    """The provider refused: the code was used or is not ours, consent was refused."""
    INVALID_TOKEN = "invalid_token"
    """The ID token failed a check: signature, issuer, audience, expiry or nonce."""


class OidcError(Exception):
    def __init__(self, kind: OidcFailure) -> None:
        super().__init__(kind.value)
        self.kind = kind


@dataclass(frozen=True)
class ProvenIdentity:
    subject: str
    national_id: str
    name: str


@dataclass
class _Discovered:
    metadata: dict[str, Any]
    jwks: dict[str, Any] | None = None


_cache: dict[str, _Discovered] = {}


def _http(settings: Settings) -> httpx.AsyncClient:
    return httpx.AsyncClient(timeout=settings.oidc_timeout_seconds)


async def _discover(settings: Settings, provider: OidcProvider) -> _Discovered:
    found = _cache.get(provider.issuer)
    if found is not None:
        return found
    url = f"{provider.issuer}/.well-known/openid-configuration"
    try:
        async with _http(settings) as http:
            response = await http.get(url)
        response.raise_for_status()
        metadata = response.json()
    except (httpx.HTTPError, ValueError):
        raise OidcError(OidcFailure.UNAVAILABLE) from None
    needed = ("authorization_endpoint", "token_endpoint", "jwks_uri")
    if (not isinstance(metadata, dict) or metadata.get("issuer") != provider.issuer
            or not all(isinstance(metadata.get(k), str) for k in needed)):
        raise OidcError(OidcFailure.UNAVAILABLE)
    found = _Discovered(metadata)
    _cache[provider.issuer] = found
    return found


async def _key_set(settings: Settings, discovered: _Discovered, *, refresh: bool) -> KeySet:
    if discovered.jwks is None or refresh:
        try:
            async with _http(settings) as http:
                response = await http.get(discovered.metadata["jwks_uri"])
            response.raise_for_status()
            discovered.jwks = response.json()
        except (httpx.HTTPError, ValueError):
            raise OidcError(OidcFailure.UNAVAILABLE) from None
    try:
        return KeySet.import_key_set(discovered.jwks)  # type: ignore[arg-type]
    except (JoseError, ValueError, TypeError, KeyError):
        raise OidcError(OidcFailure.UNAVAILABLE) from None


def _client(settings: Settings, provider: OidcProvider, redirect_uri: str) -> AsyncOAuth2Client:
    return AsyncOAuth2Client(
        client_id=provider.client_id, client_secret=provider.client_secret,
        scope=provider.scopes, redirect_uri=redirect_uri, code_challenge_method="S256",
        timeout=settings.oidc_timeout_seconds,
    )


async def authorization_url(settings: Settings, provider: OidcProvider, *, redirect_uri: str,
                            state: str, nonce: str, code_verifier: str) -> str:
    """Where to send the browser: the provider's sign-in page for this attempt."""
    discovered = await _discover(settings, provider)
    async with _client(settings, provider, redirect_uri) as client:
        url, _ = client.create_authorization_url(
            discovered.metadata["authorization_endpoint"], state=state,
            code_verifier=code_verifier, nonce=nonce,
        )
    return str(url)


async def redeem_code(settings: Settings, provider: OidcProvider, *, redirect_uri: str,
                      code: str, code_verifier: str, nonce: str) -> ProvenIdentity:
    """Exchange the code for tokens, check the ID token, read the person's identifiers (from
    userinfo when the ID token does not carry them)."""
    discovered = await _discover(settings, provider)
    async with _client(settings, provider, redirect_uri) as client:
        try:
            token = await client.fetch_token(
                discovered.metadata["token_endpoint"], grant_type="authorization_code",
                code=code, code_verifier=code_verifier,
            )
        except OAuthError:
            raise OidcError(OidcFailure.REFUSED) from None
        except (httpx.HTTPError, ValueError):
            raise OidcError(OidcFailure.UNAVAILABLE) from None
        if not isinstance(token.get("id_token"), str):
            raise OidcError(OidcFailure.INVALID_TOKEN)
        claims = await _checked_claims(settings, provider, discovered, token, nonce)
        if (provider.national_id_claim not in claims
                and discovered.metadata.get("userinfo_endpoint")):
            claims = {**await _userinfo(client, discovered, claims["sub"]), **claims}
    national_id = claims.get(provider.national_id_claim)
    name = claims.get(provider.name_claim) or ""
    if not isinstance(national_id, str) or not national_id.strip():
        raise OidcError(OidcFailure.INVALID_TOKEN)
    return ProvenIdentity(subject=str(claims["sub"]), national_id=national_id.strip(),
                          name=str(name).strip()[:200])


async def _checked_claims(settings: Settings, provider: OidcProvider, discovered: _Discovered,
                          token: dict[str, Any], nonce: str) -> dict[str, Any]:
    algorithms = discovered.metadata.get("id_token_signing_alg_values_supported") or ["RS256"]
    registry = JWSRegistry(algorithms=list(algorithms), strict_check_header=False)
    decoded = None
    for refresh in (False, True):
        keys = await _key_set(settings, discovered, refresh=refresh)
        try:
            decoded = jwt.decode(token["id_token"], keys, registry=registry)
            break
        except (InvalidKeyIdError, BadSignatureError):
            continue  # rotated keys: fetch the JWKS once more
        except (JoseError, ValueError):
            raise OidcError(OidcFailure.INVALID_TOKEN) from None
    if decoded is None:
        raise OidcError(OidcFailure.INVALID_TOKEN)
    claims = CodeIDToken(
        decoded.claims, decoded.header, {"iss": {"values": [provider.issuer]}},
        {"nonce": nonce, "client_id": provider.client_id,
         "access_token": token.get("access_token")},
    )
    try:
        claims.validate(leeway=LEEWAY_SECONDS)
    except (JoseError, ValueError):
        raise OidcError(OidcFailure.INVALID_TOKEN) from None
    if not isinstance(claims.get("sub"), str):
        raise OidcError(OidcFailure.INVALID_TOKEN)
    return dict(claims)


async def _userinfo(client: AsyncOAuth2Client, discovered: _Discovered,
                    subject: str) -> dict[str, Any]:
    """The userinfo claims; its `sub` must be the ID token's (OpenID Connect Core 5.3.2)."""
    try:
        response = await client.get(discovered.metadata["userinfo_endpoint"])
        response.raise_for_status()
        info = response.json()
    except (httpx.HTTPError, OAuthError, ValueError):
        raise OidcError(OidcFailure.UNAVAILABLE) from None
    if not isinstance(info, dict) or info.get("sub") != subject:
        raise OidcError(OidcFailure.INVALID_TOKEN)
    return info
