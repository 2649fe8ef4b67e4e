"""The input by which a signed-in person proves again who they are (resolvers/accounts/
reauthentication.py), embedded in the inputs of exportMyData and deleteMyAccount."""

from __future__ import annotations

import strawberry


@strawberry.input(description="The account's password again, and the current code when "
                               "two-step sign-in is on: a signed-in device alone is not enough "
                               "for this action.")
class IdentityInput:
    password: str = strawberry.field(description="The account's current password.")
    code: str | None = strawberry.field(
        default=None,
        description="The 6-digit code from the authenticator app; required when two-step "
                    "sign-in is on (a wrong one is INVALID_CODE on field `code`).")
