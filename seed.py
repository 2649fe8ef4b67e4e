"""Demo data, so a new user of the API sees the whole product working at once.

Everything is created through the same use cases the API runs, so the demo obeys every rule.
Each domain adds its part here.
"""

from __future__ import annotations

from dataclasses import dataclass

from tortoise.context import TortoiseContext

import db
from models.accounts import Account
from resolvers import accounts
from resolvers.caller import Caller
from settings import Settings

DEMO_PASSWORD = "demo-password-2026"


@dataclass(frozen=True)
class DemoPerson:
    email: str
    name: str
    time_zone: str
    professional: bool
    client: bool


PEOPLE = [
    DemoPerson("sigrun@demo.therapyhub.test", "Sigrún Jónsdóttir", "Atlantic/Reykjavik",
               professional=True, client=False),
    DemoPerson("oliver@demo.therapyhub.test", "Oliver Bennett", "Europe/London",
               professional=True, client=False),
    DemoPerson("maya@demo.therapyhub.test", "Maya Chen", "America/New_York",
               professional=True, client=True),
    DemoPerson("thorunn@demo.therapyhub.test", "Þórunn Ólafsdóttir", "Atlantic/Reykjavik",
               professional=False, client=True),
    DemoPerson("lukasz@demo.therapyhub.test", "Łukasz Żółć", "Europe/Warsaw",
               professional=False, client=True),
]


async def seed(settings: Settings) -> list[DemoPerson]:
    created = []
    for person in PEOPLE:
        if await Account.exists(email=person.email):
            continue
        signed_in = await accounts.register(
            Caller(settings=settings, address="seed"), email=person.email,
            password=DEMO_PASSWORD, name=person.name, time_zone=person.time_zone,
            as_client=person.client, as_professional=person.professional,
        )
        if signed_in.note_recovery_key:
            print(f"Notes recovery key of {person.email} (shown once): "
                  f"{signed_in.note_recovery_key}")
        created.append(person)
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
    print()
