"""Small steps many tests take, written as the SPA would take them."""

from __future__ import annotations

from typing import Any

PASSWORD = "correct horse battery"

REGISTER = """
mutation Register($input: RegisterInput!) {
  register(input: $input) {
    token expiresAt
    viewer { id email name roles timeZone secondFactorEnabled }
    userErrors { field message code }
  }
}"""

LOGIN = """
mutation Login($input: LoginInput!) {
  login(input: $input) {
    token secondFactorRequired challenge
    viewer { id email }
    userErrors { field message code }
  }
}"""

VIEWER = "{ viewer { id email name roles timeZone locale secondFactorEnabled } }"


async def register(api: Any, email: str, *, name: str = "Anna Jónsdóttir",
                   roles: tuple[str, ...] = ("CLIENT",), time_zone: str = "Atlantic/Reykjavik",
                   password: str = PASSWORD) -> str:
    data = await api.data(REGISTER, {"input": {
        "email": email, "password": password, "name": name, "timeZone": time_zone,
        "roles": list(roles),
    }})
    payload = data["register"]
    assert payload["userErrors"] == []
    return payload["token"]


async def login(api: Any, email: str, password: str = PASSWORD) -> dict[str, Any]:
    return (await api.data(LOGIN, {"input": {"email": email, "password": password}}))["login"]
