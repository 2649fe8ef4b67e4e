"""The practice: a professional's profile and services, invitations, engagements (a client
connected to a service), the clients and their progress.
"""

__all__ = [
    "card_requirement",
    "client_history",
    "client_profiles",
    "emailing_limits",
    "engagements",
    "invitation_acceptance",
    "invitations",
    "practice_agenda",
    "practice_clients",
    "profiles",
    "progress",
    "registration_details",
    "services",
]
