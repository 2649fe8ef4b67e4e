"""The GraphQL schema: root types merged from each domain, plus the always-on protections."""

from __future__ import annotations

import inspect
from typing import Annotated, Any

import strawberry
from graphql import GraphQLError, specified_rules
from graphql.validation import NoSchemaIntrospectionCustomRule
from strawberry import relay
from strawberry.extensions import (
    AddValidationRules,
    DisableIntrospection,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    ValidationCache,
)
from strawberry.schema.config import StrawberryConfig
from strawberry.types import ExecutionContext

from schema.accounts.account_recovery import AccountRecoveryMutations, AccountRecoveryQueries
from schema.accounts.accounts import AccountMutations, AccountQueries
from schema.accounts.consents import ConsentMutations, ConsentQueries
from schema.accounts.external_sign_in import ExternalSignInMutations, ExternalSignInQueries
from schema.core.context import Info
from schema.core.errors import MaskUnexpectedErrors, refuse_request_mistakes
from schema.core.observed import ObserveOperation
from schema.core.plain_fields import PlainFieldExecutor
from schema.core.trusted_documents import TrustedDocuments, TrustedDocumentsOnly
from schema.desk.client_profile import ClientProfileQueries
from schema.desk.practice import PracticeQueries
from schema.hub.hub import HubQueries
from schema.hub.hub_updates import HubSubscriptions
from schema.live import LiveMutations, LiveSubscriptions
from schema.notes.note_keys import NoteKeyMutations
from schema.notes.notes import NoteMutations
from schema.payments.payment_types import Payment
from schema.payments.payments import PaymentMutations, PaymentQueries
from schema.practice.engagements import EngagementMutations
from schema.practice.invitations import InvitationMutations
from schema.practice.services import ServiceMutations
from schema.privacy.erasure import ErasureMutations
from schema.privacy.exports import ExportMutations, ExportQueries
from schema.scheduling.scheduling import SchedulingMutations, SchedulingQueries
from schema.scheduling.session_types import Session
from settings import Settings


@strawberry.type
class NodeQueries:
    @strawberry.field(
        description="Any object by its global id; null when it does not exist or is not yours."
    )
    async def node(self, info: Info, id: Annotated[strawberry.ID, strawberry.argument(
            description="A global id as any `id` field returns it.")]) -> relay.Node | None:
        """Each Node type's `resolve_nodes` applies the same ownership check as its fields.
        An id that names no Node type (`Hub:1`, `Query:1`, `Banana:1`, garbage) is an id that
        does not exist, not a failure on our side."""
        try:
            node_type = relay.GlobalID.from_id(id).resolve_type(info)
        except (ValueError, TypeError, relay.GlobalIDValueError):
            return None
        node = node_type.resolve_node(relay.GlobalID.from_id(id).node_id, info=info,
                                      required=False)
        return await node if inspect.isawaitable(node) else node


def _root(name: str, description: str, types: tuple[type, ...]) -> type:
    """`merge_types` with a description, which it does not take."""
    return strawberry.type(type(name, types, {}), name=name, description=description)


Query = _root("Query", "Reads. Send the bearer token in `Authorization: Bearer ...`; fields for "
                       "a signed-in person answer UNAUTHENTICATED without one.",
              (AccountQueries, AccountRecoveryQueries, ConsentQueries, PracticeQueries, NodeQueries,
               SchedulingQueries, ClientProfileQueries, PaymentQueries, HubQueries, ExportQueries,
               ExternalSignInQueries))
Mutation = _root("Mutation", "Writes. Each takes one `input` and returns a payload whose "
                             "`userErrors` lists what was refused; nothing changes then.", (
    AccountMutations, AccountRecoveryMutations, ConsentMutations, ServiceMutations,
    InvitationMutations,
    EngagementMutations, NoteKeyMutations, SchedulingMutations, NoteMutations, PaymentMutations,
    LiveMutations, ExportMutations, ErasureMutations, ExternalSignInMutations,
))
Subscription = _root("Subscription", "Live updates over the graphql-transport-ws websocket; "
                                     "authenticate in the connection_init payload.",
                     (HubSubscriptions, LiveSubscriptions))


class Schema(strawberry.Schema):
    """Strawberry calls `process_errors` once for every error, before extensions see them."""

    def __init__(self, *args: Any, suggestions: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.suggestions = suggestions
        self.trusted_documents: TrustedDocuments | None = None
        """The allow-list when TRUSTED_DOCUMENTS is set: the websocket transport reads it."""

    def process_errors(self, errors: list[GraphQLError],
                       execution_context: ExecutionContext | None = None) -> None:
        refuse_request_mistakes(errors, execution_context, suggestions=self.suggestions)


def build_schema(settings: Settings) -> Schema:
    """Depth, alias and token limits are always on; production also hides the schema. With
    TRUSTED_DOCUMENTS only the listed documents run, parsed and validated here, once (so the
    parse and validation caches have nothing to do)."""
    # The limiters' rule classes are built once: a new class per request would be a new key
    # for ValidationCache, and every request would be validated again (BENCHMARKS.md, hub).
    limits = [
        *QueryDepthLimiter(max_depth=settings.graphql_max_depth).validation_rules,
        *MaxAliasesLimiter(max_alias_count=settings.graphql_max_aliases).validation_rules,
    ]
    extensions: list = [
        lambda: AddValidationRules(limits),
        lambda: MaxTokensLimiter(max_token_count=settings.graphql_max_tokens),
        MaskUnexpectedErrors,
    ]
    if not settings.trusted_documents:
        extensions[2:2] = [lambda: ParserCache(maxsize=256), lambda: ValidationCache(maxsize=256)]
    # Outermost, so it leaves last and sees the errors as masked (INTERNAL, not the bug's own).
    extensions.insert(0, ObserveOperation)
    if settings.production:
        extensions.append(DisableIntrospection)
    schema = Schema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        types=[Session, Payment],
        extensions=extensions,
        suggestions=not settings.production,
        config=StrawberryConfig(disable_field_suggestions=settings.production),
        execution_context_class=PlainFieldExecutor,
    )
    if settings.trusted_documents:
        rules = [*specified_rules, *limits,
                 *([NoSchemaIntrospectionCustomRule] if settings.production else [])]
        documents = TrustedDocuments.load(settings.trusted_documents, schema._schema, rules,
                                          max_tokens=settings.graphql_max_tokens)
        schema.trusted_documents = documents
        schema.extensions = (*schema.extensions, lambda: TrustedDocumentsOnly(documents))
    return schema
