"""A real OpenID provider for the eID tests: clients/oidc/provider.mjs (the npm package
`oidc-provider`, pinned in clients/package-lock.json) on a free loopback port, and a person
going through its own login and consent pages with httpx, as a browser would.

Node is found as tests/node_clients.py finds it: without it the tests are skipped, with
CI=true they fail.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from html import unescape
from urllib.parse import parse_qs, urljoin, urlsplit

import httpx

from settings import OidcProvider
from tests.mailbox import free_port
from tests.node_clients import node_clients

CLIENT_ID = "therapy-hub"
CLIENT_SECRET = "therapy-hub-secret"
REDIRECT_URI = "http://spa.test/eid/return"
PEOPLE = {"jon": ("Jón Jónsson", "0101302989"), "gudrun": ("Guðrún Helgadóttir", "1203894569")}
"""The provider's test people: login name → (name, national id), as in provider.mjs."""


@dataclass
class LocalProvider:
    issuer: str

    def settings(self, provider_id: str = "island") -> OidcProvider:
        return OidcProvider(id=provider_id, name="Ísland.is (test)", issuer=self.issuer,
                            client_id=CLIENT_ID, client_secret=CLIENT_SECRET,
                            scopes="openid profile national_id", national_id_claim="nationalId")

    def switch(self, path: str) -> None:
        """One of provider.mjs's test switches (/test/...)."""
        assert httpx.get(f"{self.issuer}/test/{path}").status_code == 204

    async def sign_in(self, authorization_url: str, person: str = "jon", *,
                      consent: bool = True) -> dict[str, str]:
        """Log in and consent on the provider's pages; the query it sends the browser back
        to REDIRECT_URI with (code, state, iss, or error)."""
        async with httpx.AsyncClient(timeout=30) as browser:
            response = await browser.get(authorization_url)
            for _ in range(10):
                if response.is_redirect:
                    target = urljoin(str(response.url), response.headers["location"])
                    if target.startswith(REDIRECT_URI):
                        return {k: v[0] for k, v in parse_qs(urlsplit(target).query).items()}
                    response = await browser.get(target)
                    continue
                assert response.status_code == 200, response.text
                page = response.text
                action = unescape(re.search(r'<form[^>]*action="([^"]+)"', page).group(1))
                if 'name="prompt" value="login"' in page:
                    form = {"prompt": "login", "login": person, "password": "anything"}
                elif not consent:
                    abort = unescape(re.search(r'href="([^"]*/abort)"', page).group(1))
                    response = await browser.get(urljoin(str(response.url), abort))
                    continue
                else:
                    form = {"prompt": "consent"}
                response = await browser.post(urljoin(str(response.url), action), data=form)
        raise AssertionError("the provider never sent the browser back")


@contextlib.contextmanager
def running_provider() -> Iterator[LocalProvider]:
    clients = node_clients("the eID sign-in tests against oidc-provider")
    node = shutil.which("node")
    assert node is not None
    port = free_port()
    process = subprocess.Popen(
        [node, str(clients / "oidc" / "provider.mjs")], cwd=clients,
        env={**os.environ, "PORT": str(port), "REDIRECT_URIS": REDIRECT_URI},
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        assert line.startswith("listening "), f"provider.mjs did not start: {line!r}"
        yield LocalProvider(issuer=line.split()[1])
    finally:
        process.terminate()
        process.wait(timeout=10)
