"""The plain-field executor answers exactly what Strawberry's own executor answers.

Each query runs through a small schema twice, once per executor, and the whole results are
compared: data, and every error with its message, path and locations. The cases are the ones
the compiled path must give back to graphql-core: nulls in non-null fields, awaitable values,
objects of another class, resolvers and arguments under plain objects, directives, aliases,
fragments, generics, and __typename.
"""

from __future__ import annotations

import asyncio
import enum
from datetime import UTC, date, datetime
from typing import Any, Generic, TypeVar, cast

import pytest
import strawberry
from graphql import GraphQLError
from graphql.pyutils import Undefined
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from schema.core.once import Once
from schema.core.plain_fields import PlainFieldExecutor

T = TypeVar("T")


@strawberry.enum
class Mood(enum.Enum):
    CALM = "calm"
    TENSE = "tense"


@strawberry.type
class Money:
    amount: int
    currency: str


@strawberry.type
class Professional:
    id: strawberry.ID
    display_name: str
    languages: list[str]
    nicknames: list[str | None] | None

    @strawberry.field
    def greeting(self, name: str = "you") -> str:
        return f"Hello {name}, I am {self.display_name}"


@strawberry.type
class Visit:
    id: strawberry.ID
    mood: Mood
    starts_at: datetime
    price: Money
    professional: Professional
    note: str | None
    title: str
    minutes: int
    rating: float | None
    day: date
    kept_mood: Mood | None


@strawberry.type
class Edge(Generic[T]):
    cursor: str
    node: T


@strawberry.type
class Page(Generic[T]):
    edges: list[Edge[T]]
    total: int


async def _professional_later(professional: Professional) -> Professional:
    await asyncio.sleep(0)
    return professional


def _professional(index: int) -> Professional:
    return Professional(id=strawberry.ID(f"p{index}"), display_name=f"Dr {index}",
                        languages=["is", "en"], nicknames=None if index % 2 else ["a", None])


def _visit(index: int, **changes: Any) -> Visit:
    values: dict[str, Any] = {
        "id": strawberry.ID(f"v{index}"), "mood": Mood.CALM if index % 2 else Mood.TENSE,
        "starts_at": datetime(2026, 12, 1, 9, index, tzinfo=UTC),
        "price": Money(amount=1000 * index, currency="ISK"),
        "professional": _professional(index), "note": None if index % 3 else f"n{index}",
        "title": f"Visit {index}", "minutes": 50 * index, "rating": 4.5 if index % 2 else None,
        "day": date(2026, 12, index), "kept_mood": None if index % 2 else Mood.CALM, **changes}
    return Visit(**values)


async def _fail_after(seconds: float, message: str) -> str:
    await asyncio.sleep(seconds)
    raise ValueError(message)


@strawberry.type
class Siblings:
    """Non-null fields that fail, the slower one first in the selection."""

    @strawberry.field
    async def slow(self) -> str:
        return await _fail_after(0.05, "the slow one failed")

    @strawberry.field
    async def fast(self) -> str:
        return await _fail_after(0.0, "the fast one failed")


@strawberry.type
class FailsLater:
    @strawberry.field
    async def bad(self) -> str | None:
        await asyncio.sleep(0.02)
        raise ValueError("failed under a parent already nulled")


@strawberry.type
class Parent:
    @strawberry.field
    async def fails(self) -> str:
        return await _fail_after(0.0, "fails at once")

    @strawberry.field
    async def child(self) -> FailsLater:
        await asyncio.sleep(0)
        return FailsLater()


