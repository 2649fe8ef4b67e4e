"""Stripe, behind a few plain functions: the only module that imports `stripe`.

Use it per use case:

    async with StripeGateway(settings) as gateway:
        result = await gateway.charge_off_session(...)

Everything returned is a frozen dataclass of plain values with amounts already in our minor
units (gateways/payment_results.py); Stripe's objects and exceptions do not leak out
(gateways/payment_errors.py).

What we send Stripe is kept to what a card payment needs: opaque ids of ours in `metadata`,
the amount and currency, and the client's name and email only if the caller passes them. Never
put a service title, a diagnosis or a note into Stripe: its dashboard, its receipts and card
statements are outside this system's protection.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from types import TracebackType

import stripe
from stripe import RequestOptions
from stripe.params import (
    CustomerCreateParams,
    PaymentIntentCreateParams,
    PaymentIntentListParams,
    RefundCreateParams,
)

from gateways.payment_errors import (
    CardPaymentsDisabled,
    GatewayMisconfigured,
    GatewayRejected,
    GatewayUnavailable,
    WebhookSignatureError,
)
from gateways.payment_results import (
    CardDetails,
    CardSetup,
    ChargeOutcome,
    ChargeResult,
    RefundResult,
    WebhookEvent,
)
from gateways.stripe_amounts import from_stripe_amount, stripe_currency, to_stripe_amount
from settings import Settings

# A PaymentIntent's status after an off-session confirmation, as our outcome. Anything else
# (requires_payment_method, canceled) means the attempt failed.
_OUTCOMES: dict[str, ChargeOutcome] = {
    "succeeded": "succeeded",
    "requires_action": "requires_action",
    "processing": "processing",
}


class StripeGateway:
    """A Stripe API client for one use case (it holds an HTTP connection pool: close it)."""

    def __init__(self, settings: Settings) -> None:
        if not settings.card_payments_enabled:
            raise CardPaymentsDisabled()
        self._http = stripe.HTTPXClient(timeout=settings.stripe_timeout_seconds)
        self._client = stripe.StripeClient(
            settings.stripe_secret_key,
            base_addresses={"api": settings.stripe_api_base} if settings.stripe_api_base else None,
            http_client=self._http,
            max_network_retries=settings.stripe_max_network_retries,
        )

    async def __aenter__(self) -> StripeGateway:
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None,
                        exc: BaseException | None, traceback: TracebackType | None) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.close_async()

    async def ensure_customer(self, existing_customer_id: str | None, *, account_id: str,
                              email: str | None = None, name: str | None = None) -> str:
        """The Stripe customer id for an account: the stored one while it still exists at
        Stripe, else a new customer. Creation is idempotent per account, replaced customer and
        details, so two concurrent card setups for one account create one customer."""
        v1 = self._client.v1
        with _stripe_errors():
            if existing_customer_id:
                try:
                    customer = await v1.customers.retrieve_async(existing_customer_id)
                except stripe.InvalidRequestError as error:
                    if error.code != "resource_missing":
                        raise
                else:
                    if not getattr(customer, "deleted", False):
                        return customer.id
            params: CustomerCreateParams = {"metadata": {"account_id": account_id}}
            if email:
                params["email"] = email
            if name:
                params["name"] = name
            key = _idempotency_key("customer", account_id, existing_customer_id or "", params)
            customer = await v1.customers.create_async(params, {"idempotency_key": key})
        return customer.id

    async def create_setup_intent(self, customer_id: str, *,
                                  idempotency_key: str | None = None) -> CardSetup:
        """A SetupIntent that saves a card for later off-session charges (so the bank
        authenticates the client once, now, rather than at every charge)."""
        options: RequestOptions | None = (
            {"idempotency_key": idempotency_key} if idempotency_key else None)
        with _stripe_errors():
            intent = await self._client.v1.setup_intents.create_async(
                {"customer": customer_id, "usage": "off_session",
                 "allowed_payment_method_types": ["card"]},
                options,
            )
        assert intent.client_secret, "Stripe returns a client secret for a new SetupIntent"
        return CardSetup(customer_id=customer_id, setup_intent_id=intent.id,
                         client_secret=intent.client_secret)

    async def payment_method_details(self, payment_method_id: str) -> CardDetails:
        """Brand, last four digits and expiry of a saved card (never its number)."""
        with _stripe_errors():
            method = await self._client.v1.payment_methods.retrieve_async(payment_method_id)
        if method.type != "card" or method.card is None:
            raise GatewayRejected(f"Payment method {payment_method_id} is not a card.",
                                  code="not_a_card")
        customer = method.customer
        return CardDetails(
            payment_method_id=method.id,
            customer_id=customer if isinstance(customer, str) or customer is None else customer.id,
            brand=method.card.brand, last4=method.card.last4,
            exp_month=method.card.exp_month, exp_year=method.card.exp_year,
        )

    async def detach_payment_method(self, payment_method_id: str) -> None:
        """Take a saved card off its customer for good: it can never be charged again."""
        with _stripe_errors():
            await self._client.v1.payment_methods.detach_async(payment_method_id)

    async def delete_customer(self, customer_id: str) -> None:
        """Delete the customer and its name and email at Stripe, for an erased account; its
        past payments stay at Stripe (their bookkeeping), and a deleted one answers alike."""
        with _stripe_errors():
            await self._client.v1.customers.delete_async(customer_id)

    async def charge_off_session(self, *, customer_id: str, payment_method_id: str,
                                 amount_minor: int, currency: str, idempotency_key: str,
                                 metadata: Mapping[str, str] | None = None) -> ChargeResult:
        """Charge a saved card while the client is not present.

        `idempotency_key` must be derived from what is being paid for (e.g. the session id), so
        a retry after a timeout, a double click or a second worker reaches Stripe as the same
        request and is charged once: Stripe answers a repeated key with the first answer.
        The stripe library also retries network failures itself with that same key.
        """
        params: PaymentIntentCreateParams = {
            "amount": to_stripe_amount(amount_minor, currency),
            "currency": stripe_currency(currency),
            "customer": customer_id,
            "payment_method": payment_method_id,
            "allowed_payment_method_types": ["card"],
            "off_session": True,
            "confirm": True,
            "metadata": dict(metadata or {}),
        }
        with _stripe_errors():
            try:
                intent = await self._client.v1.payment_intents.create_async(
                    params, {"idempotency_key": idempotency_key})
            except stripe.CardError as error:
                return _declined(error, amount_minor, currency)
        outcome = _OUTCOMES.get(intent.status, "failed")
        last_error = getattr(intent, "last_payment_error", None) if outcome == "failed" else None
        return ChargeResult(
            outcome=outcome, payment_intent_id=intent.id, amount_minor=amount_minor,
            currency=currency,
            client_secret=intent.client_secret if outcome == "requires_action" else None,
            failure_code=last_error.code if last_error else None,
            decline_code=last_error.decline_code if last_error else None,
            failure_message=last_error.message if last_error else None,
        )

    async def find_payment_intent(self, customer_id: str, *, payment_id: str,
                                  created_since: datetime) -> str | None:
        """The id of the customer's PaymentIntent made for our payment `payment_id` (its
        metadata) since `created_since`, or None when Stripe has none: for a charge whose
        answer was lost, to learn whether Stripe ever received it. Lists rather than searches:
        Stripe's search is only eventually consistent."""
        params: PaymentIntentListParams = {"customer": customer_id, "limit": 100,
                                  "created": {"gte": int(created_since.timestamp())}}
        with _stripe_errors():
            page = await self._client.v1.payment_intents.list_async(params)
        for intent in page.data:
            if intent.metadata and intent.metadata.to_dict().get("payment_id") == payment_id:
                return intent.id
        return None

    async def cancel_payment_intent(self, payment_intent_id: str, *,
                                    idempotency_key: str) -> str:
        """Cancel a PaymentIntent that has not succeeded, so it can never be charged. Returns
        the intent's status afterwards: `canceled`, or, when Stripe will not cancel it any
        more (it succeeded, was cancelled already, or is too far into processing), the status
        it has, read back from Stripe."""
        with _stripe_errors():
            try:
                intent = await self._client.v1.payment_intents.cancel_async(
                    payment_intent_id, {"cancellation_reason": "abandoned"},
                    {"idempotency_key": idempotency_key})
            except stripe.InvalidRequestError as error:
                if error.code != "payment_intent_unexpected_state":
                    raise
                intent = await self._client.v1.payment_intents.retrieve_async(payment_intent_id)
        return intent.status

    async def refund(self, *, payment_intent_id: str, currency: str, idempotency_key: str,
                     amount_minor: int | None = None) -> RefundResult:
        """Refund all that is left of a payment (`amount_minor=None`) or part of it. The key
        should name the refund being made (e.g. our refund row's id) so a retry refunds once."""
        params: RefundCreateParams = {"payment_intent": payment_intent_id}
        if amount_minor is not None:
            params["amount"] = to_stripe_amount(amount_minor, currency)
        with _stripe_errors():
            refund = await self._client.v1.refunds.create_async(
                params, {"idempotency_key": idempotency_key})
        return RefundResult(refund_id=refund.id, status=refund.status or "pending",
                            amount_minor=from_stripe_amount(refund.amount, refund.currency),
                            currency=refund.currency.upper())


