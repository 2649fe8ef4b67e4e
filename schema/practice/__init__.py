"""The practice in the API: profiles, services, invitations, engagements, clients, progress.
"""

__all__ = [
    "client_profile",
    "engagement_types",
    "engagements",
    "invitation_types",
    "invitations",
    "practice",
    "practice_clients",
    "practice_types",
    "progress_types",
    "services",
]