@strawberry.type
class Query:
    @strawberry.field
    def siblings(self) -> Siblings | None:
        return Siblings()

    @strawberry.field
    def parent(self) -> Parent | None:
        return Parent()

    @strawberry.field
    def visits(self) -> list[Visit]:
        return [_visit(i) for i in range(1, 6)]

    @strawberry.field
    def page(self) -> Page[Visit]:
        return Page(edges=[Edge(cursor=f"c{i}", node=_visit(i)) for i in range(1, 4)], total=3)

    @strawberry.field
    def visit_missing_title(self) -> Visit | None:
        return _visit(1, title=None)

    @strawberry.field
    def visits_one_missing_title(self) -> list[Visit | None]:
        return [_visit(1), _visit(2, title=None), _visit(3)]

    @strawberry.field
    def visits_later_professional(self) -> list[Visit]:
        return [_visit(i, professional=cast("Professional", _professional_later(
            _professional(i)))) for i in range(1, 4)]

    @strawberry.field
    def visit_wrong_class(self) -> Visit | None:
        return cast("Visit", Money(amount=1, currency="ISK"))

    @strawberry.field
    def visit_bad_mood(self) -> Visit | None:
        return _visit(1, mood="sleepy")

    @strawberry.field
    def visit_missing_price(self) -> Visit:
        return _visit(1, price=None)

    @strawberry.field
    def visits_undefined(self) -> list[Visit | None]:
        return [_visit(1, note=Undefined), _visit(2, title=Undefined)]

    @strawberry.field
    def visits_with_odd_leaves(self) -> list[Visit | None]:
        """Values the inline serialisation must leave to the schema's own serialisers."""
        return [_visit(1, minutes=2 ** 40), _visit(2, minutes=True), _visit(3, minutes=7.0),
                _visit(4, kept_mood="calm"), _visit(5, day=datetime(2026, 12, 5, 8, tzinfo=UTC)),
                _visit(6, rating=float("nan")), _visit(7, title=7), _visit(8, minutes=-2 ** 31)]


QUERIES = {
    "plain list": "{ visits { id mood startsAt note title price { amount currency } "
                  "professional { id displayName languages nicknames } } }",
    "typename, aliases, fragments": """{ visits { __typename key: id ...V
        professional { ... on Professional { displayName } __typename } } }
        fragment V on Visit { mood startsAt price { amount } price { currency } }""",
    "generic page": "{ page { total edges { cursor node { id title mood } } } }",
    "resolver with arguments under plain objects":
        '{ visits { id professional { displayName greeting(name: "Anna") g: greeting } } }',
    "skip and include": """query($yes: Boolean!) { visits { id note @include(if: $yes)
        title @skip(if: $yes) price @skip(if: false) { amount } } }""",
    "null in a non-null field, nullable parent": "{ visitMissingTitle { id title } }",
    "null in a non-null field inside a list": "{ visitsOneMissingTitle { id title } }",
    "null propagating to the root": "{ visitMissingPrice { id price { amount } } }",
    "awaitable plain relation": "{ visitsLaterProfessional { id professional { id displayName "
                                "languages } } }",
    "object of another class": "{ visitWrongClass { id } }",
    "enum value it does not know": "{ visitBadMood { id mood } }",
    "graphql-core's Undefined in a plain field": "{ visitsUndefined { id note title } }",
    "the first failure in time, not in the selection": "{ siblings { slow fast } }",
    "a failure under a parent nulled before it": "{ parent { fails child { bad } } }",
    "ints, floats, dates and enums, usual and not": """{ visits { minutes rating day keptMood }
        visitsWithOddLeaves { id minutes rating day keptMood title __typename } }""",
}


def _schema(executor: type) -> strawberry.Schema:
    return strawberry.Schema(query=Query, execution_context_class=executor)


def _error(error: GraphQLError) -> dict[str, Any]:
    return {"message": error.message, "path": error.path,
            "locations": [(location.line, location.column) for location in
                          error.locations or ()]}


@pytest.mark.parametrize("name", QUERIES)
async def test_the_plain_executor_answers_as_strawberry_does(name: str) -> None:
    query = QUERIES[name]
    variables = {"yes": True}
    ours = await _schema(PlainFieldExecutor).execute(query, variable_values=variables)
    theirs = await _schema(StrawberryGraphQLCoreExecutionContext).execute(
        query, variable_values=variables)
    assert ours.data == theirs.data
    assert [_error(e) for e in ours.errors or ()] == [_error(e) for e in theirs.errors or ()]
    if name in {"plain list", "generic page", "awaitable plain relation"}:
        assert ours.errors is None
        assert ours.data


