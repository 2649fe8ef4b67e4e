"""deleteMyAccount: erasure within what health-records and bookkeeping law keep
(resolvers/privacy/erasure.py, docs/privacy.md)."""

from __future__ import annotations

import strawberry

from resolvers.privacy import erasure
from schema.accounts.reauthentication import IdentityInput
from schema.core.context import Info
from schema.core.errors import MutationInput, Payload, user_errors_as


@strawberry.input(description="Deleting the account needs the password again (and the code "
                               "when two-step sign-in is on).")
class DeleteMyAccountInput:
    identity: IdentityInput = strawberry.field(
        description="Proof that the account's owner is asking, not only their device.")


@strawberry.type(description="The result of deleteMyAccount.")
class DeleteMyAccountPayload(Payload):
    deleted: bool = strawberry.field(
        default=False, description="True once the account is erased and signed out everywhere: "
                                   "forget the token and show the signed-out page.")


@strawberry.type
class ErasureMutations:
    @strawberry.mutation(description=(
        "Delete the signed-in account for good. Sign-in ends on every device; open engagements "
        "end (future sessions are cancelled, the professionals are emailed); name, email, "
        "registration answers and the card are erased. Kept under a pseudonym, as the law "
        "requires: sessions and the professional's notes (health records), payments and "
        "receipts (bookkeeping, BOOKKEEPING_RETENTION_YEARS). The email address can register "
        "again as a new person. Wrong password or code: a userError, nothing changed."))
    @user_errors_as(DeleteMyAccountPayload)
    async def delete_my_account(self, info: Info, input: MutationInput[DeleteMyAccountInput]
                                ) -> DeleteMyAccountPayload:
        await erasure.delete_my_account(info.context.caller, password=input.identity.password,
                                        code=input.identity.code)
        return DeleteMyAccountPayload(deleted=True)
