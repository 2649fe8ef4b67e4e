"""Accounts: registration, sign-in and second factor, password changes and resets, confirming
an address, limits on failed sign-ins.
"""

__all__ = [
    "account_links",
    "accounts",
    "email_confirmation",
    "login_limits",
    "password_reset",
    "second_factor",
    "signin",
]
