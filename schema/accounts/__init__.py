"""Accounts in the API: the viewer, registration, sign-in (password or eID), password and account
recovery.
"""

__all__ = [
    "access_log",
    "account_recovery",
    "accounts",
    "consents",
    "external_sign_in",
    "reauthentication",
]
