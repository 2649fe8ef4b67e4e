"""GraphQL execution that completes plain fields without graphql-core's per-field machinery.

Most of a page is plain fields: values set on the API object when it was built (`Session.of`),
read with getattr and serialised. graphql-core still runs the whole field protocol for each
one (a resolve-info object, a path, argument checks, the resolver call, a type dispatch for
the completion), about 1.5 µs a field: most of a hub page's CPU (BENCHMARKS.md, the hub).

Here a selection whose fields are all plain, down to its leaves, is compiled once per query
text into one function per object (schema/core/plain_objects.py) that reads the attributes
and serialises the leaves as the schema's own scalars and enums do. Anything the compiled
completion is not sure of gives the value back to graphql-core,
which completes it as before, errors and paths included: a null in a non-null field, an
awaitable (a relation loaded on demand), an object of another class, a field with a resolver,
arguments or directives, an abstract type, incremental delivery. Reading a plain field has no
side effect, and the schema's scalars serialise without one, so redoing it is safe.
"""

from __future__ import annotations

import asyncio
import weakref
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from functools import partial
from inspect import isawaitable
from keyword import iskeyword
from operator import attrgetter
from typing import Any

from graphql import (
    FieldNode,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLResolveInfo,
    GraphQLResolveInfoHelpers,
    is_leaf_type,
    is_list_type,
    is_non_null_type,
    is_object_type,
)
from graphql.execution.collect_fields import FieldDetails
from graphql.language import OperationDefinitionNode, SelectionNode, VariableNode
from graphql.pyutils import AwaitableOrValue, Path, Undefined, gather_with_cancel
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.types.base import StrawberryObjectDefinition
from strawberry.types.field import StrawberryField

from schema.core.plain_objects import Complete, GiveBack, ObjectSource, leaf

Step = tuple[str, Callable[[Any], Any], Complete | None, list[FieldDetails]]
"""A field of an object: response key, attribute reader, compiled completion (None: a
field graphql-core executes), and the field's details for that case."""

_BACKREF = GraphQLCoreConverter.DEFINITION_BACKREF
_SELECTION_DIRECTIVES = frozenset({"skip", "include"})
_VARIABLE_DIRECTIVES = frozenset({"skip", "include", "defer", "stream"})
"""Directives whose variables change what a selection delivers."""
"""Already applied when the fields were collected; any other directive (@stream) is not
plain."""
_SHARED_LIMIT = 2048
_shared: OrderedDict[tuple[object, ...], tuple[tuple[FieldNode, ...], Complete | None]] = (
    OrderedDict())
"""Compiled completions across requests, by return type and the document's field nodes: the
parse cache hands every request of one query text the same nodes. The nodes are kept, so
their ids are not reused while an entry lives; least recently used entries go first."""
_operations: OrderedDict[int, tuple[OperationDefinitionNode, bool]] = OrderedDict()
"""Whether an operation's selections depend on its variables (a @skip, @include, @defer or
@stream taking one): then its compilations are not shared."""


_GIVEN_BACK = object()
_TYPENAME = "__typename"
"""`_attribute` of __typename: no Python name is a dunder of GraphQL's."""


def _attempt(complete: Complete, read: Callable[[Any], Any], source: Any) -> Any:
    """The compiled completion, or `_GIVEN_BACK` when it declines or anything fails: then
    graphql-core completes the value again, and reports any error with its path."""
    try:
        return complete(read(source))
    except Exception:
        return _GIVEN_BACK


def _identity(value: object) -> object:
    return value


