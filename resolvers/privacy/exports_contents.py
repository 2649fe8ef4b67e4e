"""What an export holds, file by file: everything we keep about one person, read for them.

Every query is filtered by the exporting account (as the client, the professional, or the
owner), so another person's rows can only appear where they are part of this person's own
record: the professional's name on a client's session, a client's name on a professional's.
Secrets we keep only to check things (password and token hashes, second-factor secrets,
wrapped keys) are not data about the person and stay out; that they exist is said.

The files (paths inside the ZIP):

- `account.json`: the account, its sign-ins (login sessions), its known devices and the
  versions of the terms and privacy notice it accepted;
- `engagements.json`: the person's engagements as a client, with the registration answers;
- `sessions.json`: every session they are in, as client or professional, with its history;
- `payments.json` and `receipts/<payment id>.pdf`: their payments and refunds, and each
  receipt as the receipt link serves it;
- `calendar/feeds.json` and `calendar/<feed id>.ics`: their calendar links and what each serves;
- `access_log.json`: who read their data (and, for a professional, whose data they read);
- for a professional, `practice/`: profile, services, availability, the engagements of their
  clients, and `notes.json`, their notes opened with the key their sign-in held.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any, TypeVar
from uuid import UUID

import orjson
from tortoise.expressions import Q

from crypto import secrets_at_rest
from models.accounts import Account, ExternalIdentity, KnownDevice, LoginSession
from models.consent import Consent
from models.notes import Note
from models.payments import Payment, PaymentRefund
from models.practice import Engagement, ProfessionalProfile, Service
from models.scheduling import (
    AvailabilityException,
    AvailabilitySettings,
    CalendarFeed,
    Session,
    SessionStatusChange,
    WeeklyHours,
)
from receipts import render_receipt
from resolvers.accounts import access_log, external_identities
from resolvers.accounts.note_keys import UnlockedNoteKey
from resolvers.core.pagination import MAX_PAGE_SIZE, Page, PageRequest
from resolvers.notes.note_reading import open_row
from resolvers.payments.receipt_links import receipt_data
from resolvers.practice import registration_details
from resolvers.scheduling.calendar_feeds import feed_body
from settings import Settings

T = TypeVar("T")
FORMAT_VERSION = 1
README = """Your data from Therapy Hub
==========================

This archive holds everything Therapy Hub keeps about you, as of {made_at} (UTC).
Every .json file is UTF-8 JSON; times are ISO 8601 in UTC, amounts in minor units (cents,
aurar) with their currency.

account.json       your account, sign-ins, known devices, consents and linked eIDs
engagements.json   your engagements with professionals, and the registration answers you gave
sessions.json      every session you are in, with its history of changes
payments.json      your payments and refunds; receipts/ holds each receipt as a PDF
calendar/          your calendar links and the calendar each one serves (.ics)
access_log.json    who read your data, when (and, for a professional, whose data you read)
practice/          for a professional: profile, services, availability, clients, notes

Not included because they are not data about you but locks on your account: your password's
hash, your second factor's secret, hashes of links and tokens, and your notes key (only
wrapped copies of it are kept).
"""


@dataclass
class Contents:
    """The files of an export, by path; the notes' clients, whose reads get audited."""

    files: dict[str, bytes] = field(default_factory=dict)
    notes_clients: set[UUID] = field(default_factory=set)

    def json(self, path: str, value: Any) -> None:
        self.files[path] = orjson.dumps(value, default=_plain,
                                        option=orjson.OPT_INDENT_2 | orjson.OPT_NON_STR_KEYS)


def _plain(value: object) -> str:
    """What orjson leaves: asyncpg's own UUID subclass, which PostgreSQL rows carry."""
    if isinstance(value, UUID):
        return str(value)
    raise TypeError(f"{type(value).__name__} does not go into an export")


