"""Per-request DataLoaders: every relation a list of rows needs is fetched in one batched query.

A request gets fresh `Loaders` (built in the GraphQL context), so nothing cached outlives it and
no viewer ever sees another's cache. Use cases that already hold rows (with their relations
joined in) `remember` them, so the relation resolvers find them without asking the database
again: that is what keeps the number of statements of `hub` and `practice` constant however many
sessions they return.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Sequence
from typing import TypeVar, cast
from uuid import UUID

from strawberry.dataloader import DataLoader
from tortoise.models import Model

from models.accounts import Account
from models.live import CallParticipant
from models.payments import PaymentRefund
from models.practice import Engagement, ProfessionalProfile, Service
from models.scheduling import Session, SessionSeries, SessionStatusChange
from resolvers.practice.progress import Progress, progress_by_engagement

M = TypeVar("M", bound=Model)
T = TypeVar("T")


def _by_id(model: type[M]) -> Callable[[list[UUID]], Awaitable[Sequence[M | None]]]:
    async def load(ids: list[UUID]) -> list[M | None]:
        found = {row.pk: row for row in await model.filter(pk__in=ids)}
        return [found.get(i) for i in ids]

    return load


def _grouped(model: type[M], key: str, order: str
             ) -> Callable[[list[UUID]], Awaitable[Sequence[list[M]]]]:
    """Rows of `model` whose `key` column is each id, in `order`: a list per id, maybe empty."""
    async def load(ids: list[UUID]) -> list[list[M]]:
        groups: dict[UUID, list[M]] = {i: [] for i in ids}
        for row in await model.filter(**{f"{key}__in": ids}).order_by(order, "id"):
            groups[getattr(row, key)].append(row)
        return [groups[i] for i in ids]

    return load


def _loaded(row: Model, relation: str) -> Model | None:
    """A relation Tortoise already fetched (select_related, prefetch), or None."""
    value = row.__dict__.get(f"_{relation}")
    return value if isinstance(value, Model) else None


class Loaders:
    """One DataLoader per model, keyed by primary key; missing rows load as None."""

    def __init__(self) -> None:
        self.accounts: DataLoader[UUID, Account | None] = DataLoader(_by_id(Account))
        self.profiles: DataLoader[UUID, ProfessionalProfile | None] = DataLoader(
            _by_id(ProfessionalProfile))
        self.services: DataLoader[UUID, Service | None] = DataLoader(_by_id(Service))
        self.engagements: DataLoader[UUID, Engagement | None] = DataLoader(_by_id(Engagement))
        self.series: DataLoader[UUID, SessionSeries | None] = DataLoader(_by_id(SessionSeries))
        self.session_changes: DataLoader[UUID, list[SessionStatusChange]] = DataLoader(
            _grouped(SessionStatusChange, "session_id", "at"))
        self.call_participants: DataLoader[UUID, list[CallParticipant]] = DataLoader(
            _grouped(CallParticipant, "session_id", "joined_at"))
        self.refunds: DataLoader[UUID, list[PaymentRefund]] = DataLoader(
            _grouped(PaymentRefund, "payment_id", "created_at"))
        self._progress: dict[str, DataLoader[UUID, Progress]] = {}
        self._shown: dict[tuple[type, UUID], object] = {}
        self._by_model: dict[type[Model], DataLoader] = {
            Account: self.accounts, ProfessionalProfile: self.profiles,
            Service: self.services, Engagement: self.engagements,
        }

    def progress(self, time_zone: str) -> DataLoader[UUID, Progress]:
        """Progress by engagement id, with months counted in `time_zone` (the viewer's)."""
        if time_zone not in self._progress:
            async def load(ids: list[UUID]) -> list[Progress]:
                found = await progress_by_engagement(ids, time_zone=time_zone)
                return [found[i] for i in ids]

            self._progress[time_zone] = DataLoader(load)
        return self._progress[time_zone]

    def remember(self, *rows: Model) -> None:
        """Prime the loaders with rows already in hand and every relation joined into them."""
        for row in rows:
            loader = self._by_model.get(type(row))
            if loader is not None:
                if self._holds(loader, row):
                    continue  # remembered already, with its relations: many sessions share it
                loader.prime(row.pk, row)
            for name in ("engagement", "service", "professional", "client", "account"):
                if (related := _loaded(row, name)) is not None:
                    self.remember(related)

    @staticmethod
    def _holds(loader: DataLoader, row: Model) -> bool:
        future = loader.cache_map.get(row.pk)
        return (future is not None and future.done() and not future.cancelled()
                and future.exception() is None and future.result() is row)

    async def attach(self, sessions: list[Session], known: Iterable[Engagement] = ()
                     ) -> list[Session]:
        """Join each session's engagement, service, professional and client in one query and
        remember them. Engagements in `known` (loaded by the caller with those relations
        joined in) are used as they are; the query runs only for the others, if any.

        A list resolver calls this for its own rows instead of leaving them to the shared
        loaders: sibling lists (today's and this week's sessions) resolving a moment apart
        would otherwise make one or two batches depending on timing, and the statement count
        of a request would not be the same from one run to the next.
        """
        if not sessions:
            return sessions
        found = {e.id: e for e in known}
        if missing := {s.engagement_id for s in sessions} - found.keys():
            found.update((e.id, e) for e in await Engagement.filter(
                id__in=missing).select_related("client", "service__professional"))
        for session in sessions:
            session.engagement = found[session.engagement_id]
        self.remember(*sessions)
        return sessions

    def _known(self, row: Model, relation: str, loader: DataLoader[UUID, M | None],
               key: UUID) -> M | None:
        """The related row if it is in hand already (joined in, or loaded earlier)."""
        related = _loaded(row, relation)
        if related is not None:
            return cast("M", related)  # the relation holds the rows its loader loads
        future = loader.cache_map.get(key)
        if future is not None and future.done() and not future.cancelled() \
                and future.exception() is None:
            return future.result()
        return None

    def shown(self, kind: type[T], key: UUID, build: Callable[[], T]) -> T:
        """The API object `kind` for row `key`, built once per request: the sessions of a list
        share a few services and professionals, and each is shown by the same object."""
        if (kind, key) not in self._shown:
            self._shown[kind, key] = build()
        return cast("T", self._shown[kind, key])

    def engagement_now(self, session: Session) -> Engagement | None:
        """The session's engagement, if it is in hand."""
        return self._known(session, "engagement", self.engagements, session.engagement_id)

    def engagement_relations_now(self, engagement: Engagement) -> tuple[
            Service | None, ProfessionalProfile | None]:
        """The engagement's service and professional's profile, those in hand."""
        service = self._known(engagement, "service", self.services, engagement.service_id)
        if service is None:
            return None, None
        return service, self._known(service, "professional", self.profiles,
                                    service.professional_id)

    async def _related(self, row: Model, relation: str, loader: DataLoader[UUID, M | None],
                       key: UUID) -> M:
        related = _loaded(row, relation)
        if related is not None:
            return cast("M", related)  # the relation holds the rows its loader loads
        found = await loader.load(key)
        assert found is not None, f"{type(row).__name__}.{relation} points at a missing row"
        return found

    async def engagement_of(self, session: Session) -> Engagement:
        return await self._related(session, "engagement", self.engagements,
                                   session.engagement_id)

    async def service_of(self, engagement: Engagement) -> Service:
        return await self._related(engagement, "service", self.services, engagement.service_id)

    async def profile_of(self, service: Service) -> ProfessionalProfile:
        return await self._related(service, "professional", self.profiles,
                                   service.professional_id)

    async def client_of(self, row: Engagement | Session) -> Account:
        return await self._related(row, "client", self.accounts, row.client_id)

    async def session_service(self, session: Session) -> Service:
        return await self.service_of(await self.engagement_of(session))

    async def session_profile(self, session: Session) -> ProfessionalProfile:
        return await self.profile_of(await self.session_service(session))