def parse_webhook(settings: Settings, payload: bytes, signature_header: str | None, *,
                  tolerance_seconds: int = 300) -> WebhookEvent:
    """The event in a webhook request, once its signature proves it came from Stripe.

    `payload` must be the raw request body: the signature covers those exact bytes, so a
    re-serialised body would fail. The timestamp inside the signature must be recent
    (`tolerance_seconds`), which stops a captured request from being replayed later; replays
    within that window are stopped by recording each event id (the caller's job).
    """
    if not settings.card_payments_enabled:
        raise CardPaymentsDisabled()
    try:
        stripe.WebhookSignature.verify_header(payload, signature_header,
                                              settings.stripe_webhook_secret, tolerance_seconds)
        event = json.loads(payload)
        return WebhookEvent(
            id=event["id"], type=event["type"],
            created=datetime.fromtimestamp(event["created"], UTC),
            livemode=bool(event.get("livemode")), data_object=event["data"]["object"],
        )
    except stripe.SignatureVerificationError as error:
        raise WebhookSignatureError(
            f"Refused a webhook whose Stripe signature does not verify: {error.user_message}"
        ) from None
    except (UnicodeDecodeError, ValueError, KeyError, TypeError):
        raise WebhookSignatureError("Refused a signed webhook that is not a Stripe event.") \
            from None


