"""Models read by hand-written SQL are the models Tortoise itself loads: the same values, of
the same types, on both engines, and they save like loaded ones."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

from tortoise.models import Model

from models.accounts import Account, LoginSession
from models.practice import Engagement, ProfessionalProfile, Service
from models.scheduling import Session, SessionStatus
from resolvers.core import hand_sql
from resolvers.core.pagination import PageRequest
from tests.hub_steps import add_session, client, connect, practice


def _fields(instance: Model) -> dict[str, tuple[type, Any]]:
    """Every stored field's value and its type (a UUID of asyncpg's kind is not a str)."""
    return {name: (type(getattr(instance, name)), getattr(instance, name))
            for name in instance._meta.fields_db_projection}


async def test_hand_built_models_equal_tortoises_own(api: Any) -> None:
    owner = await practice(api, "pro@hand.test", "Dr Hand", ["Therapy"])
    token = await client(api, "anna@hand.test", "Anna")
    engagement = await connect(api, token, owner, "Therapy")
    held = await add_session(engagement, datetime.now(UTC) - timedelta(days=3))
    held.cancelled_at = datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=UTC)
    held.status = SessionStatus.CANCELLED
    await held.save()
    for model in (Session, Engagement, Service, ProfessionalProfile, LoginSession, Account):
        loaded = await model.all().order_by("id")
        rows = await hand_sql.fetch(
            f"SELECT * FROM {model._meta.db_table} ORDER BY id", [])  # noqa: S608
        built = rows.models(model)
        assert built, model
        assert [_fields(b) for b in built] == [_fields(t) for t in loaded], model


async def test_joined_models_and_saving_a_hand_built_one(api: Any) -> None:
    owner = await practice(api, "pro@hand.test", "Dr Hand", ["Therapy"])
    token = await client(api, "anna@hand.test", "Anna")
    engagement = await connect(api, token, owner, "Therapy")
    rows = await hand_sql.fetch(
        f"SELECT {hand_sql.columns(Engagement, 'e')}, {hand_sql.columns(Service, 's')} "  # noqa: S608
        "FROM engagement e JOIN service s ON s.id = e.service_id", [])
    built = rows.models(Engagement, "e")[0]
    hand_sql.attach(built, "service", rows.models(Service, "s")[0])
    assert _fields(built) == _fields(engagement)
    assert built.service.title == "Therapy"
    built.request_message = "changed by a hand-built model"
    await built.save(update_fields=["request_message"])
    assert (await Engagement.get(id=engagement.id)).request_message == (
        "changed by a hand-built model")


async def test_a_keyset_page_keeps_its_cursor_when_the_filter_has_an_or(api: Any) -> None:
    """`where` is parenthesised: an OR in it does not step around the page's condition."""
    owner = await practice(api, "pro@hand.test", "Dr Hand", ["Therapy"])
    token = await client(api, "anna@hand.test", "Anna")
    engagement = await connect(api, token, owner, "Therapy")
    start = datetime.now(UTC) - timedelta(days=30)
    for day in range(4):
        await add_session(engagement, start + timedelta(days=day))
    order = [("starts_at", datetime, True), ("id", UUID, True)]
    where, values = "client_id = ? OR professional_id = ?", [engagement.client_id,
                                                             owner.account.id]
    first = await hand_sql.keyset_page(Session, where, values, order=order,
                                       request=PageRequest.of(first=2))
    second = await hand_sql.keyset_page(Session, where, values, order=order,
                                        request=PageRequest.of(first=2,
                                                               after=first.cursors[-1]))
    assert [s.starts_at for s in first.items + second.items] == [
        start + timedelta(days=day) for day in (3, 2, 1, 0)]