async def gather(settings: Settings, account: Account, note_key: UnlockedNoteKey | None, *,
                 now: datetime) -> Contents:
    contents = Contents()
    contents.files["README.txt"] = README.format(made_at=now.isoformat()).encode()
    contents.json("account.json", await _account(settings, account))
    contents.json("engagements.json", await _engagements(settings, account))
    contents.json("sessions.json", await _sessions(account))
    await _payments(contents, account)
    await _calendar(contents, account, now)
    contents.json("access_log.json", await _access_log(account))
    if account.is_professional:
        await _practice(contents, account, note_key)
    return contents


async def _account(settings: Settings, account: Account) -> dict[str, Any]:
    sign_ins = await LoginSession.filter(account_id=account.id).order_by("created_at")
    devices = await KnownDevice.filter(account_id=account.id).order_by("created_at")
    consents = await Consent.filter(account_id=account.id).order_by("accepted_at", "document")
    identities = await ExternalIdentity.filter(account_id=account.id).order_by("created_at")
    return {
        "format_version": FORMAT_VERSION,
        "id": account.id, "email": account.email, "name": account.name,
        "time_zone": account.time_zone, "locale": account.locale,
        "roles": [role for role, on in (("client", account.is_client),
                                        ("professional", account.is_professional)) if on],
        "email_confirmed_at": account.email_confirmed_at,
        "second_factor_enabled": account.second_factor_enabled,
        "password_changed_at": account.password_changed_at,
        "created_at": account.created_at, "updated_at": account.updated_at,
        "sign_ins": [{"started_at": s.created_at, "last_seen_at": s.last_seen_at,
                      "expires_at": s.expires_at, "signed_out_at": s.revoked_at,
                      "address": s.address, "user_agent": s.user_agent} for s in sign_ins],
        "known_devices": [{"first_seen_at": d.created_at, "expires_at": d.expires_at}
                          for d in devices],
        "consents": [{"document": c.document, "version": c.version,
                      "accepted_at": c.accepted_at} for c in consents],
        "external_identities": [
            {"provider": i.provider, "linked_at": i.created_at, "last_used_at": i.last_used_at,
             "national_id": external_identities.decrypt_national_id(
                 settings, i.national_id_encrypted)} for i in identities],
    }


async def _engagements(settings: Settings, account: Account) -> list[dict[str, Any]]:
    rows = await Engagement.filter(client_id=account.id).order_by("created_at").prefetch_related(
        "service__professional")
    return [{**_engagement(e), "service": e.service.title,
             "professional": e.service.professional.display_name,
             "registration_answers": _answers(settings, e)} for e in rows]


def _engagement(e: Engagement) -> dict[str, Any]:
    return {"id": e.id, "status": e.status, "source": e.source,
            "request_message": e.request_message, "decline_reason": e.decline_reason,
            "end_reason": e.end_reason, "ended_by": e.ended_by, "requested_at": e.requested_at,
            "started_at": e.started_at, "declined_at": e.declined_at, "ended_at": e.ended_at,
            "created_at": e.created_at}


def _answers(settings: Settings, engagement: Engagement) -> dict[str, Any] | str:
    try:
        details = registration_details.unseal(settings, engagement.id, engagement.details_sealed)
    except secrets_at_rest.UndecryptableError:
        return "These answers are stored but could not be opened; contact support."
    return asdict(details)


