"""Payments in the API: cards, charges, manual payments, refunds, receipts.
"""

__all__ = [
    "payment_types",
    "payments",
]
