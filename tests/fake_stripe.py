"""A fake Stripe API on a loopback port, spoken to by the real `stripe` library.

Tests point STRIPE_API_BASE at `FakeStripe.url`, so every byte our gateway sends goes through
the library's real encoding, headers, retries and error mapping. The fake implements what the
therapy hub uses (customers, SetupIntents, card PaymentMethods, off-session PaymentIntents,
refunds) the way Stripe documents it, including:

- Idempotency-Key: a repeated key with the same parameters gets the first answer again
  (header `Idempotent-Replayed: true`) and changes nothing; with other parameters, a 400
  idempotency_error. This is what makes "charged once" checkable: see `charges`.
- Card behaviour per payment method (`add_card`, `set_card_behaviour`): succeed, require
  authentication (off-session: 402 authentication_required), stay processing, or decline with
  an issuer reason.
- Listing a customer's PaymentIntents (`customer`, `created[gte]`, `limit`).
- `refuse_next_request(path)`: a 500 without carrying the request out, as when it never
  reached Stripe.
- Cancelling a PaymentIntent that has not succeeded (POST /v1/payment_intents/{id}/cancel);
  one that succeeded or was cancelled already is refused (payment_intent_unexpected_state).
- The API version the library pins (endive): `payment_method_types` is no longer writable on
  SetupIntents and PaymentIntents (400 payment_method_types_no_longer_supported);
  `allowed_payment_method_types` is, and comes back as `payment_method_types`.
- Stripe's ISK rule: amounts must be a multiple of 100 (two decimals, zero-decimal in fact).
- `delay_next_response(path, seconds)`: the request is carried out at once but its answer is
  held back, as when a response is lost to a timeout.
- `unreachable()`: a block during which nothing listens on the fake's port (Stripe down or
  the network to it cut); afterwards it serves again with its state intact.

`event_payload` and `sign_webhook` build webhook requests signed with Stripe's scheme
(`Stripe-Signature: t=<unix time>,v1=<hex HMAC-SHA256 of "t.body">`), written here from the
documented scheme rather than with the library, so the gateway's verification is checked
against an independent implementation.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import itertools
import json
import re
import secrets
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import parse_qsl

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

CardBehaviour = Literal["succeed", "requires_action", "decline", "processing"]

_DECLINE_MESSAGES = {
    "insufficient_funds": "Your card has insufficient funds.",
    "lost_card": "Your card was declined.",
    "generic_decline": "Your card was declined.",
    "expired_card": "Your card has expired.",
}


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str
    params: dict[str, Any]
    idempotency_key: str | None


class _Reply(Exception):
    """Raised by a handler to answer with a Stripe error."""

    def __init__(self, status: int, error: dict[str, Any]) -> None:
        super().__init__(error.get("message"))
        self.status = status
        self.error = error


def _route(handler: Any) -> Any:
    """A handler taking (params, path params) as a Starlette endpoint behind `_serve`."""
    async def endpoint(self: FakeStripe, request: Request) -> JSONResponse:
        return await self._serve(request, lambda params, path: handler(self, params, path))
    return endpoint


class FakeStripe:
    API_KEY = "sk_test_fake_therapy_hub"
    WEBHOOK_SECRET = "whsec_fake_therapy_hub"

    def __init__(self) -> None:
        self.url = ""
        self._lock = threading.Lock()
        self._ids = itertools.count(1)
        self.reset()
        self.app = Starlette(routes=[
            Route("/v1/customers", self._create_customer, methods=["POST"]),
            Route("/v1/customers/{id}", self._retrieve_customer, methods=["GET"]),
            Route("/v1/customers/{id}", self._delete_customer, methods=["DELETE"]),
            Route("/v1/setup_intents", self._create_setup_intent, methods=["POST"]),
            Route("/v1/payment_methods/{id}", self._retrieve_payment_method, methods=["GET"]),
            Route("/v1/payment_methods/{id}/detach", self._detach_payment_method,
                  methods=["POST"]),
            Route("/v1/payment_intents", self._create_payment_intent, methods=["POST"]),
            Route("/v1/payment_intents", self._list_payment_intents, methods=["GET"]),
            Route("/v1/payment_intents/{id}", self._retrieve_payment_intent, methods=["GET"]),
            Route("/v1/payment_intents/{id}/cancel", self._cancel_payment_intent,
                  methods=["POST"]),
            Route("/v1/refunds", self._create_refund, methods=["POST"]),
        ])

    def reset(self) -> None:
        """Forget every object, charge and request (between tests)."""
        with self._lock:
            self.customers: dict[str, dict[str, Any]] = {}
            self.setup_intents: dict[str, dict[str, Any]] = {}
            self.payment_methods: dict[str, dict[str, Any]] = {}
            self.payment_intents: dict[str, dict[str, Any]] = {}
            self.refunds: dict[str, dict[str, Any]] = {}
            self.charges: list[dict[str, Any]] = []
            self.requests: list[RecordedRequest] = []
            self._behaviour: dict[str, tuple[CardBehaviour, str]] = {}
            self._idempotent: dict[str, tuple[dict[str, Any], int, dict[str, Any]]] = {}
            self._delays: dict[str, float] = {}
            self._refusals: set[str] = set()

    @classmethod
    @contextlib.contextmanager
    def running(cls) -> Iterator[FakeStripe]:
        """Serve a fresh fake on a free loopback port for the duration of the block."""
        fake = cls()
        fake._serve_on(0)
        try:
            yield fake
        finally:
            fake._stop_serving()

    @contextlib.contextmanager
    def unreachable(self) -> Iterator[None]:
        """Stripe is down for the block: nothing listens on its port, so every request is
        refused at connect. Afterwards it serves again on the same port, knowing everything
        it knew (customers, cards, charges, idempotency keys)."""
        port = int(self.url.rsplit(":", 1)[1])
        self._stop_serving()
        try:
            yield
        finally:
            self._serve_on(port)

    def _serve_on(self, port: int) -> None:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", port))
        server = uvicorn.Server(uvicorn.Config(self.app, log_level="warning", lifespan="off",
                                               timeout_graceful_shutdown=5))
        thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
        thread.start()
        deadline = time.monotonic() + 10
        while not server.started:
            if time.monotonic() > deadline or not thread.is_alive():
                raise RuntimeError("The fake Stripe server did not start.")
            time.sleep(0.01)
        self._serving = (server, thread, sock)
        self.url = f"http://127.0.0.1:{sock.getsockname()[1]}"

    def _stop_serving(self) -> None:
        server, thread, sock = self._serving
        server.should_exit = True
        thread.join(10)
        sock.close()

    # -- what tests arrange -------------------------------------------------------------------

    def add_card(self, *, customer: str | None = None, brand: str = "visa", last4: str = "4242",
                 exp_month: int = 12, exp_year: int = 2030, behaviour: CardBehaviour = "succeed",
                 decline_code: str = "generic_decline") -> str:
        """A card PaymentMethod (attached to `customer` if given), charged as `behaviour` says."""
        with self._lock:
            method = {
                "id": self._id("pm"), "object": "payment_method", "type": "card",
                "card": {"brand": brand, "last4": last4, "exp_month": exp_month,
                         "exp_year": exp_year, "country": "IS", "funding": "credit"},
                "customer": customer, "created": int(time.time()), "livemode": False,
                "billing_details": {"name": None, "email": None}, "metadata": {},
            }
            self.payment_methods[method["id"]] = method
            self._behaviour[method["id"]] = (behaviour, decline_code)
            return method["id"]

    def set_card_behaviour(self, payment_method_id: str, behaviour: CardBehaviour, *,
                           decline_code: str = "generic_decline") -> None:
        """The client's bank changes its mind: later charges of this card go as `behaviour`
        says (a repeated idempotency key still gets its first answer)."""
        with self._lock:
            self._behaviour[payment_method_id] = (behaviour, decline_code)

    def complete_setup_intent(self, setup_intent_id: str, payment_method_id: str) -> dict[str, Any]:
        """What Stripe.js does when the client enters a card: the SetupIntent succeeds with the
        card attached to its customer. Returns the SetupIntent, e.g. for a webhook payload."""
        with self._lock:
            intent = self.setup_intents[setup_intent_id]
            self.payment_methods[payment_method_id]["customer"] = intent["customer"]
            intent.update(status="succeeded", payment_method=payment_method_id)
            return dict(intent)

    def delete_customer(self, customer_id: str) -> None:
        with self._lock:
            self.customers[customer_id] = {"id": customer_id, "object": "customer",
                                           "deleted": True}

    def delay_next_response(self, path: str, seconds: float) -> None:
        """Carry out the next request to `path` at once but answer only after `seconds`."""
        with self._lock:
            self._delays[path] = seconds

    def refuse_next_request(self, path: str) -> None:
        """Answer the next request to `path` with a 500 without carrying it out, as when it
        never reached Stripe."""
        with self._lock:
            self._refusals.add(path)

    def posts_to(self, path: str) -> list[RecordedRequest]:
        return [r for r in self.requests if r.method == "POST" and r.path == path]

    # -- the HTTP side --------------------------------------------------------------------------

    async def _serve(self, request: Request, handler: Any) -> JSONResponse:
        if request.headers.get("authorization") != f"Bearer {self.API_KEY}":
            return _error(401, {"type": "invalid_request_error",
                                "message": "Invalid API Key provided."})
        raw = request.url.query if request.method == "GET" else (await request.body()).decode()
        params = _unflatten(parse_qsl(raw, keep_blank_values=True))
        key = request.headers.get("idempotency-key") if request.method == "POST" else None
        path = request.url.path
        with self._lock:
            self.requests.append(RecordedRequest(request.method, path, params, key))
            if path in self._refusals:
                self._refusals.discard(path)
                return _error(500, {"type": "api_error", "message": "An unknown error occurred."})
            delay = self._delays.pop(path, 0.0)
            if key and key in self._idempotent:
                first_params, status, body = self._idempotent[key]
                if first_params != params:
                    return _error(400, {"type": "idempotency_error", "message": (
                        "Keys for idempotent requests can only be used with the same parameters "
                        "they were first used with.")})
                return JSONResponse(body, status, headers={"Idempotent-Replayed": "true"})
            try:
                status, body = 200, handler(params, request.path_params)
            except _Reply as reply:
                status, body = reply.status, {"error": reply.error}
            if key:
                self._idempotent[key] = (params, status, body)
        if delay:
            await asyncio.sleep(delay)
        return JSONResponse(body, status)

    @_route
    def _create_customer(self, params: dict[str, Any], _path: dict[str, str]) -> dict[str, Any]:
        customer = {"id": self._id("cus"), "object": "customer", "email": params.get("email"),
                    "name": params.get("name"), "metadata": params.get("metadata", {}),
                    "created": int(time.time()), "livemode": False}
        self.customers[customer["id"]] = customer
        return customer

    @_route
    def _retrieve_customer(self, _params: dict[str, Any], path: dict[str, str]) -> dict[str, Any]:
        return self._find(self.customers, path["id"], "customer")

    @_route
    def _delete_customer(self, _params: dict[str, Any], path: dict[str, str]) -> dict[str, Any]:
        self._find(self.customers, path["id"], "customer")
        deleted = {"id": path["id"], "object": "customer", "deleted": True}
        self.customers[path["id"]] = deleted
        for method in self.payment_methods.values():
            if method["customer"] == path["id"]:
                method["customer"] = None
        return deleted

    @_route
    def _create_setup_intent(self, params: dict[str, Any],
                             _path: dict[str, str]) -> dict[str, Any]:
        self._find(self.customers, params.get("customer", ""), "customer", param="customer")
        _refuse_payment_method_types(params)
        intent_id = self._id("seti")
        intent = {"id": intent_id, "object": "setup_intent",
                  "client_secret": f"{intent_id}_secret_{secrets.token_hex(12)}",
                  "customer": params["customer"], "usage": params.get("usage", "off_session"),
                  "payment_method_types": params.get("allowed_payment_method_types", ["card"]),
                  "status": "requires_payment_method", "payment_method": None,
                  "last_setup_error": None, "created": int(time.time()), "livemode": False}
        self.setup_intents[intent_id] = intent
        return intent

    @_route
    def _retrieve_payment_method(self, _params: dict[str, Any],
                                 path: dict[str, str]) -> dict[str, Any]:
        return self._find(self.payment_methods, path["id"], "payment_method")

    @_route
    def _detach_payment_method(self, _params: dict[str, Any],
                               path: dict[str, str]) -> dict[str, Any]:
        method = self._find(self.payment_methods, path["id"], "payment_method")
        if method["customer"] is None:
            raise _Reply(400, {"type": "invalid_request_error",
                               "code": "payment_method_unexpected_state",
                               "message": "The payment method you provided is not attached to a "
                                          "customer so detachment is impossible."})
        method["customer"] = None
        return method

    @_route
    def _create_payment_intent(self, params: dict[str, Any],
                               _path: dict[str, str]) -> dict[str, Any]:
        amount, currency = _amount(params), params.get("currency", "")
        _refuse_payment_method_types(params)
        method = self._find(self.payment_methods, params.get("payment_method", ""),
                            "payment_method", param="payment_method")
        if method["customer"] != params.get("customer"):
            raise _Reply(400, {"type": "invalid_request_error", "param": "payment_method",
                               "message": "The provided PaymentMethod does not belong to the "
                                          "customer."})
        if params.get("confirm") != "true":
            raise _Reply(400, {"type": "invalid_request_error",
                               "message": "This fake only creates PaymentIntents with "
                                          "confirm=true."})
        intent_id = self._id("pi")
        intent = {"id": intent_id, "object": "payment_intent", "amount": amount,
                  "currency": currency, "customer": params["customer"],
                  "payment_method": method["id"], "metadata": params.get("metadata", {}),
                  "client_secret": f"{intent_id}_secret_{secrets.token_hex(12)}",
                  "status": "succeeded", "last_payment_error": None, "latest_charge": None,
                  "amount_received": 0, "next_action": None, "created": int(time.time()),
                  "livemode": False}
        self.payment_intents[intent_id] = intent
        behaviour, decline_code = self._behaviour[method["id"]]
        if behaviour == "succeed":
            intent.update(latest_charge=self._id("ch"), amount_received=amount, refunded=0)
            self.charges.append({"payment_intent": intent_id, "amount": amount,
                                 "currency": currency, "customer": params["customer"],
                                 "payment_method": method["id"]})
            return intent
        if behaviour == "processing":  # a bank that settles later (Stripe sends a webhook)
            intent.update(status="processing")
            return intent
        if behaviour == "requires_action" and params.get("off_session") != "true":
            intent.update(status="requires_action", next_action={"type": "use_stripe_sdk"})
            return intent
        if behaviour == "requires_action":
            code, decline_code = "authentication_required", "authentication_required"
            message = "Your card was declined. This transaction requires authentication."
        else:
            code, message = "card_declined", _DECLINE_MESSAGES.get(decline_code,
                                                                   "Your card was declined.")
        error = {"type": "card_error", "code": code, "decline_code": decline_code,
                 "message": message, "charge": self._id("ch")}
        intent.update(status="requires_payment_method", last_payment_error=error)
        raise _Reply(402, {**error, "payment_intent": intent})

    @_route
    def _list_payment_intents(self, params: dict[str, Any],
                              _path: dict[str, str]) -> dict[str, Any]:
        """A customer's PaymentIntents, newest first, created at or after `created[gte]`."""
        since = int((params.get("created") or {}).get("gte", 0))
        found = [intent for intent in reversed(self.payment_intents.values())
                 if intent["customer"] == params.get("customer") and intent["created"] >= since]
        limit = int(params.get("limit", 10))
        return {"object": "list", "url": "/v1/payment_intents", "data": found[:limit],
                "has_more": len(found) > limit}

    @_route
    def _retrieve_payment_intent(self, _params: dict[str, Any],
                                 path: dict[str, str]) -> dict[str, Any]:
        return self._find(self.payment_intents, path["id"], "payment_intent")

    @_route
    def _cancel_payment_intent(self, params: dict[str, Any],
                               path: dict[str, str]) -> dict[str, Any]:
        """Stripe cancels an intent that has not succeeded: waiting for a payment method,
        confirmation, capture or the customer's action, and (rarely) processing."""
        intent = self._find(self.payment_intents, path["id"], "payment_intent")
        if intent["status"] not in ("requires_payment_method", "requires_capture",
                                    "requires_confirmation", "requires_action", "processing"):
            raise _Reply(400, {"type": "invalid_request_error",
                               "code": "payment_intent_unexpected_state",
                               "message": "You cannot cancel this PaymentIntent because it has "
                                          f"a status of {intent['status']}. Only a "
                                          "PaymentIntent with one of the following statuses "
                                          "may be canceled: requires_payment_method, "
                                          "requires_capture, requires_confirmation, "
                                          "requires_action, processing."})
        intent.update(status="canceled", canceled_at=int(time.time()),
                      cancellation_reason=params.get("cancellation_reason"))
        return intent

    def succeed_payment_intent(self, payment_intent_id: str) -> dict[str, Any]:
        """What Stripe.js does when the client confirms a payment their bank wanted them to
        authenticate: the intent succeeds and the card is charged."""
        with self._lock:
            intent = self.payment_intents[payment_intent_id]
            intent.update(status="succeeded", last_payment_error=None,
                          latest_charge=self._id("ch"), amount_received=intent["amount"],
                          refunded=0)
            self.charges.append({"payment_intent": intent["id"], "amount": intent["amount"],
                                 "currency": intent["currency"],
                                 "customer": intent["customer"],
                                 "payment_method": intent["payment_method"]})
            return dict(intent)

    @_route
    def _create_refund(self, params: dict[str, Any], _path: dict[str, str]) -> dict[str, Any]:
        intent = self._find(self.payment_intents, params.get("payment_intent", ""),
                            "payment_intent", param="payment_intent")
        if intent["status"] != "succeeded":
            raise _Reply(400, {"type": "invalid_request_error", "code": "charge_not_refundable",
                               "message": "This PaymentIntent has no successful charge."})
        left = intent["amount"] - intent["refunded"]
        if left == 0:
            raise _Reply(400, {"type": "invalid_request_error", "code": "charge_already_refunded",
                               "message": f"Charge {intent['latest_charge']} has already been "
                                          "refunded."})
        amount = _amount(params, intent["currency"]) if "amount" in params else left
        if amount > left:
            raise _Reply(400, {"type": "invalid_request_error", "code": "amount_too_large",
                               "param": "amount",
                               "message": f"Refund amount ({amount}) is greater than unrefunded "
                                          f"amount on charge ({left})."})
        intent["refunded"] += amount
        refund = {"id": self._id("re"), "object": "refund", "amount": amount,
                  "currency": intent["currency"], "payment_intent": intent["id"],
                  "charge": intent["latest_charge"], "status": "succeeded",
                  "created": int(time.time())}
        self.refunds[refund["id"]] = refund
        return refund

    def _find(self, table: dict[str, dict[str, Any]], object_id: str, kind: str, *,
              param: str = "id") -> dict[str, Any]:
        if object_id not in table:
            raise _Reply(404, {"type": "invalid_request_error", "code": "resource_missing",
                               "param": param, "message": f"No such {kind}: '{object_id}'"})
        return table[object_id]

    def _id(self, prefix: str) -> str:
        return f"{prefix}_fake{next(self._ids):06d}{secrets.token_hex(4)}"


