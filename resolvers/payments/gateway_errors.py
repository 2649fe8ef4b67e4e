"""The payment gateway's failures as userErrors: each says what the person can do."""

from __future__ import annotations

from gateways.payment_errors import (
    CardPaymentsDisabled,
    GatewayRejected,
    GatewayUnavailable,
    PaymentGatewayError,
    UnsupportedCurrency,
)
from resolvers.core.errors import ErrorCode, UserErrors, fail

DISABLED_MESSAGE = ("Card payments are not enabled on this server; the professional can "
                    "record the payment manually.")


def as_user_error(error: PaymentGatewayError) -> UserErrors:
    if isinstance(error, CardPaymentsDisabled):
        return fail(DISABLED_MESSAGE, ErrorCode.CARD_PAYMENTS_DISABLED)
    if isinstance(error, GatewayUnavailable):
        return fail("The card processor did not answer in time, so it is not known yet whether "
                    "this went through. Try again in a minute: a retry never charges twice.",
                    ErrorCode.PAYMENT_PROVIDER_UNAVAILABLE)
    if isinstance(error, UnsupportedCurrency):
        return fail(str(error), ErrorCode.PAYMENT_REJECTED)
    if isinstance(error, GatewayRejected):
        return fail(f"The card processor refused this: {error.message}",
                    ErrorCode.PAYMENT_REJECTED)
    return fail("Card payments are misconfigured on this server; please tell the practice, and "
                "record the payment manually meanwhile.", ErrorCode.PAYMENT_PROVIDER_UNAVAILABLE)
