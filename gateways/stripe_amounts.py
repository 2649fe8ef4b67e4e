"""Our amounts to Stripe's `amount` field and back.

Our API counts money in ISO 4217 minor units (see receipts/money.py): cents for EUR, whole
krónur for ISK (ISO gives ISK no decimals), whole yen for JPY. Stripe counts in "the currency's
smallest unit" by its own table, which differs from ISO in one case that matters here:

- ISK: Stripe treats the króna as zero-decimal (card networks refuse fractions since April
  2023) but, for backwards compatibility, still takes the amount written with two decimals and
  requires a multiple of 100. 15,000 kr. is `amount=1500000`. A generic "zero-decimal" table
  sends 15000, which Stripe reads as 150 kr.: a 100-times undercharge.
- JPY, KRW: zero-decimal for both ISO and Stripe: ¥5,000 is 5000.
- HUF, TWD: two decimals for both when charging (Stripe's whole-unit rule for them applies to
  payouts only, which we do not create), so the amounts pass through unchanged.

Only currencies listed here can be charged by card; anything else is refused with a clear error
rather than guessed, because a wrong guess charges 100 times too much or too little.
"""

from __future__ import annotations

from gateways.payment_errors import UnsupportedCurrency

# currency: (our exponent = ISO 4217 minor unit, Stripe's API exponent)
CARD_CURRENCIES: dict[str, tuple[int, int]] = {
    "ISK": (0, 2),
    "JPY": (0, 0),
    "KRW": (0, 0),
    **dict.fromkeys(
        ("AUD", "CAD", "CHF", "CZK", "DKK", "EUR", "GBP", "HKD", "HUF", "NOK", "NZD", "PLN",
         "RON", "SEK", "SGD", "TWD", "USD"),
        (2, 2),
    ),
}


def to_stripe_amount(amount_minor: int, currency: str) -> int:
    """Stripe's `amount` for `amount_minor` of `currency`: (15000, "ISK") -> 1500000."""
    ours, stripes = _exponents(currency)
    if amount_minor < 0:
        raise ValueError("An amount sent to Stripe must not be negative.")
    return amount_minor * 10 ** (stripes - ours)


def from_stripe_amount(amount: int, currency: str) -> int:
    """Our minor units for a Stripe `amount` (from a webhook or a response): (1500000, "isk") ->
    15000. A fractional króna cannot be represented, so it is refused rather than rounded."""
    ours, stripes = _exponents(currency)
    whole, rest = divmod(amount, 10 ** (stripes - ours))
    if rest:
        raise ValueError(f"Stripe amount {amount} {currency.upper()} is not a whole "
                         f"{currency.upper()} minor unit.")
    return whole


def stripe_currency(currency: str) -> str:
    """The code as Stripe wants it in requests: lower case."""
    _exponents(currency)
    return currency.lower()


def _exponents(currency: str) -> tuple[int, int]:
    try:
        return CARD_CURRENCIES[currency.upper()]
    except KeyError:
        raise UnsupportedCurrency(currency.upper()) from None
