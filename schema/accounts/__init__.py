"""Accounts in the API: the viewer, registration, sign-in, password and account recovery.
"""

__all__ = [
    "account_recovery",
    "accounts",
]
