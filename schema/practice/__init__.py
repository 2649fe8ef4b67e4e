"""The practice in the API: profiles, services, invitations, engagements, progress.
"""

__all__ = [
    "engagement_types",
    "engagements",
    "invitation_types",
    "invitations",
    "practice_types",
    "progress_types",
    "services",
]
