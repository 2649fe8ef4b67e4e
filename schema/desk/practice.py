"""The practice in the API: the professional's `practice`, a client's `myEngagements`, and the
public pages behind request and invitation links. Mutations live in
schema/practice/services.py, schema/practice/invitations.py, schema/practice/engagements.py and
schema/accounts/account_recovery.py."""

from __future__ import annotations

from typing import Annotated, Self

import strawberry

from models import practice as m
from resolvers.accounts import access_log
from resolvers.core.caller import Caller
from resolvers.core.pagination import PageRequest
from resolvers.practice import (
    engagements,
    invitation_acceptance,
    invitations,
    practice_agenda,
    practice_clients,
    profiles,
    services,
)
from schema.accounts.access_log import AccessLogEntry
from schema.core.context import Info
from schema.core.once import Once
from schema.core.pagination import BOTH_WAYS, After, Before, Connection, First, Last
from schema.core.query_errors import user_errors_as_graphql_errors
from schema.desk.practice_clients import ClientOrder, PracticeClient
from schema.practice.engagement_types import Engagement
from schema.practice.invitation_types import Invitation, InvitationPreview
from schema.practice.practice_types import (
    EngagementStatus,
    ProfessionalProfile,
    PublicService,
    Service,
)
from schema.scheduling.session_types import Session

STATUSES = Annotated[list[EngagementStatus] | None, strawberry.argument(
    description="Only engagements in these statuses; null or empty: all of them.")]


@strawberry.type(description="The signed-in professional's practice.")
class Practice:
    _engagements: strawberry.Private[Once[list[m.Engagement]]]
    """Every engagement of the practice, oldest first, read once for the fields that list
    engagements and for the sessions' engagements."""

    @classmethod
    def of(cls, caller: Caller) -> Self:
        return cls(_engagements=Once(lambda: engagements.practice_engagements(caller, None)))

    @strawberry.field(description="Null until set with updateProfessionalProfile or the first "
                                  "service is created.")
    async def profile(self, info: Info) -> ProfessionalProfile | None:
        profile = await profiles.own_profile(info.context.caller.require_professional())
        return ProfessionalProfile.of(profile) if profile else None

    @strawberry.field(description="Every read of a client's data you made, newest first: "
                                  "profiles opened and pages of notes read, with the address "
                                  "you read from (a reader's own log)." + BOTH_WAYS)
    async def access_log(self, info: Info, first: First = None, after: After = None,
                         last: Last = None, before: Before = None
                         ) -> Connection[AccessLogEntry]:
        account = info.context.caller.require_professional()
        page = await access_log.accesses_by_me(
            account, request=PageRequest.of(first=first, after=after, last=last, before=before))
        return Connection.of(page, lambda access: AccessLogEntry.of(
            access, viewer_id=str(account.id), show_address=True))

    @strawberry.field(description="Oldest first.")
    async def services(
        self, info: Info,
        include_archived: Annotated[bool, strawberry.argument(
            description="Also list archived services, which take no new clients.")] = False,
    ) -> list[Service]:
        found = await services.list_services(info.context.caller.require_professional(),
                                             include_archived=include_archived)
        return [Service.of(service) for service in found]

    @strawberry.field(description="Requests waiting for approveRequest or declineRequest, "
                                  "oldest first.")
    async def pending_requests(self, info: Info) -> list[Engagement]:
        return list(map(Engagement.seen_by(info), engagements.with_statuses(
            await self._engagements, [EngagementStatus.REQUESTED])))

    @strawberry.field(description="Engagements with this practice's services, oldest first.")
    async def engagements(self, info: Info, statuses: STATUSES = None) -> list[Engagement]:
        return list(map(Engagement.seen_by(info),
                        engagements.with_statuses(await self._engagements, statuses)))

    @strawberry.field(description="Newest first; by default only those that can still be "
                                  "accepted.")
    async def invitations(
        self, info: Info,
        include_closed: Annotated[bool, strawberry.argument(
            description="Also list accepted, revoked and expired invitations.")] = False,
    ) -> list[Invitation]:
        found = await invitations.list_invitations(info.context.caller,
                                                   include_closed=include_closed)
        return [Invitation.of(invitation) for invitation in found]


    @strawberry.field(description="Sessions starting today in the viewer's own time zone "
                                  "(viewer.timeZone, as every *Local time), every status, "
                                  "earliest first.")
    async def today_sessions(self, info: Info) -> list[Session]:
        found = await practice_agenda.todays_sessions(info.context.caller)
        await info.context.loaders.attach(found, known=await self._engagements)
        return Session.list_of(found, info.context.viewpoint, info.context.loaders)

    @strawberry.field(description="Sessions starting this week (Monday to Sunday) in the "
                                  "viewer's own time zone, every status, earliest first.")
    async def week_sessions(self, info: Info) -> list[Session]:
        found = await practice_agenda.this_weeks_sessions(info.context.caller)
        await info.context.loaders.attach(found, known=await self._engagements)
        return Session.list_of(found, info.context.viewpoint, info.context.loaders)

    @strawberry.field(description="Current and former clients (active or ended engagements). "
                                  "`search` matches name or email." + BOTH_WAYS)
    @user_errors_as_graphql_errors
    async def clients(self, info: Info, first: First = None, after: After = None,
                      last: Last = None, before: Before = None,
                      search: Annotated[str | None, strawberry.argument(
                          description="Text the name or email must contain, any case, at most "
                                      "200 characters; null or blank: every client.")] = None,
                      order_by: Annotated[ClientOrder, strawberry.argument(
                          description="How to sort; the cursors belong to this order, so keep "
                                      "it while paging.")] = ClientOrder.NAME,
                      ) -> Connection[PracticeClient]:
        page = await practice_clients.practice_clients(
            info.context.caller, search=search, order=order_by,
            request=PageRequest.of(first=first, after=after, last=last, before=before),
            practice_engagements=self._engagements,
        )
        return Connection.of(page, PracticeClient.of)


@strawberry.type
class PracticeQueries:
    @strawberry.field(description="The signed-in professional's practice.")
    def practice(self, info: Info) -> Practice:
        info.context.caller.require_professional()
        return Practice.of(info.context.caller)

    @strawberry.field(description="The signed-in person's engagements as a client, newest "
                                  "first.")
    async def my_engagements(self, info: Info, statuses: STATUSES = None) -> list[Engagement]:
        return list(map(Engagement.seen_by(info),
                        await engagements.my_engagements(info.context.caller, statuses)))

    @strawberry.field(description="What a request link shows; no sign-in needed. Null for "
                                  "unknown and archived services.")
    async def public_service(
        self, slug: Annotated[str, strawberry.argument(
            description="The last part of the request link, /s/<slug>.")],
    ) -> PublicService | None:
        service = await services.public_service(slug)
        return PublicService.of(service, service.professional) if service else None

    @strawberry.field(description="What an invitation link shows; no sign-in needed. Null for "
                                  "a link that does not exist.")
    async def invitation_preview(
        self, token: Annotated[str, strawberry.argument(
            description="The token from the invitation link's #token= fragment, as emailed.")],
    ) -> InvitationPreview | None:
        preview = await invitation_acceptance.preview(token)
        return InvitationPreview.of(preview) if preview else None