async def _sessions(account: Account) -> list[dict[str, Any]]:
    rows = await Session.filter(Q(client_id=account.id) | Q(professional_id=account.id)
                                ).order_by("starts_at", "id").prefetch_related(
        "engagement__service", "client", "professional")
    changes: dict[UUID, list[dict[str, Any]]] = {}
    for change in await SessionStatusChange.filter(session_id__in=[s.id for s in rows]
                                                   ).order_by("at"):
        changes.setdefault(change.session_id, []).append({
            "at": change.at, "from_status": change.from_status, "to_status": change.to_status,
            "starts_at": change.starts_at, "ends_at": change.ends_at,
            "by_you": change.changed_by_id == account.id, "reason": change.reason_code})
    return [{
        "id": s.id, "as": "client" if s.client_id == account.id else "professional",
        "service": s.engagement.service.title, "client": s.client.name,
        "professional": s.professional.name, "engagement_id": s.engagement_id,
        "starts_at": s.starts_at, "ends_at": s.ends_at, "status": s.status,
        "length_minutes": s.length_minutes,
        "price": {"amount": s.price_amount, "currency": s.currency},
        "vat_rate_basis_points": s.vat_rate_basis_points, "series_id": s.series_id,
        "booked_by_you": s.booked_by_id == account.id, "cancelled_at": s.cancelled_at,
        "professional_joined_at": s.professional_joined_at,
        "client_joined_at": s.client_joined_at, "created_at": s.created_at,
        "history": changes.get(s.id, []),
    } for s in rows]


async def _payments(contents: Contents, account: Account) -> None:
    rows = await Payment.filter(Q(client_id=account.id) | Q(professional_id=account.id)
                                ).order_by("created_at", "id")
    refunds: dict[UUID, list[dict[str, Any]]] = {}
    for refund in await PaymentRefund.filter(payment_id__in=[p.id for p in rows]
                                             ).order_by("created_at"):
        refunds.setdefault(refund.payment_id, []).append(
            {"amount": refund.amount, "at": refund.created_at})
    listed = []
    for p in rows:
        receipt = None
        if p.receipt_number is not None and p.paid_at is not None:
            receipt = f"receipts/{p.id}.pdf"
            pdf = await asyncio.to_thread(render_receipt, await receipt_data(p))
            contents.files[receipt] = pdf
        listed.append({
            "id": p.id, "session_id": p.session_id,
            "as": "client" if p.client_id == account.id else "professional",
            "amount": p.amount, "currency": p.currency, "refunded_amount": p.refunded_amount,
            "vat_rate_basis_points": p.vat_rate_basis_points, "status": p.status,
            "method": p.method, "card": {"brand": p.card_brand, "last4": p.card_last4}
            if p.card_last4 else None, "failure_code": p.failure_code,
            "failure_message": p.failure_message, "receipt_number": p.receipt_number,
            "receipt_file": receipt, "paid_at": p.paid_at, "created_at": p.created_at,
            "refunds": refunds.get(p.id, []),
        })
    contents.json("payments.json", listed)


async def _calendar(contents: Contents, account: Account, now: datetime) -> None:
    feeds = await CalendarFeed.filter(account_id=account.id).order_by("created_at")
    body = await feed_body(account.id, now=now) if any(f.revoked_at is None for f in feeds) \
        else None
    listed = []
    for feed in feeds:
        path = None
        if feed.revoked_at is None and body is not None:
            path = f"calendar/{feed.id}.ics"
            contents.files[path] = body
        listed.append({"id": feed.id, "created_at": feed.created_at,
                       "revoked_at": feed.revoked_at, "last_fetched_at": feed.last_fetched_at,
                       "serves": path})
    contents.json("calendar/feeds.json", listed)


async def _access_log(account: Account) -> dict[str, Any]:
    def entries(page_items: list[access_log.Access]) -> list[dict[str, Any]]:
        return [{"at": a.at, "kind": a.kind, "by": a.by_name, "by_you": a.by_id == account.id,
                 "about": a.about_name, "about_you": a.about_id == account.id}
                for a in page_items]

    log: dict[str, Any] = {"reads_of_your_data": entries(
        await _all(lambda r: access_log.accesses_to_my_data(account, request=r)))}
    if account.is_professional:
        log["reads_you_made"] = entries(
            await _all(lambda r: access_log.accesses_by_me(account, request=r)))
    return log