def event_payload(event_type: str, data_object: dict[str, Any], *,
                  event_id: str | None = None, created: int | None = None) -> bytes:
    """A webhook body as Stripe sends it (a snapshot event with `data.object`)."""
    return json.dumps({
        "id": event_id or f"evt_fake{secrets.token_hex(8)}", "object": "event",
        "api_version": "2026-10-28.endive", "created": created or int(time.time()),
        "data": {"object": data_object}, "livemode": False, "pending_webhooks": 1,
        "request": {"id": None, "idempotency_key": None}, "type": event_type,
    }).encode()


def sign_webhook(payload: bytes, secret: str = FakeStripe.WEBHOOK_SECRET, *,
                 timestamp: int | None = None) -> str:
    """The Stripe-Signature header Stripe would send with `payload`."""
    timestamp = int(time.time()) if timestamp is None else timestamp
    signed = f"{timestamp}.".encode() + payload
    signature = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={signature}"


def _refuse_payment_method_types(params: dict[str, Any]) -> None:
    if "payment_method_types" in params:
        raise _Reply(400, {"type": "invalid_request_error", "param": "payment_method_types",
                           "code": "payment_method_types_no_longer_supported",
                           "message": "payment_method_types is no longer supported on this API "
                                      "version; use allowed_payment_method_types."})


