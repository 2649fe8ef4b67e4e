"""Tortoise models, one Tortoise app per domain so each domain owns its migrations."""

from __future__ import annotations

APPS: dict[str, list[str]] = {
    "accounts": ["models.accounts", "models.account_links", "models.audit", "models.rate_limits"],
    "notes": ["models.notes"],
    "practice": ["models.practice"],
    "messaging": ["models.outbox"],
    "scheduling": ["models.scheduling"],
    "payments": ["models.payments"],
    "live": ["models.live"],
    "privacy": ["models.privacy"],
    "consent": ["models.consent"],
}
"""App label -> model modules; each app's migrations live in `migrations/<label>/`."""
