"""Accounts: registration (never telling whether an address has one), sign-in and second
factor, sign-in with a national eID (OpenID Connect), password changes and resets, confirming an
address, limits on failed sign-ins, strong authentication for reading records, and the
professional's notes key.

The notes key is a credential of the account: wrapped under its password, unlocked at sign-in,
held per login session, re-wrapped when the password changes or is reset. So it lives here
(note_keys, note_key_reset), and the notes domain above uses it; accounts never imports notes.
"""

__all__ = [
    "access_log",
    "account_links",
    "accounts",
    "consents",
    "email_confirmation",
    "external_identities",
    "external_identities_links",
    "known_devices",
    "login_limits",
    "note_key_reset",
    "note_keys",
    "password_reset",
    "reauthentication",
    "registration",
    "second_factor",
    "signin",
    "strong_authentication",
]