async def _all(read: Callable[[PageRequest], Awaitable[Page[T]]]) -> list[T]:
    """Every item of a paged list, page after page."""
    request = PageRequest(size=MAX_PAGE_SIZE)
    items: list[T] = []
    while True:
        page = await read(request)
        items.extend(page.items)
        if not page.has_next_page or not page.cursors:
            return items
        request = request.continuing(page.cursors[-1], MAX_PAGE_SIZE)


async def _practice(contents: Contents, account: Account, note_key: UnlockedNoteKey | None
                    ) -> None:
    profile = await ProfessionalProfile.get_or_none(account_id=account.id)
    if profile is not None:
        contents.json("practice/profile.json", {
            "display_name": profile.display_name, "profession": profile.profession,
            "practice_name": profile.practice_name,
            "registration_number": profile.registration_number,
            "vat_number": profile.vat_number, "contact_email": profile.contact_email,
            "contact_phone": profile.contact_phone, "time_zone": profile.time_zone,
            "created_at": profile.created_at})
        services = await Service.filter(professional_id=profile.id).order_by("created_at")
        contents.json("practice/services.json", [{
            "id": s.id, "slug": s.slug, "title": s.title, "kind": s.kind,
            "description": s.description, "session_minutes": s.session_minutes,
            "price": {"amount": s.price_amount, "currency": s.currency},
            "vat_rate_basis_points": s.vat_rate_basis_points, "self_booking": s.self_booking,
            "cancellation_window_hours": s.cancellation_window_hours,
            "card_required": s.card_required, "auto_charge": s.auto_charge,
            "required_details": s.required_details, "custom_questions": s.custom_questions,
            "archived_at": s.archived_at, "created_at": s.created_at} for s in services])
        clients = await Engagement.filter(service__professional_id=profile.id).order_by(
            "created_at").prefetch_related("service", "client")
        contents.json("practice/clients.json", [
            {**_engagement(e), "service": e.service.title, "client": e.client.name,
             "client_email": e.client.email} for e in clients])
    contents.json("practice/availability.json", await _availability(account))
    contents.json("practice/notes.json", await _notes(contents, account, note_key))


async def _availability(account: Account) -> dict[str, Any]:
    stored = await AvailabilitySettings.get_or_none(professional_id=account.id)
    weekly = await WeeklyHours.filter(professional_id=account.id).order_by("weekday",
                                                                           "start_minute")
    exceptions = await AvailabilityException.filter(professional_id=account.id).order_by("day")
    return {
        "settings": {"time_zone": stored.time_zone, "buffer_minutes": stored.buffer_minutes,
                     "slot_step_minutes": stored.slot_step_minutes,
                     "horizon_days": stored.horizon_days} if stored else None,
        "weekly_hours": [{"weekday": w.weekday, "start_minute": w.start_minute,
                          "end_minute": w.end_minute} for w in weekly],
        "exceptions": [{"day": x.day, "kind": x.kind, "start_minute": x.start_minute,
                        "end_minute": x.end_minute} for x in exceptions],
    }


async def _notes(contents: Contents, account: Account, note_key: UnlockedNoteKey | None
                 ) -> list[dict[str, Any]]:
    rows = await Note.filter(author_id=account.id).order_by("about_date", "created_at", "id"
                                                            ).prefetch_related("client")
    listed = []
    for note in rows:
        opened = open_row(note_key, note) if note_key is not None else None
        if opened is not None and opened.text is not None:
            contents.notes_clients.add(note.client_id)
        listed.append({
            "id": note.id, "client": note.client.name, "client_id": note.client_id,
            "session_id": note.session_id, "about_date": note.about_date,
            "state": opened.state if opened else "locked",
            "title": opened.text.title if opened and opened.text else None,
            "body": opened.text.body if opened and opened.text else None,
            "problem": (opened.problem if opened else
                        "Your notes key was not available to this export."),
            "created_at": note.created_at, "updated_at": note.updated_at})
    return listed