class PlainFieldExecutor(StrawberryGraphQLCoreExecutionContext):
    """Strawberry's executor with compiled completion of plain selections."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        manager = self.middleware_manager
        self._plain = manager is None or not manager.middlewares
        """Strawberry passes a middleware manager always; an extension with a `resolve` hook
        puts itself in it, and then every field goes through graphql-core to reach it."""
        self._shareable = _selections_fixed(self.operation, self.fragment_definitions.values())
        self._compiled: dict[tuple[GraphQLOutputType, int], tuple[object, Complete | None]] = {}
        self._plans: dict[tuple[GraphQLObjectType, int], tuple[object, list[Step]]] = {}
        self.async_helpers = _helpers_without_cycle(self)

    def complete_value(self, return_type: GraphQLOutputType,
                       field_details_list: list[FieldDetails], info: GraphQLResolveInfo,
                       path: Path, result: Any, position_context: Any) -> AwaitableOrValue[Any]:
        """A resolver's value (a list of sessions, a connection) completed in one call when
        its whole selection is plain."""
        if position_context is None and self._plain:
            complete = self._compiled_for(return_type, field_details_list)
            if complete is not None:
                completed = _attempt(complete, _identity, result)
                if completed is not _GIVEN_BACK:
                    return completed
        return super().complete_value(return_type, field_details_list, info, path, result,
                                      position_context)

    def execute_fields(self, parent_type: GraphQLObjectType, source_value: Any,
                       path: Path | None, grouped_field_set: dict[str, list[FieldDetails]],
                       position_context: Any) -> AwaitableOrValue[dict[str, Any]]:
        """An object with some resolved fields: its plain ones are completed here, the
        others executed by graphql-core as usual."""
        if position_context is not None or not self._plain:
            return super().execute_fields(parent_type, source_value, path, grouped_field_set,
                                          position_context)
        results: dict[str, Any] = {}
        awaitable_fields: list[str] = []
        try:
            for key, read, complete, details in self._plan_for(parent_type, grouped_field_set):
                if complete is not None:
                    completed = _attempt(complete, read, source_value)
                    if completed is not _GIVEN_BACK:
                        results[key] = completed
                        continue
                result = self.execute_field(parent_type, source_value, details,
                                            Path(path, key, parent_type.name), position_context)
                if result is not Undefined:
                    results[key] = result
                    if self.is_awaitable(result):
                        awaitable_fields.append(key)
        except Exception:
            if awaitable_fields:
                self.settle_in_background([results[key] for key in awaitable_fields])
            raise
        if not awaitable_fields:
            return results
        return self._gathered(results, awaitable_fields)

    async def _gathered(self, results: dict[str, Any], awaitable_fields: list[str]
                        ) -> dict[str, Any]:
        """The fields' values; the first failure as soon as it happens, as graphql-core
        answers, but its siblings left to finish in the background rather than cancelled
        (their errors under the nulled parent are dropped, as graphql-core drops them). A
        sibling cancelled in the middle of a PostgreSQL statement left its pooled connection
        inside the protocol, holding its locks, until the pool closed it five minutes
        later."""
        if len(awaitable_fields) == 1:
            results[awaitable_fields[0]] = await results[awaitable_fields[0]]
            return results
        futures = [asyncio.ensure_future(results[key]) for key in awaitable_fields]
        try:
            found = await asyncio.gather(*futures)
        except Exception:
            self.settle_in_background([future for future in futures if not future.done()])
            raise
        results.update(zip(awaitable_fields, found, strict=True))
        return results

    def _compiled_for(self, return_type: GraphQLOutputType,
                      field_details_list: list[FieldDetails]) -> Complete | None:
        """graphql-core reuses one field-details list for every item of a list, so this is
        compiled once per list (the list is kept so its id is not reused)."""
        key = (return_type, id(field_details_list))
        found = self._compiled.get(key)
        if found is None:
            found = (field_details_list, None if _has_own_directives(field_details_list)
                     else self._compile_shared(return_type, field_details_list))
            self._compiled[key] = found
        return found[1]

    def _plan_for(self, parent_type: GraphQLObjectType,
                  grouped_field_set: dict[str, list[FieldDetails]]) -> list[Step]:
        key = (parent_type, id(grouped_field_set))
        found = self._plans.get(key)
        if found is None:
            found = (grouped_field_set, [
                self._step(parent_type, response_key, details)
                for response_key, details in grouped_field_set.items()])
            self._plans[key] = found
        return found[1]

    def _step(self, parent_type: GraphQLObjectType, key: str,
              details: list[FieldDetails]) -> Step:
        read = self._reader(parent_type, details)
        complete = None
        if read is not None:
            field_def = self.schema.get_field(parent_type, details[0].node.name.value)
            assert field_def is not None  # _reader found it
            complete = self._compile_shared(field_def.type, details)
        return key, read or _identity, complete, details

    def _compile_shared(self, return_type: GraphQLOutputType, details: list[FieldDetails]
                        ) -> Complete | None:
        """`_compile`, once per query text rather than once per request, when the selection
        cannot change with the variables."""
        if not self._shareable or any(d.fragment_variable_values for d in details):
            return self._compile(return_type, details)
        nodes = tuple(detail.node for detail in details)
        key = (return_type, *map(id, nodes))
        found = _shared.get(key)
        if found is not None:
            _shared.move_to_end(key)
            return found[1]
        complete = self._compile(return_type, details)
        _shared[key] = (nodes, complete)
        if len(_shared) > _SHARED_LIMIT:
            _shared.popitem(last=False)
        return complete

    def _reader(self, parent_type: GraphQLObjectType, details: Sequence[FieldDetails]
                ) -> Callable[[Any], Any] | None:
        attribute = self._attribute(parent_type, details)
        if attribute is None:
            return None
        if attribute is _TYPENAME:
            return lambda _value: parent_type.name
        return attrgetter(attribute)

    def _attribute(self, parent_type: GraphQLObjectType, details: Sequence[FieldDetails]
                   ) -> str | None:
        """The Python attribute the field reads, when it is plain: Strawberry's basic field
        (no resolver, extension, permission or exception handler; its resolver is a getattr
        of the Python name, unless StrawberryConfig names another) without arguments or
        directives of its own. `_TYPENAME` for __typename."""
        name = details[0].node.name.value
        if name == "__typename":
            return _TYPENAME
        if _has_own_directives(details) or any(detail.node.arguments for detail in details):
            return None
        field_def = self.schema.get_field(parent_type, name)
        field = field_def.extensions.get(_BACKREF) if field_def else None
        if (field_def is None or field_def.args or not isinstance(field, StrawberryField)
                or not field.is_basic_field or field.default_resolver is not getattr
                or getattr(field_def.resolve, "__name__", "") != "_get_basic_result"
                or not field.python_name.isidentifier() or iskeyword(field.python_name)):
            return None
        return field.python_name

    def _compile(self, return_type: GraphQLOutputType, details: list[FieldDetails]
                 ) -> Complete | None:
        if is_non_null_type(return_type):
            inner = self._compile(return_type.of_type, details)
            if inner is None:
                return None

            def non_null(value: Any) -> Any:
                if value is None:
                    raise GiveBack
                return inner(value)
            return non_null
        if is_list_type(return_type):
            item = self._compile(return_type.of_type, details)
            if item is None:
                return None

            def list_of(value: Any) -> Any:
                if value is None:
                    return None
                if type(value) is not list and type(value) is not tuple:
                    raise GiveBack
                return [item(each) for each in value]
            return list_of
        if is_leaf_type(return_type):
            return leaf(return_type)
        if is_object_type(return_type):
            return self._object(return_type, details)
        return None

    def _object(self, object_type: GraphQLObjectType, details: list[FieldDetails]
                ) -> Complete | None:
        """Only Strawberry objects of the type's own class (or its generic origin), as its
        is_type_of would accept, and only when every selected field is plain. Not a type that
        is an exception: graphql-core raises such a value as the field's error."""
        definition = object_type.extensions.get(_BACKREF)
        if (not isinstance(definition, StrawberryObjectDefinition) or definition.is_type_of
                or issubclass(definition.origin, BaseException)):
            return None
        grouped_field_set, new_defer_usages, _ = self.collect_subfields(object_type, details)
        if new_defer_usages:
            return None
        source = ObjectSource(tuple({definition.origin, *(
            [definition.concrete_of.origin] if definition.concrete_of else [])}))
        for key, field_details in grouped_field_set.items():
            attribute = self._attribute(object_type, field_details)
            if attribute is None:
                return None
            if attribute is _TYPENAME:
                source.constant(key, object_type.name)
                continue
            field_def = self.schema.get_field(object_type, field_details[0].node.name.value)
            assert field_def is not None  # _attribute found it
            if not source.field(key, attribute, field_def.type,
                                partial(self._compile, details=field_details)):
                return None
        return source.function()