async def test_the_plain_path_serialises_the_schemas_own_scalars_and_enums() -> None:
    """The values a client sees: ISO 8601 timestamps, enum names, nested objects."""
    result = await _schema(PlainFieldExecutor).execute(
        "{ visits { mood startsAt price { amount currency } } }")
    assert result.errors is None
    assert result.data is not None
    assert result.data["visits"][0] == {"mood": "CALM", "startsAt": "2026-12-01T09:01:00+00:00",
                                        "price": {"amount": 1000, "currency": "ISK"}}
    assert [visit["mood"] for visit in result.data["visits"]] == [
        "CALM", "TENSE", "CALM", "TENSE", "CALM"]


def _counting(executor: type) -> tuple[type, list[str]]:
    """The executor, counting the fields graphql-core executes one by one."""
    executed: list[str] = []

    class Counting(executor):
        def build_resolve_info(self, field_def: Any, field_nodes: Any, parent_type: Any,
                               path: Any) -> Any:
            executed.append(f"{parent_type.name}.{field_nodes[0].name.value}")
            return super().build_resolve_info(field_def, field_nodes, parent_type, path)
    return Counting, executed


async def test_plain_selections_skip_per_field_execution() -> None:
    """Through graphql-core: the root list, `greeting`, and `professional`, a plain field
    whose own selection is not all plain; not the visits' ids nor the names."""
    query = QUERIES["resolver with arguments under plain objects"]
    ours, ours_executed = _counting(PlainFieldExecutor)
    theirs, theirs_executed = _counting(StrawberryGraphQLCoreExecutionContext)
    assert (await _schema(ours).execute(query)).errors is None
    assert (await _schema(theirs).execute(query)).errors is None
    assert ours_executed == ["Query.visits"] + [
        "Visit.professional", "Professional.greeting", "Professional.greeting"] * 5
    assert len(theirs_executed) == 1 + 5 * 5


async def test_compilations_shared_across_requests_follow_each_requests_variables() -> None:
    """With the parse cache every request of one text gets the same nodes, and compiled
    completions are kept across requests; selections that depend on variables are not."""
    from strawberry.extensions import ParserCache

    cached = strawberry.Schema(query=Query, execution_context_class=PlainFieldExecutor,
                               extensions=[lambda: ParserCache(maxsize=8)])
    plain = strawberry.Schema(query=Query)
    skipping = QUERIES["skip and include"]
    for variables in ({"yes": True}, {"yes": False}, {"yes": True}):
        ours = await cached.execute(skipping, variable_values=variables)
        theirs = await plain.execute(skipping, variable_values=variables)
        assert ours.errors is None
        assert ours.data == theirs.data
    assert "note" in ours.data["visits"][0]  # type: ignore[index]
    for _ in range(2):
        ours = await cached.execute(QUERIES["plain list"])
        assert ours.errors is None
        assert ours.data == (await plain.execute(QUERIES["plain list"])).data


@strawberry.type
class Problem(Exception):
    message: str


@strawberry.type
class Troubles:
    @strawberry.field
    def problem(self) -> Problem | None:
        return Problem(message="boom")


async def test_an_object_type_that_is_an_exception_is_raised_as_graphql_core_raises_it() -> None:
    query = "{ problem { message } }"
    ours = await strawberry.Schema(query=Troubles,
                                   execution_context_class=PlainFieldExecutor).execute(query)
    theirs = await strawberry.Schema(query=Troubles).execute(query)
    assert ours.data == theirs.data == {"problem": None}
    assert [_error(e) for e in ours.errors or ()] == [_error(e) for e in theirs.errors or ()]


