"""The HTTP edge: what every request passes before it reaches a route.

Pure ASGI middleware (no request is buffered here) plus the access-log redaction and the
brief pool-outage warnings, applied by
`app.create_app` so they hold however uvicorn is started; and what a serving process sets up
once (its logging, its garbage collection).
"""

from __future__ import annotations

from middleware.access_log import redact_access_log
from middleware.body_limit import BodyLimit
from middleware.unavailable import AnswerUnavailable, brief_pool_outages

__all__ = ["AnswerUnavailable", "BodyLimit", "brief_pool_outages", "redact_access_log"]