_settling: set[asyncio.Future[Any]] = set()
"""Work a resolver tracked after its request's executor was freed, kept until it settles."""


def _helpers_without_cycle(executor: PlainFieldExecutor) -> GraphQLResolveInfoHelpers:
    """graphql-core's resolver helpers are bound methods of the executor, which holds them:
    a reference cycle through the context, its loaders and every row of the request, which
    then outlives the answer until a collection of the oldest generation finds it (the
    hub's CPU went 10 % to the garbage collector, BENCHMARKS.md). The same helpers through a
    weak reference: the request's objects go as soon as its answer does."""
    executor_ref = weakref.ref(executor)

    def gather(values: Sequence[Any]) -> Any:
        return gather_with_cancel(*values)

    def track(values: Sequence[Any]) -> None:
        alive = executor_ref()
        if alive is not None:
            alive.track_async_work(values)
            return
        if awaitables := [value for value in values if isawaitable(value)]:
            settling = asyncio.gather(*awaitables, return_exceptions=True)
            _settling.add(settling)
            settling.add_done_callback(_settling.discard)

    return GraphQLResolveInfoHelpers(gather=gather, track=track)


def _selections_fixed(operation: OperationDefinitionNode,
                      fragments: Iterable[Any]) -> bool:
    found = _operations.get(id(operation))
    if found is None:
        fixed = not any(_variable_selection(definition.selection_set.selections)
                        for definition in (operation, *fragments))
        found = (operation, fixed)
        _operations[id(operation)] = found
        if len(_operations) > _SHARED_LIMIT:
            _operations.popitem(last=False)
    return found[1]


def _variable_selection(selections: Iterable[SelectionNode]) -> bool:
    """Whether a @skip, @include, @defer or @stream anywhere below takes a variable."""
    for selection in selections:
        for directive in selection.directives or ():
            if directive.name.value in _VARIABLE_DIRECTIVES and any(
                    isinstance(argument.value, VariableNode)
                    for argument in directive.arguments or ()):
                return True
        below = getattr(selection, "selection_set", None)
        if below is not None and _variable_selection(below.selections):
            return True
    return False


def _has_own_directives(details: Sequence[FieldDetails]) -> bool:
    """@stream and any other directive but the selection's own (@skip, @include)."""
    return any(directive.name.value not in _SELECTION_DIRECTIVES
               for detail in details for directive in detail.node.directives or ())


