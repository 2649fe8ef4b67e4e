"""The demo data is built through the use cases, so it must satisfy every rule they enforce."""

from __future__ import annotations

import seed
from models.practice import Engagement, EngagementStatus, Invitation, Service
from models.scheduling import AvailabilitySettings, Session
from tests.helpers import login
from tests.live_steps import device_key


async def test_seed_builds_the_practice_demo_once(settings):
    await seed.seed(settings)
    await seed.seed(settings)
    assert {s.kind.value for s in await Service.all()} == {
        "psychology", "physiotherapy", "career_counselling", "coaching",
    }
    statuses = [e.status for e in await Engagement.all()]
    assert statuses.count(EngagementStatus.ACTIVE) == 5
    assert statuses.count(EngagementStatus.REQUESTED) == 1
    [invitation] = await Invitation.all()
    assert invitation.accepted_at is None
    assert invitation.revoked_at is None


async def test_seed_books_past_and_upcoming_sessions(settings):
    await seed.seed(settings)
    await seed.seed(settings)
    statuses = [s.status.value for s in await Session.all()]
    assert statuses.count("completed") == 3
    assert statuses.count("no_show") == 1
    assert statuses.count("late_cancelled") == 1
    assert statuses.count("scheduled") == 9
    assert await AvailabilitySettings.all().count() == 3


async def test_seed_has_a_session_to_join_now(api, settings):
    await seed.seed(settings)
    signed_in = await login(api, seed.LIVE_DEMO[0], seed.DEMO_PASSWORD)
    hub = (await api.data("{ hub { nextSession { id canJoin } } }",
                          token=signed_in["token"]))["hub"]
    assert hub["nextSession"]["canJoin"] is True
    joined = (await api.data(
        "mutation($input: JoinSessionInput!) { joinSession(input: $input) { "
        "call { peer { name } } userErrors { code } } }",
        {"input": {"sessionId": hub["nextSession"]["id"], "devicePublicKey": device_key()}},
        token=signed_in["token"]))["joinSession"]
    assert joined == {"call": {"peer": {"name": "Maya Chen"}}, "userErrors": []}


async def test_demo_people_have_accepted_the_terms_in_force(api, settings):
    people = await seed.seed(settings)
    for person in people:
        token = (await login(api, person.email, seed.DEMO_PASSWORD))["token"]
        viewer = (await api.data("{ viewer { consentRequired } }", token=token))["viewer"]
        assert viewer == {"consentRequired": False}, person.email
