"""What opening a client's profile costs: each thing read once, whatever the history."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from models.practice import Engagement
from tests.hub_steps import add_sessions
from tests.note_steps import practice_with_client, written
from tests.sql_count import counting_statements, sign_ins_seen_now

PROFILE = """query($id: ID!) { clientProfile(id: $id) {
  name
  engagements { status service { title } progress { attended } }
  progress { attended scheduled perMonth { attended } }
  sessions(first: 50) { edges { node {
    startsAt status service { title } professional { displayName } } } }
  notes(first: 50) { edges { node { title } } }
} }"""

ENGAGEMENT_ROWS = '"engagement"."details_sealed"'
"""Only a statement reading whole engagement rows selects this column (the check of who is a
client reads client ids alone)."""


async def test_the_profile_reads_its_engagements_once_for_2_or_40_sessions_and_notes(api):
    practice = await practice_with_client(api)
    engagement = await Engagement.get(client__email=practice.client_email)
    start = datetime.now(UTC) - timedelta(days=200)
    counts = []
    for total, before in ((2, 0), (40, 2)):
        await add_sessions(engagement, total - before, start=start + timedelta(days=4 * before),
                           every=timedelta(days=4))
        for i in range(before, total):
            await written(api, practice.token, practice.client_id, title=f"Note {i}")
        await sign_ins_seen_now()
        with counting_statements() as statements:
            profile = (await api.data(PROFILE, {"id": practice.client_id},
                                      token=practice.token))["clientProfile"]

        assert len(profile["sessions"]["edges"]) == total
        assert len(profile["notes"]["edges"]) == total
        assert profile["progress"]["attended"] == total
        assert profile["engagements"][0]["progress"]["attended"] == total
        assert len([s for s in statements if ENGAGEMENT_ROWS in s]) == 1, statements
        counts.append(len(statements))

    assert counts[0] == counts[1]
