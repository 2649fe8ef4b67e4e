"""Accounts in the API: the viewer, registration, sign-in, password and account recovery.
"""

__all__ = [
    "access_log",
    "account_recovery",
    "accounts",
    "consents",
    "reauthentication",
]
