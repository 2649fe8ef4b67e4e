"""What the real server (uvicorn) does with oversized bodies and with secrets in URLs."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from crypto.tokens import new_token
from tests.payment_steps import book, download, engaged_practice, record_manual
from tests.served_app import Served, served
from tests.test_server import _HttpApi

MIB = 1024 * 1024
BODY_MIB = 50


@pytest.fixture
async def server(database_url: str, database: None, tmp_path: Path) -> AsyncIterator[Served]:
    async with served(database_url, tmp_path / "server.log") as app:
        yield app


def _padded_document(size: int) -> bytes:
    """A well-formed GraphQL request whose variables pad it to `size` bytes."""
    head, tail = b'{"query": "{ viewer { id } }", "variables": {"pad": "', b'"}}'
    return head + b"x" * (size - len(head) - len(tail)) + tail


async def _chunks(body: bytes, size: int = 64 * 1024) -> AsyncIterator[bytes]:
    for start in range(0, len(body), size):
        yield body[start:start + size]


def _assert_too_large(response: httpx.Response) -> None:
    assert response.status_code == 413
    error = response.json()["errors"][0]
    assert error["extensions"]["code"] == "PAYLOAD_TOO_LARGE"
    assert "1048576 bytes" in error["message"]


async def test_a_chunked_upload_over_the_limit_is_refused_without_being_held(server):
    body = _padded_document(BODY_MIB * MIB)
    before = server.peak_memory_kib()
    async with httpx.AsyncClient(base_url=server.url, timeout=60) as http:
        response = await http.post("/graphql", content=_chunks(body),
                                   headers={"Content-Type": "application/json"})
        assert "content-length" not in response.request.headers
        _assert_too_large(response)
        declared = await http.post("/graphql", content=body,
                                   headers={"Content-Type": "application/json"})
        _assert_too_large(declared)
        still_served = await http.post("/graphql", json={"query": "{ viewer { id } }"})
    assert still_served.json() == {"data": {"viewer": None}}
    grown_mib = (server.peak_memory_kib() - before) / 1024
    assert grown_mib < BODY_MIB / 5, f"the server grew {grown_mib:.0f} MiB"


async def test_a_body_within_the_limit_is_served(server):
    async with httpx.AsyncClient(base_url=server.url) as http:
        response = await http.post("/graphql", content=_chunks(_padded_document(MIB)),
                                   headers={"Content-Type": "application/json"})
    assert response.json() == {"data": {"viewer": None}}


async def test_the_access_log_shows_no_feed_token_or_receipt_signature(server):
    feed_token = new_token()
    async with httpx.AsyncClient(base_url=server.url) as http:
        api = _HttpApi(http)
        practice = await engaged_practice(api)
        payment = (await record_manual(api, practice.professional,
                                       await book(practice)))["payment"]
        receipt = await download(api, payment["receiptUrl"])
        feed = await http.get(f"/calendar/{feed_token}.ics")
    assert receipt.status_code == 200
    assert feed.status_code == 404

    log = server.log.read_text()
    query = httpx.URL(payment["receiptUrl"]).params
    assert '"GET /calendar/[redacted].ics HTTP/1.1" 404' in log
    assert '.pdf?[redacted] HTTP/1.1" 200' in log
    for secret in (feed_token, query["signature"]):
        assert secret not in log
    # The link's `for` is an account id: the `request` lines name the signed-in caller's id by
    # design (docs/deploy.md, "Logs"), but no access line repeats the link's query.
    access = [line for line in log.splitlines() if "uvicorn.access" in line]
    assert access
    assert not [line for line in access if query["for"] in line]