def _amount(params: dict[str, Any], currency: str | None = None) -> int:
    raw, currency = params.get("amount", ""), currency or params.get("currency", "")
    if not raw.isdigit() or int(raw) <= 0:
        raise _Reply(400, {"type": "invalid_request_error", "param": "amount",
                           "message": "Amount must be a positive integer."})
    if currency == "isk" and int(raw) % 100:
        raise _Reply(400, {"type": "invalid_request_error", "param": "amount",
                           "code": "invalid_charge_amount_no_decimal_compatible",
                           "message": "Invalid amount. Currency ISK has become effectively "
                                      "zero-decimal and charged amounts must be evenly "
                                      "divisible by 100."})
    return int(raw)


def _error(status: int, error: dict[str, Any]) -> JSONResponse:
    return JSONResponse({"error": error}, status)


_KEY = re.compile(r"^([^\[]+)\[([^\]]*)\]$")


def _unflatten(pairs: list[tuple[str, str]]) -> dict[str, Any]:
    """Stripe's form encoding (`metadata[session_id]=x`, `payment_method_types[0]=card`) back
    into nested values, one level deep as our requests use it."""
    result: dict[str, Any] = {}
    for name, value in pairs:
        match = _KEY.match(name)
        if not match:
            result[name] = value
            continue
        outer, inner = match.groups()
        if inner.isdigit() or inner == "":
            result.setdefault(outer, []).append(value)
        else:
            result.setdefault(outer, {})[inner] = value
    return result