async def test_a_custom_default_resolver_is_kept() -> None:
    """StrawberryConfig's default resolver, not getattr, reads plain fields when set."""
    from strawberry.schema.config import StrawberryConfig

    def shouting(source: Any, name: str) -> Any:
        value = getattr(source, name)
        return value.upper() if isinstance(value, str) else value

    query = "{ visits { title price { currency } } }"
    config = StrawberryConfig(default_resolver=shouting)
    ours = await strawberry.Schema(query=Query, config=config,
                                   execution_context_class=PlainFieldExecutor).execute(query)
    theirs = await strawberry.Schema(query=Query, config=config).execute(query)
    assert ours.errors is None
    assert ours.data == theirs.data
    assert ours.data is not None
    assert ours.data["visits"][0]["title"] == "VISIT 1"


async def test_defer_taking_a_variable_is_not_compiled_once_for_every_request() -> None:
    """With incremental delivery on, @defer(if: $d) changes the answer's shape per request."""
    from strawberry.extensions import ParserCache
    from strawberry.schema.config import StrawberryConfig

    config = StrawberryConfig(enable_experimental_incremental_execution=True)
    ours = strawberry.Schema(query=Query, config=config, execution_context_class=PlainFieldExecutor,
                             extensions=[lambda: ParserCache(maxsize=8)])
    theirs = strawberry.Schema(query=Query, config=config)
    query = "query($d: Boolean!) { visits { id ... @defer(if: $d) { title } } }"
    for deferred in (False, True, False):
        mine = await ours.execute(query, variable_values={"d": deferred})
        other = await theirs.execute(query, variable_values={"d": deferred})
        assert type(mine) is type(other), deferred
        mine_data = getattr(mine, "data", None) or mine.initial_result.data  # type: ignore[union-attr]
        other_data = getattr(other, "data", None) or other.initial_result.data  # type: ignore[union-attr]
        assert mine_data == other_data, deferred


@strawberry.type
class Shown:
    name: str


@strawberry.type
class Row:
    shown: Shown
    fails: strawberry.Private[bool]

    @strawberry.field
    async def check(self) -> str:
        await asyncio.sleep(0)
        if self.fails:
            raise ValueError("this row fails")
        return "fine"


async def test_a_shared_load_survives_one_of_its_awaiters_being_cancelled() -> None:
    """A list whose item fails has its other items cancelled by graphql-core; a relation
    they share with another list (`Once`, as sessions share an engagement's) still loads
    for that other list."""
    async def load() -> Shown:
        await asyncio.sleep(0.02)
        return Shown(name="shared")

    shared = cast("Shown", Once(load))

    @strawberry.type
    class Lists:
        @strawberry.field
        def first(self) -> list[Row] | None:
            return [Row(shown=Shown(name="own"), fails=True), Row(shown=shared, fails=False)]

        @strawberry.field
        def second(self) -> list[Row] | None:
            return [Row(shown=shared, fails=False)]

    result = await strawberry.Schema(query=Lists, execution_context_class=PlainFieldExecutor
                                     ).execute("{ first { check shown { name } } "
                                               "second { shown { name } } }")
    assert result.data == {"first": None, "second": [{"shown": {"name": "shared"}}]}
    assert [error.message for error in result.errors or ()] == ["this row fails"]


class _RequestData:
    """Stands for what a request's context holds: its loaders and their rows."""


@strawberry.type
class Later:
    @strawberry.field
    async def visits(self, info: strawberry.Info) -> list[Visit]:
        await asyncio.sleep(0)
        info.context["seen"] = True
        return [_visit(1)]


async def test_a_requests_objects_are_freed_with_its_answer_not_by_the_collector() -> None:
    """graphql-core's executor and its resolver helpers refer to each other; through it a
    request's context would stay alive, promoted generation after generation, until a full
    collection."""
    import gc
    import weakref

    schema = strawberry.Schema(query=Later, execution_context_class=PlainFieldExecutor)
    assert (await schema.execute("{ visits { id } }", context_value={})).errors is None
    gc.collect()
    gc.disable()
    try:
        data = _RequestData()
        context = {"data": data}
        freed = weakref.ref(data)
        result = await schema.execute("{ visits { id title } }", context_value=context)
        assert result.errors is None
        assert context.pop("seen") is True
        del data, context, result
        assert freed() is None
    finally:
        gc.enable()
