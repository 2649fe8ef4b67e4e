"""What a receipt says, as plain values: the caller gathers them, the renderer lays them out.

The dataclasses check their own consistency (an aware session time, refunds no larger than the
payment, a real time zone), so a receipt that would contradict itself cannot be printed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from receipts.money import currency_error

ManualMethod = Literal["cash", "bank_transfer", "insurer"]
MANUAL_METHODS: tuple[ManualMethod, ...] = ("cash", "bank_transfer", "insurer")


@dataclass(frozen=True, kw_only=True)
class CardPayment:
    """A card payment through Stripe: the brand as Stripe names it ("visa", "mastercard", "amex")
    and the last four digits; never more of the number."""

    brand: str
    last4: str

    def __post_init__(self) -> None:
        if len(self.last4) != 4 or not self.last4.isdigit():
            raise ValueError("last4 must be the card's last four digits, such as '4242'.")


@dataclass(frozen=True, kw_only=True)
class ManualPayment:
    """A payment the professional recorded by hand: cash, bank transfer or paid by an insurer."""

    method: ManualMethod

    def __post_init__(self) -> None:
        if self.method not in MANUAL_METHODS:
            raise ValueError(f"method must be one of {', '.join(MANUAL_METHODS)}.")


@dataclass(frozen=True, kw_only=True)
class Refund:
    amount_minor: int
    refunded_on: date

    def __post_init__(self) -> None:
        if self.amount_minor <= 0:
            raise ValueError("A refund's amount_minor must be positive.")


@dataclass(frozen=True, kw_only=True)
class ReceiptData:
    """Everything printed on one receipt.

    Amounts are integer minor units of `currency` (ISO 4217: ISK has none, so 15,000 kr. is
    15000). `amount_minor` is what the client paid, VAT included; with a non-zero `vat_rate_bp`
    (basis points: 24% is 2400) the receipt also shows the net amount and the VAT.
    `session_start` is shown in `time_zone`, the client's IANA zone.
    """

    practice_name: str
    registration_number: str | None = None
    contact_lines: tuple[str, ...] = ()
    client_name: str
    service_title: str
    session_start: datetime
    time_zone: str
    amount_minor: int
    currency: str
    vat_rate_bp: int = 0
    payment: CardPayment | ManualPayment
    refunds: tuple[Refund, ...] = ()
    receipt_number: str
    issued_on: date
    locale: str = "en"

    def __post_init__(self) -> None:
        if self.session_start.tzinfo is None:
            raise ValueError("session_start must be timezone-aware (UTC from the database).")
        try:
            ZoneInfo(self.time_zone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"time_zone {self.time_zone!r} is not an IANA time zone.") from None
        if error := currency_error(self.currency):
            raise ValueError(error)
        if self.amount_minor < 0:
            raise ValueError("amount_minor must not be negative.")
        if not 0 <= self.vat_rate_bp <= 10_000:
            raise ValueError("vat_rate_bp is in basis points between 0 and 10000 (24% is 2400).")
        if self.refunded_minor > self.amount_minor:
            raise ValueError("The refunds add up to more than was paid.")
        for name in ("practice_name", "client_name", "service_title", "receipt_number"):
            if not getattr(self, name).strip():
                raise ValueError(f"{name} must not be empty.")

    @property
    def refunded_minor(self) -> int:
        return sum(refund.amount_minor for refund in self.refunds)

    @property
    def local_session_start(self) -> datetime:
        return self.session_start.astimezone(ZoneInfo(self.time_zone))
