"""Two unrelated practices, each with one active client and everything a client and a
professional own (a session, a payment with its receipt link, a note, a calendar feed, an
invitation, a data export), for the authorization matrix and the fuzzing. Practice A's objects
are the ones asked about; practice B's people are the strangers, so a missing filter shows."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

from strawberry import relay

from models.scheduling import SessionSeries
from resolvers.privacy.exports_building import build_pending
from tests.helpers import PASSWORD, emailed_token
from tests.hub_steps import node_uuid
from tests.note_steps import practice_with_client, session_with, written
from tests.payment_steps import record_manual
from tests.practice_steps import invite
from tests.scheduling_steps import set_availability

SIGRUN, ANNA = "sigrun@example.com", "anna@example.com"
"""Practice A: the owning professional and the owning client."""
BJORN, GUNNAR = "bjorn@example.com", "gunnar@example.com"
"""Practice B: the unrelated professional and the unrelated client."""

IDENTITIES = ("signed_out", "unrelated_client", "owning_client", "unrelated_professional",
              "owning_professional")

CREATE_FEED = "mutation { createCalendarFeed { url feed { id } userErrors { code } } }"
DAY_OFF = """mutation { addAvailabilityException(input: {date: "2099-02-01", kind: CLOSED}) {
  exception { id } userErrors { code } } }"""
EXPORT = """mutation($input: ExportMyDataInput!) {
  exportMyData(input: $input) { dataExport { id } userErrors { code } } }"""
GLOBAL_IDS = ("session", "payment", "note", "client_profile", "service", "engagement",
              "invitation", "feed", "availability_exception", "series")
FEED_TOKEN = re.compile(r"/calendar/([^/]+)\.ics")


@dataclass
class World:
    tokens: dict[str, str | None]
    """The bearer token of each identity (None: signed out)."""
    ids: dict[str, str]
    """Practice A's objects by kind: global ids, slugs, link paths."""
    missing: dict[str, str] = field(default_factory=dict)
    """The same kinds for objects that do not exist: the answer must be the same."""


async def build(api: Any) -> World:
    sigrun = await practice_with_client(api, SIGRUN, ANNA)
    bjorn = await practice_with_client(api, BJORN, GUNNAR)
    owned = await _owned_objects(api, sigrun)
    await _owned_objects(api, bjorn)
    tokens: dict[str, str | None] = {
        "signed_out": None, "unrelated_client": bjorn.client_token,
        "owning_client": sigrun.client_token, "unrelated_professional": bjorn.token,
        "owning_professional": sigrun.token,
    }
    return World(tokens=tokens, ids=owned, missing=_missing_like(owned))


async def _owned_objects(api: Any, practice: Any) -> dict[str, str]:
    session = await session_with(practice.email, practice.client_email)
    session_id = relay.to_base64("Session", str(session.id))
    paid = await record_manual(api, practice.token, session)
    assert paid["userErrors"] == [], paid
    note = await written(api, practice.token, practice.client_id)
    invitation = await invite(api, practice.token, practice.service["id"],
                              email=f"invited-{practice.email}")
    feed = (await api.data(CREATE_FEED, token=practice.client_token))["createCalendarFeed"]
    exported = (await api.data(EXPORT, {"input": {"identity": {"password": PASSWORD}}},
                               token=practice.client_token))["exportMyData"]
    assert exported["userErrors"] == [], exported
    await build_pending(api.settings)
    engagement = await _engagement_id(api, practice)
    today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    await set_availability(api, practice.token)
    day_off = (await api.data(DAY_OFF, token=practice.token))["addAvailabilityException"]
    assert day_off["userErrors"] == [], day_off
    series = await SessionSeries.create(engagement_id=node_uuid(engagement),
                                        every_weeks=1, count=2, created_by_id=session.client_id)
    return {
        "session": session_id, "payment": paid["payment"]["id"], "note": note["id"],
        "client_profile": practice.client_id, "service": practice.service["id"],
        "service_slug": practice.service["slug"],
        "question": practice.service["customQuestions"][0]["id"], "engagement": engagement,
        "invitation": invitation["id"],
        "invitation_token": await emailed_token(api.settings, f"invited-{practice.email}",
                                                "invitation"),
        "receipt_path": _path(paid["payment"]["receiptUrl"]),
        "feed": feed["feed"]["id"], "availability_exception": day_off["exception"]["id"],
        "series": relay.to_base64("SessionSeries", str(series.id)),
        "slots_from": (today + timedelta(days=1)).isoformat(),
        "slots_to": (today + timedelta(days=8)).isoformat(),
        "feed_path": "/calendar/" + FEED_TOKEN.search(feed["url"]).group(1) + ".ics",
        "export_path": await _export_path(api, practice.client_email),
        "session_calendar_path": await _session_calendar_path(api, practice, session_id),
    }


async def _engagement_id(api: Any, practice: Any) -> str:
    engagements = (await api.data("{ myEngagements { id } }", token=practice.client_token)
                   )["myEngagements"]
    return str(engagements[0]["id"])


async def _session_calendar_path(api: Any, practice: Any, session_id: str) -> str:
    found = (await api.data("query($id: ID!) { node(id: $id) { ... on Session { "
                            "calendarFileUrl } } }", {"id": session_id},
                            token=practice.client_token))["node"]
    return _path(found["calendarFileUrl"])


async def _export_path(api: Any, email: str) -> str:
    from tests.test_data_export import link_token

    return f"/exports/{await link_token(api, email)}.zip"


def _path(url: str) -> str:
    return re.sub(r"^https?://[^/]+", "", url)


def _missing_like(owned: dict[str, str]) -> dict[str, str]:
    """An id of the same type for every global id, pointing at nothing."""
    missing = dict(owned)
    for kind in GLOBAL_IDS:
        type_name = relay.GlobalID.from_id(owned[kind]).type_name
        missing[kind] = relay.to_base64(type_name, str(uuid.uuid4()))
    missing["service_slug"] = "no-such-service"
    missing["invitation_token"] = "A" * 43
    missing["receipt_path"] = re.sub(r"/receipts/[^.]+", "/receipts/" + missing["payment"],
                                     owned["receipt_path"])
    missing["feed_path"] = "/calendar/" + "A" * 43 + ".ics"
    missing["export_path"] = "/exports/" + "A" * 43 + ".zip"
    missing["session_calendar_path"] = re.sub(
        r"/sessions/[^.]+", "/sessions/" + quote(missing["session"], safe=""),
        owned["session_calendar_path"])
    return missing
