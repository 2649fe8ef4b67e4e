"""Whether a query asks for a field further down, so a resolver can fetch it ahead.

The hub fetches its engagements' progress in its own resolver when the query asks for it, and
hands it down as plain values: a field that awaits costs GraphQL execution a task and several
times a plain field's CPU (BENCHMARKS.md, the hub). Only a hint: directives are not applied
(a skipped field may be fetched for nothing), and a field that finds nothing fetched ahead
loads it itself.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    SelectionSetNode,
)

from schema.core.context import Info


def asks_for(info: Info, *path: str) -> bool:
    """Whether the selection of the field being resolved reaches `path` (field names, as in
    the schema, not aliases), through fragments too."""
    raw = info._raw_info
    return _reaches(raw.field_nodes, path, raw.fragments)


def _reaches(nodes: Iterable[FieldNode], path: tuple[str, ...],
             fragments: dict[str, FragmentDefinitionNode]) -> bool:
    name, rest = path[0], path[1:]
    return any(field.name.value == name and (not rest or _reaches([field], rest, fragments))
               for node in nodes if node.selection_set is not None
               for field in _fields(node.selection_set, fragments))


def _fields(selection_set: SelectionSetNode, fragments: dict[str, FragmentDefinitionNode]
            ) -> Iterator[FieldNode]:
    """Fields of a selection set and of the fragments in it (validation refuses cycles)."""
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            yield selection
        elif isinstance(selection, InlineFragmentNode):
            yield from _fields(selection.selection_set, fragments)
        elif isinstance(selection, FragmentSpreadNode):
            fragment = fragments.get(selection.name.value)
            if fragment is not None:
                yield from _fields(fragment.selection_set, fragments)
