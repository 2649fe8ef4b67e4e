"""Payments in the API: card on file, charging, manual payments, refunds, and lists."""

from __future__ import annotations

from typing import Annotated

import strawberry

from resolvers.core.pagination import PageRequest
from resolvers.payments import (
    cards,
    charges,
    manual_payments,
    payment_cancellation,
    payment_queries,
    refunds,
)
from schema.core.context import Info
from schema.core.errors import MutationInput, Payload, user_errors_as
from schema.core.ids import node_uuid
from schema.core.pagination import BOTH_WAYS, After, Before, Connection, First, Last
from schema.payments.payment_types import Payment, PaymentMethod, PaymentTotal, SavedCard

SESSION_ID = ("A Session of yours (professional); NOT_FOUND otherwise, exactly as for one that "
              "does not exist.")
PAYMENT_ID = ("A Payment to you (professional); NOT_FOUND otherwise, exactly as for one that "
              "does not exist.")


@strawberry.input(description="The session to charge to its client's card on file, at its "
                               "price.")
class ChargeSessionInput:
    session_id: strawberry.ID = strawberry.field(description=SESSION_ID)


@strawberry.input(description="A payment made outside the app for one session.")
class RecordManualPaymentInput:
    session_id: strawberry.ID = strawberry.field(description=SESSION_ID)
    method: PaymentMethod = strawberry.field(description="CASH, BANK_TRANSFER or INSURER.")
    amount: int | None = strawberry.field(
        default=None, description="Minor units; defaults to the session's price."
    )


@strawberry.input(description="How much of a paid payment to give back.")
class RefundPaymentInput:
    payment_id: strawberry.ID = strawberry.field(description=PAYMENT_ID)
    amount: int | None = strawberry.field(
        default=None, description="Minor units; leave out to refund everything not yet refunded."
    )


@strawberry.input(description="The waiting card payment to stop.")
class CancelPaymentInput:
    payment_id: strawberry.ID = strawberry.field(description=PAYMENT_ID)


@strawberry.type(description="What Stripe Elements needs to save a card; userErrors name "
                             "CARD_PAYMENTS_DISABLED or NOT_ALLOWED (professional-only "
                             "accounts save no card).")
class CardSetupPayload(Payload):
    client_secret: str | None = strawberry.field(
        default=None, description="For stripe.confirmCardSetup in the SPA (Stripe Elements)."
    )


@strawberry.type(description="Whether the card was forgotten; NOT_FOUND when none is on file.")
class RemoveCardPayload(Payload):
    removed: bool = strawberry.field(
        default=False, description="True once the card is gone from Stripe and from myCard.")


@strawberry.type(description="The payment as it is now; userErrors name e.g. ALREADY_PAID, "
                             "NO_CARD, WRONG_STATUS, PAYMENT_REJECTED or "
                             "PAYMENT_PROVIDER_UNAVAILABLE (try again later).")
class PaymentPayload(Payload):
    payment: Payment | None = strawberry.field(
        default=None, description="Check its status: a card payment may still be PROCESSING or "
                                  "REQUIRES_ACTION. Null when userErrors is not empty.")


@strawberry.type
class PaymentQueries:
    @strawberry.field(description="Whether this server takes card payments (Stripe keys set); "
                                  "when false, hide card features and use manual payments.")
    def card_payments_enabled(self, info: Info) -> bool:
        return info.context.caller.settings.card_payments_enabled

    @strawberry.field(description="The signed-in person's card on file, or null.")
    async def my_card(self, info: Info) -> SavedCard | None:
        card = await cards.my_card(info.context.caller)
        return SavedCard.of(card) if card else None

    @strawberry.field(description="Every payment attempt for a session, newest first; empty "
                                  "for a session that is not yours.")
    async def payments(
        self, info: Info,
        session_id: Annotated[strawberry.ID, strawberry.argument(
            description="A Session's global id; its client and its professional see its "
                        "payments.")],
    ) -> list[Payment]:
        account = info.context.caller.require_account()
        found = await payment_queries.payments_of_session(account,
                                                          node_uuid(session_id, "Session"))
        return Payment.list_of(found)

    @strawberry.field(description="The signed-in client's payments to every professional, "
                                  "newest first." + BOTH_WAYS)
    async def my_payments(self, info: Info, first: First = None, after: After = None,
                          last: Last = None, before: Before = None) -> Connection[Payment]:
        account = info.context.caller.require_account()
        page = await payment_queries.my_payments(
            account, request=PageRequest.of(first=first, after=after, last=last, before=before))
        return Connection.of(page, Payment.of)

    @strawberry.field(description="What the signed-in client has paid, per currency.")
    async def my_payment_totals(self, info: Info) -> list[PaymentTotal]:
        account = info.context.caller.require_account()
        return [PaymentTotal.of(t) for t in await payment_queries.totals_paid(
            client_id=account.id)]


@strawberry.type
class PaymentMutations:
    @strawberry.mutation(description="Start saving a card (client): returns the client secret "
                                     "for Stripe Elements. The card appears in myCard once "
                                     "Stripe confirms it.")
    @user_errors_as(CardSetupPayload)
    async def start_card_setup(self, info: Info) -> CardSetupPayload:
        return CardSetupPayload(client_secret=await cards.start_card_setup(info.context.caller))

    @strawberry.mutation(description="Forget the card on file.")
    @user_errors_as(RemoveCardPayload)
    async def remove_card(self, info: Info) -> RemoveCardPayload:
        await cards.remove_card(info.context.caller)
        return RemoveCardPayload(removed=True)

    @strawberry.mutation(description="Charge a session to the client's card on file "
                                     "(professional). Safe to retry: a session is charged once. "
                                     "Look at payment.status for the outcome.")
    @user_errors_as(PaymentPayload)
    async def charge_session(self, info: Info, input: MutationInput[ChargeSessionInput]
                             ) -> PaymentPayload:
        payment = await charges.charge_session(info.context.caller,
                                               node_uuid(input.session_id, "Session"))
        return PaymentPayload(payment=Payment.of(payment))

    @strawberry.mutation(description="Record a payment made outside the app: cash, bank "
                                     "transfer or insurer (professional). Works without Stripe.")
    @user_errors_as(PaymentPayload)
    async def record_manual_payment(self, info: Info, input: MutationInput[RecordManualPaymentInput]
                                    ) -> PaymentPayload:
        payment = await manual_payments.record_manual_payment(
            info.context.caller, node_uuid(input.session_id, "Session"), method=input.method,
            amount=input.amount,
        )
        return PaymentPayload(payment=Payment.of(payment))

    @strawberry.mutation(description="Refund a paid payment in full or in part (professional).")
    @user_errors_as(PaymentPayload)
    async def refund_payment(self, info: Info, input: MutationInput[RefundPaymentInput]
                             ) -> PaymentPayload:
        payment = await refunds.refund_payment(
            info.context.caller, node_uuid(input.payment_id, "Payment"), amount=input.amount)
        return PaymentPayload(payment=Payment.of(payment))

    @strawberry.mutation(description="Cancel a card payment that is still waiting "
                                     "(REQUIRES_ACTION or PROCESSING), professional: it can no "
                                     "longer be charged, becomes FAILED with failureCode "
                                     "canceled, and the session can be charged again or paid "
                                     "manually.")
    @user_errors_as(PaymentPayload)
    async def cancel_payment(self, info: Info, input: MutationInput[CancelPaymentInput]
                             ) -> PaymentPayload:
        payment = await payment_cancellation.cancel_payment(
            info.context.caller, node_uuid(input.payment_id, "Payment"))
        return PaymentPayload(payment=Payment.of(payment))
