"""Payments: cards on file, charges, manual payments, refunds, receipts, Stripe's webhooks.
"""

__all__ = [
    "cards",
    "charges",
    "gateway_errors",
    "manual_payments",
    "payment_cancellation",
    "payment_mail",
    "payment_queries",
    "payments",
    "receipt_links",
    "receipt_numbers",
    "refunds",
    "stripe_webhooks",
]
