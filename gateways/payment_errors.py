"""How talking to the card processor fails.

Exception tree:

    PaymentGatewayError        base; the message says what to do and is safe to log
    +-- CardPaymentsDisabled   no Stripe keys configured: cards are off, manual payments work
    +-- UnsupportedCurrency    we do not charge cards in this currency
    +-- GatewayUnavailable     Stripe did not answer (timeout, network, 5xx, rate limit); whether a
    |                          charge happened is unknown: retry with the same idempotency key
    +-- GatewayMisconfigured   Stripe refused our key or our use of an idempotency key: an
    |                          operator must fix configuration or code; retrying will not help
    +-- GatewayRejected        Stripe refused the request itself (an unknown card, a refund larger
    |                          than what is left): `code` and `message` are Stripe's
    +-- WebhookSignatureError  a webhook that is not provably from Stripe, or too old to trust

A declined card is not an error: charging returns a `ChargeResult` with outcome "failed".
"""

from __future__ import annotations


class PaymentGatewayError(Exception):
    pass


class CardPaymentsDisabled(PaymentGatewayError):
    def __init__(self) -> None:
        super().__init__(
            "Card payments are not enabled on this server: set STRIPE_SECRET_KEY and "
            "STRIPE_WEBHOOK_SECRET, or record the payment manually."
        )


class UnsupportedCurrency(PaymentGatewayError):
    def __init__(self, currency: str) -> None:
        super().__init__(
            f"Cards cannot be charged in {currency} here; record the payment manually or price "
            "the service in a currency such as ISK, EUR, GBP or USD."
        )
        self.currency = currency


class GatewayUnavailable(PaymentGatewayError):
    pass


class GatewayMisconfigured(PaymentGatewayError):
    pass


class GatewayRejected(PaymentGatewayError):
    def __init__(self, message: str, *, code: str | None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class WebhookSignatureError(PaymentGatewayError):
    pass
