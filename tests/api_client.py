"""The in-process GraphQL client every test uses."""

from __future__ import annotations

from typing import Any

import httpx

from app import create_app
from gateways.events import Events
from settings import Settings


class Api:
    """The GraphQL endpoint as the SPA calls it, in process (no lifespan: the test owns the DB).

    `events` is the app's bus when it must be another app's (two processes on PostgreSQL).
    """

    def __init__(self, settings: Settings, events: Events | None = None) -> None:
        self.settings = settings
        self.http = httpx.AsyncClient(
            transport=httpx.ASGITransport(
                app=create_app(settings, manage_database=False, events=events)),
            base_url="http://hub.test",
        )

    async def __aenter__(self) -> Api:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self.http.aclose()

    async def __call__(self, query: str, variables: dict[str, Any] | None = None, *,
                       token: str | None = None) -> dict[str, Any]:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        response = await self.http.post("/graphql", json={"query": query,
                                                          "variables": variables or {}},
                                         headers=headers)
        assert response.status_code == 200, response.text
        return response.json()

    async def data(self, query: str, variables: dict[str, Any] | None = None, *,
                   token: str | None = None) -> dict[str, Any]:
        """The `data` of a response that must have no GraphQL errors."""
        body = await self(query, variables, token=token)
        assert "errors" not in body, body["errors"]
        return body["data"]
