"""Notes through the API against a real server (uvicorn, one process), one request in flight.

    .venv/bin/python bench/notes.py [--database-url postgres://...] [--notes 500] [--reads 200]

Prints `writeNote` per second (2 KB notes), `clientProfile.notes` pages of 50 per second, and
the latency of a search that scans every note of the client (no match, so nothing stops it
early). The crypto alone is in bench/notes_crypto.py.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import Server, machine, running_server, sign_up, summary

PASSWORD = "benchmark passphrase"
CREATE_SERVICE = """mutation($input: CreateServiceInput!) {
  createService(input: $input) { service { slug } } }"""
REQUEST = """mutation($input: RequestServiceInput!) {
  requestService(input: $input) { engagement { id } } }"""
APPROVE = """mutation($input: ApproveRequestInput!) {
  approveRequest(input: $input) { engagement { clientProfileId } } }"""
WRITE = """mutation($input: WriteNoteInput!) {
  writeNote(input: $input) { note { id } userErrors { code } } }"""
NOTES = """query($id: ID!, $first: Int, $search: String) {
  clientProfile(id: $id) { notes(first: $first, search: $search) {
    edges { node { id aboutDate title body } } pageInfo { hasNextPage endCursor } } } }"""
LINE = "Session: sleep better, anxiety 4/10 (was 7). Þórunn: öndun 2x á dag. 🙂\n"
BODY = (LINE * (2_000 // len(LINE) + 1))[:2_000]


async def call(client: httpx.AsyncClient, query: str, variables: dict, token: str | None = None,
               durations: list[float] | None = None) -> dict:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    started = time.perf_counter()
    response = await client.post("/graphql", json={"query": query, "variables": variables},
                                 headers=headers)
    if durations is not None:
        durations.append(time.perf_counter() - started)
    body = response.json()
    assert "errors" not in body, body
    return body["data"]


async def practice(client: httpx.AsyncClient, server: Server) -> tuple[str, str]:
    """(professional's token, the client's profile id)."""
    professional = (await sign_up(client, server, "pro@example.com", PASSWORD,
                                  name="Bench Pro", roles=["PROFESSIONAL"]))["token"]
    slug = (await call(client, CREATE_SERVICE, {"input": {
        "title": "Counselling", "kind": "PSYCHOLOGY", "sessionMinutes": 50,
        "price": {"amount": 18000, "currency": "ISK"}}}, professional)
    )["createService"]["service"]["slug"]
    client_token = (await sign_up(client, server, "client@example.com", PASSWORD,
                                  name="Bench Client"))["token"]
    engagement = (await call(client, REQUEST, {"input": {"slug": slug}}, client_token)
                  )["requestService"]["engagement"]["id"]
    approved = await call(client, APPROVE, {"input": {"engagementId": engagement}}, professional)
    return professional, approved["approveRequest"]["engagement"]["clientProfileId"]


async def measure(server: Server, notes: int, reads: int) -> None:
    async with httpx.AsyncClient(base_url=server.base, timeout=60) as client:
        token, client_id = await practice(client, server)

        writes: list[float] = []
        started = time.perf_counter()
        for i in range(notes):
            day = f"20{20 + i // 365:02}-{1 + i // 28 % 12:02}-{1 + i % 28:02}"
            written = await call(client, WRITE, {"input": {
                "clientId": client_id, "date": day, "title": f"Session {i}", "body": BODY}},
                token, writes)
            assert written["writeNote"]["userErrors"] == []
        print(summary("writeNote, 2 KB", writes, time.perf_counter() - started))

        pages: list[float] = []
        started = time.perf_counter()
        for _ in range(reads):
            page = await call(client, NOTES, {"id": client_id, "first": 50}, token, pages)
            assert len(page["clientProfile"]["notes"]["edges"]) == 50
        print(summary("clientProfile.notes, page of 50 x 2 KB", pages,
                      time.perf_counter() - started))

        searches: list[float] = []
        started = time.perf_counter()
        for _ in range(max(5, reads // 20)):
            found = await call(client, NOTES, {"id": client_id, "first": 20,
                                               "search": "no such words"}, token, searches)
            assert found["clientProfile"]["notes"]["edges"] == []
        print(summary(f"search scanning all {notes} notes, no match", searches,
                      time.perf_counter() - started))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url")
    parser.add_argument("--notes", type=int, default=500)
    parser.add_argument("--reads", type=int, default=200)
    arguments = parser.parse_args()
    print(f"Notes through the API ({machine()}), 1 request in flight\n")
    with running_server(arguments.database_url) as server:
        asyncio.run(measure(server, arguments.notes, arguments.reads))


if __name__ == "__main__":
    main()
