"""Demo data, so a new user of the API sees the whole product working at once.

Everything is created through the same use cases the API runs, so the demo obeys every rule.
Each domain adds its part here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from tortoise.context import TortoiseContext
from tortoise.transactions import in_transaction

import db
from models.accounts import Account
from models.notes import Note
from models.payments import Payment, PaymentMethodKind
from models.practice import Engagement, EngagementStatus, RegistrationDetail, Service, ServiceKind
from models.scheduling import (
    AvailabilitySettings,
    ChangeReason,
    Session,
    SessionStatus,
    SessionStatusChange,
)
from resolvers.accounts import accounts, consents, signin
from resolvers.core.caller import Caller
from resolvers.notes import notes
from resolvers.payments import manual_payments
from resolvers.practice import engagements, invitations, profiles, services
from resolvers.practice.registration_details import CustomAnswer, RegistrationDetails
from resolvers.scheduling import availability_settings, booking
from settings import Settings
from timetable.availability import WeeklyHours as WeeklyHoursRule

DEMO_PASSWORD = "demo-password-2026"


@dataclass(frozen=True)
class DemoPerson:
    email: str
    name: str
    time_zone: str
    professional: bool
    client: bool
    locale: str = "en"


PEOPLE = [
    DemoPerson("sigrun@demo.therapyhub.test", "Sigrún Jónsdóttir", "Atlantic/Reykjavik",
               professional=True, client=False),
    DemoPerson("oliver@demo.therapyhub.test", "Oliver Bennett", "Europe/London",
               professional=True, client=False),
    DemoPerson("maya@demo.therapyhub.test", "Maya Chen", "America/New_York",
               professional=True, client=True),
    DemoPerson("thorunn@demo.therapyhub.test", "Þórunn Ólafsdóttir", "Atlantic/Reykjavik",
               professional=False, client=True, locale="is"),
    DemoPerson("lukasz@demo.therapyhub.test", "Łukasz Żółć", "Europe/Warsaw",
               professional=False, client=True),
]


@dataclass(frozen=True)
class DemoService:
    owner: str
    title: str
    kind: ServiceKind
    minutes: int
    price: int
    currency: str
    required: tuple[RegistrationDetail, ...] = ()
    questions: tuple[str, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict)


PROFILES = {
    "sigrun@demo.therapyhub.test": {
        "profession": "Psychologist", "practice_name": "Sálfræðistofa Sigrúnar",
        "registration_number": "550199-1239", "contact_email": "stofa@demo.therapyhub.test",
        "contact_phone": "+354 555 0101",
    },
    "oliver@demo.therapyhub.test": {
        "profession": "Physiotherapist and running coach", "practice_name": "Bennett Physio",
        "registration_number": "12345678", "vat_number": "GB123456789",
    },
    "maya@demo.therapyhub.test": {
        "profession": "Career counsellor", "practice_name": "Chen Career Studio",
    },
}

SERVICES = [
    DemoService("sigrun@demo.therapyhub.test", "Psychological counselling",
                ServiceKind.PSYCHOLOGY, 50, 18_000, "ISK",
                (RegistrationDetail.PHONE, RegistrationDetail.DATE_OF_BIRTH,
                 RegistrationDetail.EMERGENCY_CONTACT),
                ("What would you like help with?",)),
    DemoService("oliver@demo.therapyhub.test", "Physiotherapy assessment and treatment",
                ServiceKind.PHYSIOTHERAPY, 45, 6_500, "GBP",
                (RegistrationDetail.PHONE, RegistrationDetail.ADDRESS,
                 RegistrationDetail.EMPLOYER_OR_INSURER),
                ("Where does it hurt, and since when?",), {"card_required": True}),
    DemoService("oliver@demo.therapyhub.test", "Running coaching", ServiceKind.COACHING, 60,
                5_000, "GBP", (RegistrationDetail.PHONE,),
                extra={"self_booking": True, "vat_rate_basis_points": 2_000}),
    DemoService("maya@demo.therapyhub.test", "Career counselling",
                ServiceKind.CAREER_COUNSELLING, 60, 12_000, "USD",
                (RegistrationDetail.PHONE,), ("What is your current role?",),
                {"self_booking": True}),
]

ENGAGEMENTS = [
    # (client, service title, approved?)
    ("thorunn@demo.therapyhub.test", "Psychological counselling", True),
    ("thorunn@demo.therapyhub.test", "Physiotherapy assessment and treatment", True),
    ("lukasz@demo.therapyhub.test", "Career counselling", True),
    ("lukasz@demo.therapyhub.test", "Running coaching", True),
    ("maya@demo.therapyhub.test", "Psychological counselling", True),
    ("lukasz@demo.therapyhub.test", "Psychological counselling", False),
]

INVITED = ("gudrun@demo.therapyhub.test", "Guðrún Helgadóttir", "Psychological counselling")


def _details(service: Service) -> RegistrationDetails:
    """Plausible answers to everything a demo service asks."""
    return RegistrationDetails(
        phone="+354 555 0199", date_of_birth=date(1988, 6, 17), address="Laugavegur 1, Reykjavík",
        emergency_contact="Jón Jónsson, +354 555 0142", employer_or_insurer="Sjúkratryggingar",
        custom_answers=[CustomAnswer(question_id=q["id"], question=q["text"],
                                     answer="Happy to tell you more in our first session.")
                        for q in service.custom_questions],
    )


async def seed_practice(settings: Settings) -> None:
    """Profiles and services for the professionals, engagements for the clients, one pending
    request and one open invitation: the request and invitation flows, already walked."""
    if await Service.exists():
        return
    callers = {a.email: Caller(settings=settings, address="seed", account=a)
               for a in await Account.filter(email__in=[p.email for p in PEOPLE])}
    for email, profile in PROFILES.items():
        await profiles.update_profile(callers[email], **profile)
    created = {}
    for demo in SERVICES:
        created[demo.title] = await services.create_service(
            callers[demo.owner], title=demo.title, kind=demo.kind, session_minutes=demo.minutes,
            price_amount=demo.price, currency=demo.currency, required_details=list(demo.required),
            custom_questions=[services.QuestionInput(text=q) for q in demo.questions],
            **demo.extra,
        )
    owners = {demo.title: demo.owner for demo in SERVICES}
    for client, title, approved in ENGAGEMENTS:
        service = created[title]
        engagement = await engagements.request_service(
            callers[client], slug=service.slug, details=_details(service),
            message="I found your page through a friend.",
        )
        if approved:
            await engagements.approve_request(callers[owners[title]], engagement.id)
    email, name, title = INVITED
    await invitations.invite_client(callers[owners[title]], created[title].id, email=email,
                                    name=name, message="Hlakka til að hitta þig.",
                                    locale="is")


NOTES = [
    # (author, client, days ago, title, body)
    ("sigrun@demo.therapyhub.test", "thorunn@demo.therapyhub.test", 21, "Fyrsti tími",
     "Þórunn kom vegna svefnleysis og kvíða í vinnunni. Sefur 4–5 tíma. Markmið: betri "
     "svefn innan 6 vikna.\n\nHeimavinna: svefndagbók."),
    ("sigrun@demo.therapyhub.test", "thorunn@demo.therapyhub.test", 14, "Svefndagbók",
     "Dagbókin sýnir að hún fer seint að sofa eftir vinnupósta. Ræddum mörk. Kvíði 6/10 "
     "(var 7). Öndunaræfingar kvölds og morgna."),
    ("sigrun@demo.therapyhub.test", "thorunn@demo.therapyhub.test", 7, "",
     "Betri vika 🙂 Sefur 6 tíma flestar nætur. Næst: endurmat markmiða."),
    ("sigrun@demo.therapyhub.test", "maya@demo.therapyhub.test", 10, "Intake",
     "Maya wants help with burnout after a job change. Sleep fine, energy low in the "
     "afternoons. Agreed on weekly sessions for six weeks."),
]


async def seed_notes(settings: Settings) -> None:
    """A few notes by the demo psychologist, written as she would: signed in with her password,
    which unlocks her notes key for that sign-in (then signed out again)."""
    if await Note.exists():
        return
    today = date.today()
    for author in sorted({author for author, *_ in NOTES}):
        signed_in = await signin.login(Caller(settings=settings, address="seed"), email=author,
                                       password=DEMO_PASSWORD)
        assert isinstance(signed_in, signin.SignedIn), "demo professionals have no second factor"
        caller = await signin.authenticate(settings, signed_in.token,
                                           Caller(settings=settings, address="seed"))
        clients = {a.email: a.id for a in await Account.filter(
            email__in=[client for a, client, *_ in NOTES if a == author])}
        for _, client, days_ago, title, body in (n for n in NOTES if n[0] == author):
            await notes.write_note(caller, client_id=clients[client], title=title, body=body,
                                   about_date=today - timedelta(days=days_ago))
        await signin.logout(caller)


async def _create_confirmed(caller: Caller, person: DemoPerson) -> None:
    """Demo people start as if they had opened their confirmation link, so they can sign in
    at once; registering for real goes through resolvers/accounts/registration.py."""
    new = accounts.NewAccount(email=person.email, name=person.name, time_zone=person.time_zone,
                              locale=person.locale,
                              password_hash=await accounts.hash_password(caller, DEMO_PASSWORD))
    async with in_transaction():
        account = await accounts.create_account(caller, new, as_client=person.client,
                                                as_professional=person.professional,
                                                email_confirmed=True)
        await consents.record(caller.settings, account)


async def seed(settings: Settings) -> list[DemoPerson]:
    created = []
    for person in PEOPLE:
        if await Account.exists(email=person.email):
            continue
        caller = Caller(settings=settings, address="seed")
        await _create_confirmed(caller, person)
        if person.professional:
            signed_in = await signin.login(caller, email=person.email, password=DEMO_PASSWORD)
            assert isinstance(signed_in, signin.SignedIn), "demo people have no second factor"
            print(f"Notes recovery key of {person.email} (shown once): "
                  f"{signed_in.note_recovery_key}")
            await signin.logout(await signin.authenticate(settings, signed_in.token, caller))
        created.append(person)
    await seed_practice(settings)
    await seed_scheduling(settings)
    await seed_notes(settings)
    await seed_payments(settings)
    await seed_live(settings)
    return created


async def run(settings: Settings, *, only_if_empty: bool) -> None:
    config = db.tortoise_config(settings.database_url)
    async with TortoiseContext() as context:
        await context.init(config=config)
        if only_if_empty and await Account.exists():
            print("Database has accounts already; demo data not loaded again.")
        else:
            await seed(settings)
    print(f"\nDemo sign-ins (password for all: {DEMO_PASSWORD}):")
    for person in PEOPLE:
        roles = " + ".join(r for r, on in (("professional", person.professional),
                                           ("client", person.client)) if on)
        print(f"  {person.email:34} {person.name} ({roles})")
    print(f"Joinable now (a live session): {LIVE_DEMO[0]} with {LIVE_DEMO[1]}, at /live/ in "
          "two browsers (`python app.py seed` again for a fresh one)")
    print(f"Invited, not yet registered: {INVITED[0]} (the serve command writes the invitation "
          f"email to {settings.mail_dir} when SMTP is not configured)")
    print()


# Scheduling: opening hours for every demo professional, and sessions for the demo clients.
HOURS = {
    # professional: (zone, weekdays, intervals, buffer minutes)
    "sigrun@demo.therapyhub.test": ("Atlantic/Reykjavik", range(5),
                                    (("09:00", "12:00"), ("13:00", "17:00")), 10),
    "oliver@demo.therapyhub.test": ("Europe/London", range(6), (("08:00", "18:00"),), 15),
    "maya@demo.therapyhub.test": ("America/New_York", range(1, 5), (("10:00", "16:00"),), 0),
}

PAST_SESSIONS = [
    # (client, service title, days ago, status): before today, so written as rows
    ("thorunn@demo.therapyhub.test", "Psychological counselling", 28, SessionStatus.COMPLETED),
    ("thorunn@demo.therapyhub.test", "Psychological counselling", 21, SessionStatus.COMPLETED),
    ("thorunn@demo.therapyhub.test", "Psychological counselling", 14, SessionStatus.NO_SHOW),
    ("thorunn@demo.therapyhub.test", "Psychological counselling", 7,
     SessionStatus.LATE_CANCELLED),
    ("lukasz@demo.therapyhub.test", "Career counselling", 10, SessionStatus.COMPLETED),
]

UPCOMING_SERIES = [
    # (client, service title, booked by the client?, sessions)
    ("thorunn@demo.therapyhub.test", "Psychological counselling", False, 6),
    ("lukasz@demo.therapyhub.test", "Running coaching", True, 1),
    ("maya@demo.therapyhub.test", "Psychological counselling", False, 1),
]


async def seed_scheduling(settings: Settings) -> None:
    """Hours for each professional through setAvailability, upcoming sessions through the
    booking use cases (at the first offered times), and a short history of past sessions.

    The past cannot be booked through the API, so those rows are written directly, with the
    status history they would have had."""
    if await AvailabilitySettings.exists():
        return
    callers = {a.email: Caller(settings=settings, address="seed", account=a)
               for a in await Account.filter(email__in=[p.email for p in PEOPLE])}
    for email, (zone, weekdays, intervals, buffer) in HOURS.items():
        await availability_settings.set_availability(
            callers[email], time_zone=zone, buffer_minutes=buffer, slot_step_minutes=None,
            horizon_days=180,
            weekly=[WeeklyHoursRule(day, time.fromisoformat(start), time.fromisoformat(end))
                    for day in weekdays for start, end in intervals],
        )
    for client, title, by_client, count in UPCOMING_SERIES:
        engagement = await Engagement.get(client__email=client, service__title=title,
                                          status=EngagementStatus.ACTIVE).select_related(
            "service__professional__account")
        owner = callers[engagement.service.professional.account.email]
        slots = await booking.available_slots(
            owner, engagement.service_id, datetime.now(UTC) + timedelta(days=2),
            datetime.now(UTC) + timedelta(days=9))
        free = [slot.start for slot in slots if slot.start.minute == 0]
        caller = callers[client] if by_client else owner
        if count == 1:
            await booking.book_session(caller, engagement.id, free[len(free) // 2])
        else:
            await booking.book_series(caller, engagement.id, free[0], every_weeks=1,
                                      count=count, until=None)
    for client, title, days_ago, status in PAST_SESSIONS:
        await _past_session(client, title, days_ago, status)


async def _past_session(client: str, title: str, days_ago: int, status: SessionStatus) -> None:
    engagement = await Engagement.get(client__email=client, service__title=title).select_related(
        "service__professional")
    service = engagement.service
    day = datetime.now(UTC).date() - timedelta(days=days_ago)
    start = datetime.combine(day, time(10, 0), UTC)
    end = start + timedelta(minutes=service.session_minutes)
    professional_id = service.professional.account_id
    cancelled = status is SessionStatus.LATE_CANCELLED
    session = await Session.create(
        engagement=engagement, professional_id=professional_id, client_id=engagement.client_id,
        starts_at=start, ends_at=end, status=status, length_minutes=service.session_minutes,
        price_amount=service.price_amount, currency=service.currency,
        vat_rate_basis_points=service.vat_rate_basis_points, booked_by_id=professional_id,
        cancellation_window_hours=service.cancellation_window_hours,
        sequence=1 if cancelled else 0,
        cancelled_at=start - timedelta(hours=3) if cancelled else None,
        cancelled_by_id=engagement.client_id if cancelled else None,
    )
    await SessionStatusChange.create(session=session, from_status=None,
                                     to_status=SessionStatus.SCHEDULED, starts_at=start,
                                     ends_at=end, changed_by_id=professional_id)
    await SessionStatusChange.create(
        session=session, from_status=SessionStatus.SCHEDULED, to_status=status, starts_at=start,
        ends_at=end, changed_by_id=engagement.client_id if cancelled else professional_id,
        reason_code=ChangeReason.LATE if cancelled else "")


PAYMENT_METHODS = (PaymentMethodKind.BANK_TRANSFER, PaymentMethodKind.CASH,
                   PaymentMethodKind.INSURER)


async def seed_payments(settings: Settings) -> None:
    """The demo clients' completed sessions, paid manually, so the hub shows payments with
    receipts that open. Payments go through the use case."""
    if await Payment.exists():
        return
    completed = await Session.filter(status=SessionStatus.COMPLETED).order_by(
        "starts_at").select_related("professional")
    for number, session in enumerate(completed):
        await manual_payments.record_manual_payment(
            Caller(settings=settings, address="seed", account=session.professional), session.id,
            method=PAYMENT_METHODS[number % len(PAYMENT_METHODS)],
        )


LIVE_DEMO = ("lukasz@demo.therapyhub.test", "Career counselling")
"""A session that can be joined right away: the client and the service."""


async def seed_live(settings: Settings) -> None:
    """A session starting a few minutes from now, inside the join window, so the live call can
    be tried at once. Too close to book through the API (and perhaps outside the practice's
    hours), so it is written as a row with its booking in the history, like the past ones.
    Seeding again adds another only when none is joinable any more."""
    engagement = await Engagement.get(client__email=LIVE_DEMO[0], service__title=LIVE_DEMO[1],
                                      status=EngagementStatus.ACTIVE).select_related(
        "service__professional")
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    if await Session.exists(engagement_id=engagement.id, status=SessionStatus.SCHEDULED,
                            starts_at__lte=now + timedelta(minutes=settings.join_window_minutes),
                            ends_at__gt=now):
        return
    service = engagement.service
    professional_id = service.professional.account_id
    start = now + timedelta(minutes=min(5, settings.join_window_minutes))
    end = start + timedelta(minutes=service.session_minutes)
    session = await Session.create(
        engagement=engagement, professional_id=professional_id, client_id=engagement.client_id,
        starts_at=start, ends_at=end, length_minutes=service.session_minutes,
        price_amount=service.price_amount, currency=service.currency,
        vat_rate_basis_points=service.vat_rate_basis_points, booked_by_id=professional_id,
        cancellation_window_hours=service.cancellation_window_hours,
    )
    await SessionStatusChange.create(session=session, from_status=None,
                                     to_status=SessionStatus.SCHEDULED, starts_at=start,
                                     ends_at=end, changed_by_id=professional_id)
