"""Keyset pagination over real rows (audit entries stand in for any growing list)."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta
from uuid import uuid4

import orjson
import pytest

from models.audit import AuditEntry
from resolvers.core.errors import PublicError
from resolvers.core.pagination import PageRequest, keyset_page
from tests.helpers import register

ORDER = [("at", datetime, True), ("id", type(uuid4()), True)]


async def _entries(count: int) -> list[AuditEntry]:
    start = datetime(2026, 1, 1, tzinfo=UTC)
    rows = [AuditEntry(action=f"a{i}", sequence=i + 1, at=start + timedelta(hours=i // 2))
            for i in range(count)]
    await AuditEntry.bulk_create(rows)
    return await AuditEntry.all().order_by("-at", "-id")


async def test_pages_walk_every_row_once_in_order_even_with_equal_sort_keys():
    expected = [e.id for e in await _entries(25)]
    seen, after = [], None
    while True:
        page = await keyset_page(AuditEntry.all(), order=ORDER,
                                 request=PageRequest.of(first=7, after=after))
        seen += [e.id for e in page.items]
        if not page.has_next_page:
            break
        after = page.cursors[-1]
    assert seen == expected


async def test_rows_added_before_the_cursor_do_not_shift_the_next_page():
    await _entries(10)
    first = await keyset_page(AuditEntry.all(), order=ORDER,
                              request=PageRequest.of(first=5))
    await AuditEntry.create(action="newest", sequence=1000, at=datetime(2027, 1, 1, tzinfo=UTC))
    second = await keyset_page(AuditEntry.all(), order=ORDER,
                               request=PageRequest.of(first=5, after=first.cursors[-1]))
    assert not {e.id for e in first.items} & {e.id for e in second.items}
    assert len(second.items) == 5
    assert second.has_next_page is False


@pytest.mark.parametrize("cursor", ["garbage", "e30", "WyJ4Il0"])
async def test_a_bad_cursor_is_a_user_error(cursor):
    await _entries(3)
    with pytest.raises(PublicError) as raised:
        await keyset_page(AuditEntry.all(), order=ORDER,
                          request=PageRequest.of(first=2, after=cursor))
    assert raised.value.extensions == {"code": "INVALID_INPUT", "field": "after"}


@pytest.mark.parametrize("first", [0, -1, 101])
async def test_page_size_is_capped(first):
    with pytest.raises(PublicError, match="between 1 and 100"):
        PageRequest.of(first=first)
    with pytest.raises(PublicError, match="between 1 and 100"):
        PageRequest.of(last=first)


async def test_an_out_of_range_first_on_my_payments_is_a_clean_error(api):
    token = await register(api, "pat@example.com")
    body = await api("{ myPayments(first: 99999999) { edges { cursor } } }", token=token)
    [error] = body["errors"]
    assert error["extensions"]["code"] == "INVALID_INPUT"
    assert "between 1 and 100" in error["message"]


def _cursor(values: list[str]) -> str:
    return base64.urlsafe_b64encode(orjson.dumps(values)).decode().rstrip("=")


@pytest.mark.parametrize("instant", [
    "9999-12-31T23:59:59-05:00",  # past the calendar once in UTC
    "2026-01-01T10:00:00",  # no offset: never one of ours
])
async def test_a_forged_cursor_instant_is_a_user_error_on_the_hub(api, instant):
    """Through the hand-written history query as well as the ORM's keyset."""
    token = await register(api, "pat@example.com")
    cursor = _cursor([instant, str(uuid4())])
    body = await api("query($c: String) { hub { pastSessions(first: 2, after: $c) "
                     "{ edges { cursor } } } }", {"c": cursor}, token=token)
    [error] = body["errors"]
    assert error["extensions"] == {"code": "INVALID_INPUT", "field": "after"}
    with pytest.raises(PublicError) as raised:
        await keyset_page(AuditEntry.all(), order=ORDER,
                          request=PageRequest.of(first=2, after=cursor))
    assert raised.value.extensions == {"code": "INVALID_INPUT", "field": "after"}
