"""Operations generated from the schema (hypothesis-graphql) sent to the app in process, signed
out and signed in as a client and a professional who have data: whatever the input, no 5xx and
no unmasked error. Every error carries extensions.code, and INTERNAL fails the test: it is
the masked form of a bug, whose log line (by its reference) says where.

The examples are drawn once, derandomized, so CI sends the same operations every run;
FUZZ_EXAMPLES sets how many per caller (100 by default)."""

from __future__ import annotations

import os
from datetime import UTC
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as examples
from hypothesis import strategies as st
from hypothesis_graphql import Mode, mutations, nodes, queries

from schema import build_schema
from settings import Settings
from tests.authorization_world import GLOBAL_IDS, World, build

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "100"))
CALLERS = ("signed_out", "owning_client", "owning_professional")


def scalars(world: World) -> dict[str, st.SearchStrategy[Any]]:
    """Values the schema's own scalars accept, mixed with junk; ids of real objects too, so
    that generated operations reach past "not found"."""
    junk = st.text(max_size=30)
    real_ids = st.sampled_from([world.ids[kind] for kind in GLOBAL_IDS]
                               + [world.missing[kind] for kind in GLOBAL_IDS])
    return {
        "ID": st.one_of(real_ids, junk).map(nodes.String),
        "Date": st.one_of(st.dates().map(str), junk).map(nodes.String),
        "DateTime": st.one_of(st.datetimes(timezones=st.just(UTC)).map(lambda d: d.isoformat()),
                              st.datetimes().map(lambda d: d.isoformat()), junk
                              ).map(nodes.String),
        "Time": st.one_of(st.times().map(lambda t: t.isoformat()), junk).map(nodes.String),
    }


def drawn(strategy: st.SearchStrategy[str], count: int) -> list[str]:
    """`count` examples, the same ones every run."""
    found: list[str] = []

    @examples(max_examples=count, derandomize=True, database=None, deadline=None,
              phases=[Phase.generate], suppress_health_check=list(HealthCheck))
    @given(strategy)
    def collect(operation: str) -> None:
        found.append(operation)

    collect()
    return found


INTERNALS = ("object at 0x", "strawberry", "Traceback", "Maybe[")
"""What a message meant for a person must never show: our implementation's own words."""


def problems(status: int, body: dict[str, Any]) -> list[str]:
    if status >= 500:
        return [f"HTTP {status}"]
    found = []
    for error in body.get("errors", []):
        code = error.get("extensions", {}).get("code")
        if code in (None, "INTERNAL"):
            found.append(f"{'error without a code' if code is None else 'a bug'}: {error}")
        elif any(word.lower() in error["message"].lower() for word in INTERNALS):
            found.append(f"a message naming our internals: {error}")
    return found


async def send_all(api: Any, world: World, caller: str, operations: list[str]) -> list[str]:
    token = world.tokens[caller]
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    found = []
    for operation in operations:
        response = await api.http.post("/graphql", json={"query": operation}, headers=headers)
        body = response.json() if response.headers.get("content-type", "").startswith(
            "application/json") else {}
        found += [f"{caller}: {problem}\n{operation}"
                  for problem in problems(response.status_code, body)]
    return found


@pytest.fixture
async def world(api: Any) -> World:
    return await build(api)


@pytest.mark.parametrize("caller", CALLERS)
async def test_generated_queries_never_fail_on_our_side(
        api: Any, world: World, settings: Settings, caller: str) -> None:
    schema = build_schema(settings)._schema
    operations = drawn(queries(schema, custom_scalars=scalars(world)), EXAMPLES)
    found = await send_all(api, world, caller, operations)
    assert found == [], "\n\n".join(found)


@pytest.mark.parametrize("caller", CALLERS)
async def test_generated_mutations_never_fail_on_our_side(
        api: Any, world: World, settings: Settings, caller: str) -> None:
    schema = build_schema(settings)._schema
    assert schema.mutation_type is not None
    # Signed in, logout would end the caller's sign-in and leave the rest of the run signed out.
    fields = [name for name in schema.mutation_type.fields
              if caller == "signed_out" or name != "logout"]
    operations = drawn(mutations(schema, fields=fields, custom_scalars=scalars(world)),
                       EXAMPLES)
    found = await send_all(api, world, caller, operations)
    assert found == [], "\n\n".join(found)


@pytest.mark.parametrize("kind", [queries, mutations])
async def test_operations_that_break_the_schema_are_refused_with_a_code(
        api: Any, world: World, settings: Settings, kind: Any) -> None:
    """Mode.NEGATIVE: each operation has one violation (a wrong type, a missing argument, an
    unknown enum value), which must come back coded and in our words."""
    schema = build_schema(settings)._schema
    operations = drawn(kind(schema, custom_scalars=scalars(world), mode=Mode.NEGATIVE),
                       EXAMPLES)
    found = await send_all(api, world, "owning_professional", operations)
    assert found == [], "\n\n".join(found)
