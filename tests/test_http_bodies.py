"""Bodies /graphql cannot read are refused with 400 and a JSON error, never a plain-text 500."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize("body", [
    pytest.param(b'{"query": "{ viewer { id } }", "variables": {"x": "\xff\xfe hunter2"}}',
                 id="invalid UTF-8"),
    pytest.param(b'{"query": "{ viewer { id } }"', id="malformed JSON"),
    pytest.param(b'["{ viewer { id } }"]', id="an array"),
    pytest.param(b'"hunter2"', id="a string"),
    pytest.param(b'{"query": "{ viewer { id } }", "variables": "hunter2"}',
                 id="variables not an object"),
])
async def test_an_unreadable_body_is_a_json_bad_request(api, caplog, body):
    caplog.set_level("DEBUG")
    response = await api.http.post("/graphql", content=body,
                                   headers={"content-type": "application/json"})
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/json"
    [error] = response.json()["errors"]
    assert error["extensions"] == {"code": "BAD_REQUEST"}
    assert "hunter2" not in response.text
    assert "hunter2" not in caplog.text
