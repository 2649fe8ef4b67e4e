"""A client sees who read their data (viewer.accessLog); a professional sees their own reads
(practice.accessLog). Both come from the audit log, and neither shows anything else."""

from __future__ import annotations

from models.audit import AuditEntry
from tests.note_steps import PROFILE, notes_page, practice_with_client, written

ENTRY = "at kind accessedBy { name isYou } about { name isYou } address"
CLIENT_LOG = f"""query($first: Int, $after: String) {{ viewer {{ accessLog(first: $first,
  after: $after) {{ edges {{ cursor node {{ {ENTRY} }} }} pageInfo {{ hasNextPage endCursor }}
}} }} }}"""
PRACTICE_LOG = f"""query($first: Int) {{ practice {{ accessLog(first: $first) {{
  edges {{ node {{ {ENTRY} }} }} pageInfo {{ hasNextPage }} }} }} }}"""


KINDS = {"read_client_profile": "PROFILE", "read_notes": "NOTES"}


async def recorded_reads() -> list[str]:
    """The reads in the audit log, newest first, as the access log names them."""
    entries = await AuditEntry.filter(action__in=list(KINDS)).order_by("-sequence")
    return [KINDS[entry.action] for entry in entries]


async def a_professional_reads(api):
    practice = await practice_with_client(api, "sigrun@example.com", "anna@example.com")
    await written(api, practice.token, practice.client_id)
    await api.data(PROFILE, {"id": practice.client_id}, token=practice.token)
    await notes_page(api, practice.token, practice.client_id)
    return practice


async def test_a_client_sees_each_read_of_their_data_newest_first(api):
    practice = await a_professional_reads(api)

    log = (await api.data(CLIENT_LOG, token=practice.client_token))["viewer"]["accessLog"]

    nodes = [edge["node"] for edge in log["edges"]]
    assert [node["kind"] for node in nodes] == await recorded_reads()
    assert nodes[0]["kind"] == "NOTES"
    assert "PROFILE" in [node["kind"] for node in nodes]
    professional = (await api.data("{ viewer { name } }", token=practice.token))["viewer"]
    for node in nodes:
        assert node["accessedBy"] == {"name": professional["name"], "isYou": False}
        assert node["about"]["isYou"] is True
        assert node["address"] is None
    assert nodes[0]["at"] >= nodes[1]["at"]
    assert log["pageInfo"]["hasNextPage"] is False


async def test_a_professional_sees_their_own_reads_with_the_address_they_read_from(api):
    practice = await a_professional_reads(api)

    log = (await api.data(PRACTICE_LOG, token=practice.token))["practice"]["accessLog"]

    nodes = [edge["node"] for edge in log["edges"]]
    client = (await api.data("{ viewer { name } }", token=practice.client_token))["viewer"]
    assert [node["kind"] for node in nodes] == await recorded_reads()
    recorded = await AuditEntry.filter(action="read_notes").first()
    for node in nodes:
        assert node["accessedBy"]["isYou"] is True
        assert node["about"] == {"name": client["name"], "isYou": False}
        assert node["address"] == recorded.address != ""


async def test_nobody_else_sees_the_reads(api):
    practice = await a_professional_reads(api)
    other = await practice_with_client(api, "oliver@example.com", "bjorn@example.com")

    other_client = (await api.data(CLIENT_LOG, token=other.client_token))["viewer"]["accessLog"]
    other_practice = (await api.data(PRACTICE_LOG, token=other.token))["practice"]["accessLog"]

    assert other_client["edges"] == []
    assert other_practice["edges"] == []
    refused = await api(PRACTICE_LOG, token=practice.client_token)
    assert refused["errors"][0]["extensions"]["code"] == "NOT_ALLOWED"
    signed_out = await api(CLIENT_LOG)
    assert signed_out["data"]["viewer"] is None


async def test_the_log_pages_and_leaves_other_audited_actions_out(api):
    practice = await a_professional_reads(api)
    audited = await AuditEntry.filter(person_id__not_isnull=True).count()

    first = (await api.data(CLIENT_LOG, {"first": 1}, token=practice.client_token)
             )["viewer"]["accessLog"]
    rest = (await api.data(CLIENT_LOG, {"first": 1, "after": first["pageInfo"]["endCursor"]},
                           token=practice.client_token))["viewer"]["accessLog"]

    reads = await recorded_reads()
    assert len(reads) >= 2
    assert [e["node"]["kind"] for e in first["edges"] + rest["edges"]] == reads[:2]
    assert first["pageInfo"]["hasNextPage"] is True
    assert audited > 2, "bookings, approvals and note writes are audited, not shown as access"
