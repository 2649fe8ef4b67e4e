"""Receipts: a plain `ReceiptData` in, PDF bytes out. Pure: no database, no settings."""

from receipts.data import (
    MANUAL_METHODS,
    CardPayment,
    ManualMethod,
    ManualPayment,
    ReceiptData,
    Refund,
)
from receipts.render import render_receipt

__all__ = [
    "MANUAL_METHODS",
    "CardPayment",
    "ManualMethod",
    "ManualPayment",
    "ReceiptData",
    "Refund",
    "render_receipt",
]
