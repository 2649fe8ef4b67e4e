"""A client's sessions with one professional, newest first, for the client profile.

Callers reach this only through a ClientProfile, which resolvers/practice/client_profiles.py
hands out to the client's own professional; the queries are still filtered by both accounts,
so nothing of another professional's practice can appear.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from models.accounts import Account
from models.scheduling import Session
from resolvers.core import hand_sql
from resolvers.core.pagination import Page, PageRequest

HISTORY_ORDER = [("starts_at", datetime, True), ("id", UUID, True)]


async def sessions_with(professional: Account, client: Account, *,
                        request: PageRequest) -> Page[Session]:
    """Every session of the client with the professional, any status, newest first
    (hand-written: every client profile opens with it)."""
    return await hand_sql.keyset_page(
        Session, "client_id = ? AND professional_id = ?", [client.id, professional.id],
        order=HISTORY_ORDER, request=request)

