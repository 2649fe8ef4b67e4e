"""The yardstick for bench/hub.py: the default hub page as hand-written raw SQL and orjson.

It answers exactly the JSON that `HUB_PAGE` gets from /graphql (the bench checks that), with
the fewest queries a person would write by hand: sign-in, engagements joined to services and
profiles, upcoming sessions (the next one is the first), a page of past ones, and the progress
(the rollup the database keeps plus the last year's months). No GraphQL, no ORM objects: the
gap to /graphql is what those cost. `/baseline/history` pages the past sessions by a raw keyset
query, the yardstick for `pastSessions(first: 50, after:)`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

import orjson
from starlette.requests import Request
from starlette.responses import Response
from strawberry.relay import to_base64
from tortoise.connection import get_connection

from crypto.tokens import decode_token, lookup_hash
from resolvers.accounts.signin import SESSION_TOKEN
from resolvers.core.pagination import decode_cursor, encode_cursor
from resolvers.practice.progress import MONTHS, month_starts
from settings import Settings

UPCOMING, PAST, HISTORY_PAGE = 5, 20, 50

SESSION_COLUMNS = "id, engagement_id, status, starts_at, ends_at, price_amount, currency"


# The SQL below is built from constants and `?` placeholders only (S608 is a false alarm here).


def _time(value: datetime | str | None) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value.astimezone(UTC) if value else None
    parsed = datetime.fromisoformat(value)
    return (parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)).astimezone(UTC)


class Baseline:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.postgres = settings.database_url.startswith(("postgres", "asyncpg"))

    def _sql(self, text: str) -> str:
        """`?` placeholders, numbered for asyncpg."""
        if not self.postgres:
            return text
        parts = text.split("?")
        return "".join(f"{p}${i}" if i < len(parts) else p for i, p in enumerate(parts, 1))

    async def _rows(self, text: str, values: list[Any]) -> list[dict[str, Any]]:
        return await get_connection("default").execute_query_dict(self._sql(text), values)

    async def _signed_in(self, request: Request) -> tuple[str, str, datetime] | None:
        token = request.headers.get("authorization", "").partition(" ")[2]
        raw = decode_token(token)
        now = datetime.now(UTC)
        signed_in = raw and await self._rows(
            "SELECT a.id, a.time_zone, s.expires_at FROM login_session s JOIN account a ON "
            "a.id = s.account_id WHERE s.token_hash = ? AND s.revoked_at IS NULL",
            [lookup_hash(raw, purpose=SESSION_TOKEN)])
        if not signed_in or _time(signed_in[0]["expires_at"]) <= now:
            return None
        return str(signed_in[0]["id"]), signed_in[0]["time_zone"], now

    async def respond(self, request: Request) -> Response:
        signed_in = await self._signed_in(request)
        if signed_in is None:
            return Response(orjson.dumps({"errors": [{"message": "Sign in."}]}),
                            media_type="application/json")
        return Response(orjson.dumps({"data": {"hub": await self.hub(*signed_in)}}),
                        media_type="application/json")

    async def _engagements(self, account_id: str) -> list[dict[str, Any]]:
        return await self._rows(
            "SELECT e.id, e.status, e.service_id, s.title, s.professional_id, p.display_name "
            "FROM engagement e JOIN service s ON s.id = e.service_id JOIN professional_profile "
            "p ON p.id = s.professional_id WHERE e.client_id = ? "
            "ORDER BY e.created_at DESC, e.id DESC", [account_id])

    def _session_maker(self, by_id: dict[str, dict[str, Any]], local: ZoneInfo, now: datetime
                       ) -> Callable[[dict[str, Any]], dict[str, Any]]:
        def session(row: dict[str, Any]) -> dict[str, Any]:
            engagement = by_id[str(row["engagement_id"])]
            starts, ends = _time(row["starts_at"]), _time(row["ends_at"])
            if starts is None or ends is None:
                raise ValueError("a session always has its times")
            opens = starts - timedelta(minutes=self.settings.join_window_minutes)
            return {
                "id": to_base64("Session", row["id"]), "status": row["status"].upper(),
                "startsAt": starts.isoformat(), "endsAt": ends.isoformat(),
                "startsAtLocal": starts.astimezone(local).isoformat(),
                "endsAtLocal": ends.astimezone(local).isoformat(),
                "canJoin": row["status"] == "scheduled" and opens <= now < ends,
                "joinOpensAt": opens.isoformat(),
                "price": {"amount": row["price_amount"], "currency": row["currency"]},
                "service": {"id": to_base64("Service", engagement["service_id"]),
                            "title": engagement["title"]},
                "professional": {
                    "id": to_base64("ProfessionalProfile", engagement["professional_id"]),
                    "displayName": engagement["display_name"]},
            }

        return session

    async def hub(self, account_id: str, zone: str, now: datetime) -> dict[str, Any]:
        engagements = await self._engagements(account_id)
        by_id = {str(e["id"]): e for e in engagements}
        upcoming = await self._rows(
            f"SELECT {SESSION_COLUMNS} FROM scheduling_session WHERE client_id = ? AND "  # noqa: S608
            "status = 'scheduled' AND ends_at > ? ORDER BY starts_at, id LIMIT ?",
            [account_id, now, UPCOMING])
        past = await self._rows(
            f"SELECT {SESSION_COLUMNS} FROM scheduling_session WHERE client_id = ? AND "  # noqa: S608
            "ends_at <= ? ORDER BY starts_at DESC, id DESC LIMIT ?",
            [account_id, now, PAST + 1])
        progress = await self._progress(list(by_id), zone, now)
        session = self._session_maker(by_id, ZoneInfo(zone), now)

        page = past[:PAST]
        cursors = [encode_cursor([_time(r["starts_at"]), UUID(str(r["id"]))]) for r in page]
        served = [e for e in engagements if e["status"] in ("active", "ended")]
        return {
            "timeZone": zone,
            "nextSession": session(upcoming[0]) if upcoming else None,
            "upcomingSessions": [session(r) for r in upcoming],
            "pastSessions": {
                "edges": [{"cursor": c, "node": session(r)} for r, c in zip(page, cursors,
                                                                             strict=True)],
                "pageInfo": {"hasNextPage": len(past) > PAST,
                             "endCursor": cursors[-1] if cursors else None},
            },
            "engagements": [{
                "id": to_base64("Engagement", e["id"]), "status": e["status"].upper(),
                "service": {"id": to_base64("Service", e["service_id"]), "title": e["title"]},
                "professional": {"id": to_base64("ProfessionalProfile", e["professional_id"]),
                                 "displayName": e["display_name"]},
                "progress": progress[str(e["id"])],
            } for e in engagements],
            "totals": {
                "sessionsAttended": sum(p["attended"] for p in progress.values()),
                "services": len({str(e["service_id"]) for e in served}),
                "professionals": len({str(e["professional_id"]) for e in served}),
            },
        }

    async def history(self, request: Request) -> Response:
        """A page of 50 past sessions after `?after=<cursor>`, by a raw keyset query: the
        yardstick for paging the history through GraphQL (`pastSessions(first: 50)`)."""
        signed_in = await self._signed_in(request)
        if signed_in is None:
            return Response(orjson.dumps({"errors": [{"message": "Sign in."}]}),
                            media_type="application/json")
        account_id, zone, now = signed_in
        engagements = await self._engagements(account_id)
        after = request.query_params.get("after")
        values: list[Any] = [account_id, now]
        keyset = ""
        if after:
            starts_at, session_id = decode_cursor(after, [datetime, UUID])
            keyset = " AND (starts_at < ? OR (starts_at = ? AND id < ?))"
            values += [starts_at, starts_at, session_id if self.postgres else str(session_id)]
        rows = await self._rows(
            f"SELECT {SESSION_COLUMNS} FROM scheduling_session WHERE client_id = ? AND "  # noqa: S608
            f"ends_at <= ?{keyset} ORDER BY starts_at DESC, id DESC LIMIT ?",
            [*values, HISTORY_PAGE + 1])
        page = rows[:HISTORY_PAGE]
        cursors = [encode_cursor([_time(r["starts_at"]), UUID(str(r["id"]))]) for r in page]
        session = self._session_maker({str(e["id"]): e for e in engagements}, ZoneInfo(zone),
                                      now)
        return Response(orjson.dumps({"data": {"hub": {"pastSessions": {
            "edges": [{"node": session(r)} for r in page],
            "pageInfo": {"hasNextPage": len(rows) > HISTORY_PAGE,
                         "endCursor": cursors[-1] if cursors else None},
        }}}}), media_type="application/json")

    async def _progress(self, ids: list[str], zone: str, now: datetime
                        ) -> dict[str, dict[str, Any]]:
        """The rollup the database keeps, plus the last year's sessions for the months and
        the next one: what a person writing SQL by hand would read now that it exists."""
        starts = month_starts(zone, now)
        months = ", ".join(
            f"COUNT(CASE WHEN status = 'completed' AND starts_at >= ? AND starts_at < ? "
            f"THEN id END) AS m{i}" for i in range(MONTHS))
        values: list[Any] = [now]
        for i in range(MONTHS):
            values += [starts[i], starts[i + 1]]
        marks = ", ".join("?" for _ in ids)
        rows = await self._rows(
            "SELECT p.*, r.* FROM scheduling_engagement_progress p LEFT JOIN ("  # noqa: S608
            "SELECT engagement_id AS recent_id, "
            "MIN(CASE WHEN status = 'scheduled' AND ends_at > ? THEN starts_at END) AS next, "
            f"{months} FROM scheduling_session WHERE engagement_id IN ({marks}) "
            "AND starts_at >= ? GROUP BY engagement_id) r ON r.recent_id = p.engagement_id "
            f"WHERE p.engagement_id IN ({marks})",
            [*values, *ids, starts[0], *ids]) if ids else []
        found = {str(row["engagement_id"]): row for row in rows}
        local_months = [s.astimezone(ZoneInfo(zone)).date().isoformat() for s in starts[:-1]]

        def figures(row: dict[str, Any]) -> dict[str, Any]:
            n = int(row.get("attended") or 0)
            first, last = _time(row.get("first_attended_at")), _time(row.get("last_attended_at"))
            next_at = _time(row.get("next"))
            return {
                "attended": n,
                "cancelled": int(row.get("cancelled") or 0),
                "lateCancelled": int(row.get("late_cancelled") or 0),
                "noShows": int(row.get("no_shows") or 0),
                "scheduled": int(row.get("scheduled") or 0),
                "firstSessionAt": first.isoformat() if first else None,
                "lastSessionAt": last.isoformat() if last else None,
                "nextSessionAt": next_at.isoformat() if next_at else None,
                "averageDaysBetween": round((last - first).total_seconds() / 86_400 / (n - 1), 1)
                if first and last and n > 1 else None,
                "perMonth": [{"month": m, "attended": int(row.get(f"m{i}") or 0)}
                             for i, m in enumerate(local_months)],
            }

        return {i: figures(found.get(i, {})) for i in ids}