def _idempotency_key(purpose: str, *parts: object) -> str:
    """A key naming exactly this request: Stripe refuses a key reused with other parameters."""
    digest = hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()[:32]
    return f"{purpose}:{digest}"


def _declined(error: stripe.CardError, amount_minor: int, currency: str) -> ChargeResult:
    """A card error: the bank wants the client present (authentication_required) or declined."""
    detail = error.error
    intent = detail.payment_intent if detail else None
    needs_client = error.code == "authentication_required" and intent is not None
    return ChargeResult(
        outcome="requires_action" if needs_client else "failed",
        payment_intent_id=intent.id if intent else None,
        amount_minor=amount_minor, currency=currency,
        client_secret=intent.client_secret if needs_client and intent else None,
        failure_code=error.code,
        decline_code=detail.decline_code if detail else None,
        failure_message=error.user_message,
    )


@contextlib.contextmanager
def _stripe_errors() -> Iterator[None]:
    """Stripe's exceptions as ours (payment_errors.py), each with what to do about it."""
    try:
        yield
    except (stripe.APIConnectionError, stripe.RateLimitError, stripe.APIError) as error:
        raise GatewayUnavailable(
            "Stripe did not answer in time, so it is not known whether this went through. "
            "Try again in a minute: the retry carries the same idempotency key and cannot "
            f"charge twice. ({type(error).__name__})"
        ) from error
    except (stripe.AuthenticationError, stripe.PermissionError) as error:
        raise GatewayMisconfigured(
            "Stripe refused the API key: check STRIPE_SECRET_KEY (a secret key, sk_..., of the "
            "right account and mode)."
        ) from error
    except stripe.IdempotencyError as error:
        raise GatewayMisconfigured(
            "Stripe refused a reused idempotency key with different parameters: derive the key "
            f"from everything that makes the request unique. ({error.user_message})"
        ) from error
    except stripe.InvalidRequestError as error:
        raise GatewayRejected(error.user_message or "Stripe refused the request.",
                              code=error.code) from error
