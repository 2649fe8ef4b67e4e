"""Hostile requests against the real server in production mode: each is refused cleanly, no
answer suggests a name, and the server's log (stdout and stderr) holds none of the values sent."""

from __future__ import annotations

import json
from pathlib import Path

import httpx

from tests.served_app import served

PRODUCTION = {
    "ENVIRONMENT": "production",
    "SECRET_KEY": "k" * 43,
    "SMTP_HOST": "127.0.0.1",
    "SMTP_PORT": "9",
    "ARGON2_TIME_COST": "2",
    "ARGON2_MEMORY_KIB": "19456",
}
LOGIN = "mutation($input: LoginInput!) { login(input: $input) { token } }"
REGISTER = "mutation($input: RegisterInput!) { register(input: $input) { accepted } }"


def _secret(n: int) -> str:
    return f"S3cretHunter2Value{n}x"


def _hostile_documents() -> list[tuple[str, dict]]:
    """(query, variables) pairs; every value in them is a distinct secret."""
    s = _secret
    return [
        (f'mutation {{ login(input: {{email: "{s(1)}", password: "{s(2)}", '
         f'passwrd: "{s(3)}"}}) {{ token }} }}', {}),
        (LOGIN, {"input": {"email": s(4), "password": s(5), "passwrd": s(6)}}),
        (f'{{ viewr(token: "{s(7)}") {{ id }} }}', {}),
        (f'{{ viewer {{ id secret(value: "{s(8)}") }} }}', {}),
        (f'query($x: Qurey = "{s(9)}") {{ viewer {{ id }} }}', {}),
        ("query($x: Strng) { viewer { id } }", {"x": s(10)}),
        (f'mutation {{ register(input: {{email: "{s(11)}", password: "{s(12)}", name: "n", '
         f'timeZone: "UTC", roles: [{s(13)}]}}) {{ token }} }}', {}),
        (REGISTER, {"input": {"email": s(14), "password": s(15), "name": s(16),
                              "timeZone": "UTC", "roles": [s(17)]}}),
        (f'mutation {{ login(input: {{email: ["{s(18)}"], password: {{a: "{s(19)}"}}}}) '
         "{ token } }", {}),
        (LOGIN, {"input": s(20)}),
        (f'{{ viewer {{ id }} }} "{s(21)}"', {}),
        ("query($f: Int) { myPayments(first: $f) { edges { cursor } } }", {"f": s(22)}),
    ]


SECRETS = [_secret(n) for n in range(1, 30)]


async def test_hostile_requests_are_refused_and_leave_no_value_in_the_log(
        database_url: str, database: None, tmp_path: Path) -> None:
    log = tmp_path / "server.log"
    answers: list[str] = []
    async with served(database_url, log, **PRODUCTION) as server, httpx.AsyncClient(
            base_url=server.url, timeout=30) as http:
        oversized = json.dumps({"query": "{ viewer { id } }",
                                "variables": {"x": _secret(23) * 100_000}})
        assert len(oversized) > 2_000_000
        response = await http.post("/graphql", content=oversized,
                                   headers={"content-type": "application/json"})
        assert response.status_code == 413
        assert response.json()["errors"][0]["extensions"]["code"] == "PAYLOAD_TOO_LARGE"
        answers.append(response.text)

        invalid_utf8 = ('{"query": "{ viewer { id } }", "variables": {"x": "'
                        f'{_secret(24)}').encode() + b'\xff\xfe"}}'
        response = await http.post("/graphql", content=invalid_utf8,
                                   headers={"content-type": "application/json"})
        assert response.status_code == 400
        assert response.json()["errors"][0]["extensions"]["code"] == "BAD_REQUEST"
        answers.append(response.text)

        for query, variables in _hostile_documents():
            response = await http.post("/graphql", json={"query": query,
                                                         "variables": variables})
            assert response.status_code == 200, response.text
            errors = response.json()["errors"]
            assert all(e["extensions"]["code"] != "INTERNAL" for e in errors), errors
            answers.append(response.text)

    logged = log.read_text(errors="replace")
    assert "Request refused" in logged  # the log does see the refusals
    for answer in answers:
        assert "Did you mean" not in answer
        assert not [s for s in SECRETS if s in answer], answer
    assert not [s for s in SECRETS if s in logged], logged
