"""The words and dates on a receipt, in the client's language (English and Icelandic so far;
any other locale gets English words with that locale's number formats)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime


@dataclass(frozen=True, kw_only=True)
class Labels:
    receipt: str
    receipt_number: str
    issued: str
    registration: str
    client: str
    service: str
    session: str
    amount: str
    net: str
    vat: str               # "{rate}" is replaced by the rate
    total: str
    payment_method: str
    card: str              # "{brand}" and "{last4}" are replaced
    manual: dict[str, str]
    refunds: str
    refunded_on: str       # "{date}" is replaced
    paid_after_refunds: str
    months: tuple[str, ...]
    date_pattern: str      # "{day}", "{month}", "{year}"
    datetime_pattern: str  # "{date}", "{time}"


_ENGLISH = Labels(
    receipt="Receipt",
    receipt_number="Receipt no.",
    issued="Issued",
    registration="Registration / VAT no.",
    client="Client",
    service="Service",
    session="Session",
    amount="Amount",
    net="Net amount",
    vat="VAT {rate}",
    total="Total paid",
    payment_method="Payment method",
    card="{brand} ending in {last4}",
    manual={"cash": "Cash", "bank_transfer": "Bank transfer", "insurer": "Paid by insurer"},
    refunds="Refunds",
    refunded_on="Refunded on {date}",
    paid_after_refunds="Paid after refunds",
    months=("January", "February", "March", "April", "May", "June", "July", "August",
            "September", "October", "November", "December"),
    date_pattern="{day} {month} {year}",
    datetime_pattern="{date}, {time}",
)

_ICELANDIC = Labels(
    receipt="Kvittun",
    receipt_number="Kvittun nr.",
    issued="Útgáfudagur",
    registration="Kennitala / VSK-númer",
    client="Viðskiptavinur",
    service="Þjónusta",
    session="Tími",
    amount="Upphæð",
    net="Upphæð án VSK",
    vat="VSK {rate}",
    total="Samtals greitt",
    payment_method="Greiðslumáti",
    card="{brand} sem endar á {last4}",
    manual={"cash": "Reiðufé", "bank_transfer": "Millifærsla",
            "insurer": "Greitt af tryggingafélagi"},
    refunds="Endurgreiðslur",
    refunded_on="Endurgreitt {date}",
    paid_after_refunds="Greitt að frádregnum endurgreiðslum",
    months=("janúar", "febrúar", "mars", "apríl", "maí", "júní", "júlí", "ágúst",
            "september", "október", "nóvember", "desember"),
    date_pattern="{day}. {month} {year}",
    datetime_pattern="{date} kl. {time}",
)

_BY_LANGUAGE = {"en": _ENGLISH, "is": _ICELANDIC}

_CARD_BRANDS = {
    "amex": "American Express", "cartes_bancaires": "Cartes Bancaires", "diners": "Diners Club",
    "discover": "Discover", "eftpos_au": "eftpos", "jcb": "JCB", "mastercard": "Mastercard",
    "unionpay": "UnionPay", "visa": "Visa",
}


def labels_for(locale: str) -> Labels:
    return _BY_LANGUAGE.get(locale.replace("_", "-").split("-")[0].lower(), _ENGLISH)


def format_date(day: date, labels: Labels) -> str:
    return labels.date_pattern.format(day=day.day, month=labels.months[day.month - 1],
                                      year=day.year)


def format_datetime(moment: datetime, labels: Labels) -> str:
    """Date and 24-hour time of an already-localised datetime: "14 March 2026, 10:00"."""
    return labels.datetime_pattern.format(date=format_date(moment.date(), labels),
                                          time=f"{moment:%H:%M}")


def card_brand(brand: str) -> str:
    """Stripe's brand code as printed on the card ("amex" -> "American Express")."""
    return _CARD_BRANDS.get(brand.lower(), brand.replace("_", " ").title())
