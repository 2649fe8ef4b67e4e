"""Trusted documents (persisted operations): with TRUSTED_DOCUMENTS set, only the SPA's own
operations run.

The allow-list is the JSON file GraphQL Code Generator's client preset writes with
`persistedDocuments: true` (`persisted-documents.json`): `{"<sha256 hex of the text>": "<the
operation's text>"}`. A client names an operation by its hash, as the preset's clients do
(`{"documentId": "<hash>"}`) or as Apollo Client's persisted-queries link does
(`{"extensions": {"persistedQuery": {"version": 1, "sha256Hash": "<hash>"}}}`), with or without
the text. A document sent in full runs only when it is exactly one of the listed texts.

Every listed document is parsed and validated once, when the app is built: a document the
schema does not accept stops the start, naming its hash and the problem, instead of failing
for the first person who opens that screen. Requests then reuse the parsed document and skip
validation. Refusals never quote what the request sent.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import orjson
from graphql import DocumentNode, GraphQLError, GraphQLSchema, parse
from graphql.validation import ASTValidationRule
from strawberry.extensions import SchemaExtension
from strawberry.schema.schema import validate_document

from schema.core.request_errors import RequestRefused
from settings import SettingsError

NOT_FOUND = "PERSISTED_DOCUMENT_NOT_FOUND"
MISMATCH = "PERSISTED_DOCUMENT_MISMATCH"
ONLY = "PERSISTED_DOCUMENTS_ONLY"
CODES = frozenset({NOT_FOUND, MISMATCH, ONLY})


def document_hash(text: str) -> str:
    """The id codegen's client preset gives a document: sha256 of its text, in hex."""
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass(frozen=True)
class TrustedDocuments:
    """The allow-list, each document parsed and validated; look-ups never parse."""

    by_hash: Mapping[str, tuple[str, DocumentNode]]
    by_text: Mapping[str, DocumentNode]

    @classmethod
    def load(cls, path: str, schema: GraphQLSchema,
             rules: Sequence[type[ASTValidationRule]], *, max_tokens: int) -> TrustedDocuments:
        listed = _read(path)
        by_hash = {}
        for hash_, text in listed.items():
            by_hash[hash_] = (text, _checked(path, hash_, text, schema, rules, max_tokens))
        return cls(by_hash=by_hash, by_text=dict(by_hash.values()))

    def document_for(self, document_id: str | None,
                     query: str | None) -> tuple[str, DocumentNode]:
        """The listed text and parsed document a request names, or RequestRefused. An empty
        `query` is no text: the npm graphql-ws client refuses to send a payload without one."""
        query = query or None
        if document_id is None:
            if query is not None and query in self.by_text:
                return query, self.by_text[query]
            raise RequestRefused(
                "This server runs only the operations its apps were built with: send the "
                "operation's `documentId` (the hash codegen's persisted documents give it).", ONLY)
        listed = self.by_hash.get(document_id)
        if listed is None:
            raise RequestRefused(
                "No trusted document has that id: the app and the server's allow-list are from "
                "different builds; publish the app's persisted-documents.json to the server.",
                NOT_FOUND)
        if query is not None and query != listed[0]:
            raise RequestRefused(
                "The document sent is not the trusted document with that id: send the id "
                "alone, or the listed text unchanged.", MISMATCH)
        return listed


def document_id(request: Mapping[str, object]) -> str | None:
    """The id a request body or websocket `subscribe` payload names its document by:
    `documentId` (codegen's client preset) or Apollo's `extensions.persistedQuery.sha256Hash`.
    Anything that is not a string counts as no id."""
    if isinstance(found := request.get("documentId"), str):
        return found
    extensions = request.get("extensions")
    return _apollo_id(extensions) if isinstance(extensions, Mapping) else None


def _apollo_id(extensions: Mapping[str, object]) -> str | None:
    persisted = extensions.get("persistedQuery")
    if isinstance(persisted, Mapping) and isinstance(found := persisted.get("sha256Hash"), str):
        return found
    return None


class TrustedDocumentsOnly(SchemaExtension):
    """Runs a request only as a listed document, parsed and validated at start; the transports
    (app.py) hand the request's id on in the operation's extensions.

    A refusal is given as the validation step's error, on a stand-in document: Strawberry
    answers validation errors properly on every transport, where an exception here would
    escape a websocket's stream."""

    def __init__(self, documents: TrustedDocuments) -> None:
        super().__init__()
        self.documents = documents
        self.refused: RequestRefused | None = None

    def on_operation(self) -> Iterator[None]:
        context = self.execution_context
        extensions = context.operation_extensions or {}
        found = extensions.get("documentId")
        try:
            context.query, context.graphql_document = self.documents.document_for(
                found if isinstance(found, str) else _apollo_id(extensions), context.query)
        except RequestRefused as refused:
            self.refused = refused
            context.query, context.graphql_document = _STAND_IN, _STAND_IN_NODE
        yield

    def on_validate(self) -> Iterator[None]:
        refused = self.refused
        self.execution_context.pre_execution_errors = (
            [GraphQLError(str(refused), original_error=refused)] if refused else [])
        yield


_STAND_IN = "{ __typename }"
_STAND_IN_NODE = parse(_STAND_IN)


def _read(path: str) -> dict[str, str]:
    try:
        listed = orjson.loads(Path(path).read_bytes())
    except OSError as error:
        raise SettingsError(f"TRUSTED_DOCUMENTS: cannot read {path} ({error.strerror}); "
                            "point it at the app build's persisted-documents.json.") from None
    except orjson.JSONDecodeError:
        raise SettingsError(f"TRUSTED_DOCUMENTS: {path} is not JSON; it must be the "
                            "persisted-documents.json codegen writes.") from None
    if not isinstance(listed, dict) or not all(
            isinstance(text, str) for text in listed.values()):
        raise SettingsError(f"TRUSTED_DOCUMENTS: {path} must be a JSON object mapping each "
                            'hash to its document\'s text ({"<sha256>": "query ..."}).')
    if not listed:
        raise SettingsError(f"TRUSTED_DOCUMENTS: {path} lists no documents, so nothing could "
                            "run; publish the app's persisted-documents.json.")
    return listed


def _checked(path: str, hash_: str, text: str, schema: GraphQLSchema,
             rules: Sequence[type[ASTValidationRule]], max_tokens: int) -> DocumentNode:
    if document_hash(text) != hash_:
        raise SettingsError(f"TRUSTED_DOCUMENTS: in {path}, {hash_} is not the sha256 of its "
                            "document; regenerate the file with codegen (hashAlgorithm sha256).")
    try:
        node = parse(text, max_tokens=max_tokens)
    except GraphQLError as error:
        raise SettingsError(f"TRUSTED_DOCUMENTS: in {path}, document {hash_} does not parse: "
                            f"{error.message}") from None
    if errors := validate_document(schema, node, tuple(rules)):
        raise SettingsError(f"TRUSTED_DOCUMENTS: in {path}, document {hash_} does not validate "
                            f"against this server's schema: {errors[0].message} Build the app "
                            "against this schema.graphql and publish its list again.")
    return node
