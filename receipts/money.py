"""Money as people write it: integer minor units in, "15.000 kr." or "€1,234.50" out.

Amounts everywhere in the therapy hub are integers in the currency's ISO 4217 minor unit
(`exponent`): 1 = one cent for EUR, one yen for JPY and one króna for ISK, because ISO 4217 gives
ISK no decimals. So 15,000 kr. is `amount=15000, currency="ISK"`. (Stripe wants that same sum as
1500000; only the Stripe gateway knows that.)

Formatting follows the reader's locale (separators, where the symbol goes, which symbol) and the
currency (how many decimals people actually write). The tables cover the languages the hub ships;
any other locale is written the English way. This module is pure so the API can reuse it.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

__all__ = ["currency_error", "decimal_amount", "exponent", "format_money", "format_percent",
           "vat_breakdown"]

# ISO 4217 minor units that are not 2; every other active code has 2.
_EXPONENT_EXCEPTIONS = {
    **dict.fromkeys(("BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF",
                     "UGX", "UYI", "VND", "VUV", "XAF", "XOF", "XPF"), 0),
    **dict.fromkeys(("BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"), 3),
    **dict.fromkeys(("CLF", "UYW"), 4),
}

# ISO gives these two decimals, but nobody writes fillér or Taiwanese cents on a price.
_WHOLE_WHEN_EVEN = frozenset({"HUF", "TWD"})

NBSP = "\u00a0"
NARROW_NBSP = "\u202f"


@dataclass(frozen=True)
class _Convention:
    group: str
    decimal: str
    symbol_first: bool
    space: bool          # a (non-breaking) space between symbol and number
    min_grouping: int = 1  # 2: 1234 stays ungrouped, 12 345 is grouped (CLDR for es, pl)


_CONVENTIONS = {
    "en": _Convention(",", ".", symbol_first=True, space=False),
    "ja": _Convention(",", ".", symbol_first=True, space=False),
    "nl": _Convention(".", ",", symbol_first=True, space=True),
    "is": _Convention(".", ",", symbol_first=False, space=True),
    "da": _Convention(".", ",", symbol_first=False, space=True),
    "de": _Convention(".", ",", symbol_first=False, space=True),
    "it": _Convention(".", ",", symbol_first=False, space=True),
    "es": _Convention(".", ",", symbol_first=False, space=True, min_grouping=2),
    "nb": _Convention(NBSP, ",", symbol_first=False, space=True),
    "sv": _Convention(NBSP, ",", symbol_first=False, space=True),
    "fi": _Convention(NBSP, ",", symbol_first=False, space=True),
    "pl": _Convention(NBSP, ",", symbol_first=False, space=True, min_grouping=2),
    "fr": _Convention(NARROW_NBSP, ",", symbol_first=False, space=True),
}
_LANGUAGE_ALIASES = {"no": "nb", "nn": "nb"}

_SYMBOLS = {"EUR": "€", "GBP": "£", "USD": "US$", "JPY": "¥"}
_LOCAL_SYMBOLS = {
    ("is", "ISK"): "kr.", ("da", "DKK"): "kr.", ("nb", "NOK"): "kr", ("sv", "SEK"): "kr",
    ("pl", "PLN"): "zł", ("ja", "JPY"): "￥", ("en", "USD"): "$",
}


def exponent(currency: str) -> int:
    """How many decimal digits the currency's minor unit has (ISO 4217): EUR 2, ISK 0, KWD 3."""
    return _EXPONENT_EXCEPTIONS.get(currency.upper(), 2)


def currency_error(currency: str) -> str | None:
    """Why `currency` cannot be used, or None when it is a well-formed ISO 4217 code."""
    if len(currency) != 3 or not currency.isascii() or not currency.isupper():
        return "Give the currency as its three-letter ISO 4217 code in capitals, such as ISK."
    return None


def decimal_amount(amount_minor: int, currency: str) -> Decimal:
    """The amount in whole units, exact: (15000, "ISK") -> 15000, (1050, "EUR") -> 10.50."""
    return Decimal(amount_minor).scaleb(-exponent(currency))


def vat_breakdown(total_minor: int, vat_rate_bp: int) -> tuple[int, int]:
    """Split a price that includes VAT into (net, vat), in minor units, net + vat == total.

    Consumer prices include VAT, so the total is what was paid; the VAT share is rounded half up
    to the minor unit and the net is what remains, so the parts always add up to the total.
    """
    if not 0 <= vat_rate_bp <= 10_000:
        raise ValueError("The VAT rate is in basis points between 0 and 10000 (24% is 2400).")
    vat = (Decimal(total_minor) * vat_rate_bp / (10_000 + vat_rate_bp)).quantize(
        Decimal(1), rounding=ROUND_HALF_UP)
    return total_minor - int(vat), int(vat)


def format_money(amount_minor: int, currency: str, locale: str = "en") -> str:
    """The amount as a person reading `locale` writes it: format_money(15000, "ISK", "is") is
    "15.000 kr." (with a non-breaking space, so a line never ends between number and symbol)."""
    if error := currency_error(currency):
        raise ValueError(error)
    language, region = _language(locale)
    convention = _CONVENTIONS.get(language, _CONVENTIONS["en"])
    digits = exponent(currency)
    magnitude = abs(amount_minor)
    whole, fraction = divmod(magnitude, 10**digits) if digits else (magnitude, 0)
    if currency in _WHOLE_WHEN_EVEN and fraction == 0:
        digits = 0
    number = _group(str(whole), convention)
    if digits:
        number += convention.decimal + str(fraction).rjust(digits, "0")
    symbol = _symbol(currency, language, region)
    space = NBSP if convention.space or symbol == currency else ""
    text = f"{symbol}{space}{number}" if convention.symbol_first else f"{number}{space}{symbol}"
    return f"-{text}" if amount_minor < 0 else text


def format_percent(rate_bp: int, locale: str = "en") -> str:
    """A rate in basis points as a percentage: 2400 -> "24%", 1150 -> "11,5%" in Icelandic."""
    language, _ = _language(locale)
    convention = _CONVENTIONS.get(language, _CONVENTIONS["en"])
    whole, rest = divmod(rate_bp, 100)
    number = str(whole)
    if rest:
        number += convention.decimal + f"{rest:02d}".rstrip("0")
    spaced = language in {"da", "de", "nb", "sv", "fi", "fr", "es"}
    return f"{number}{NBSP if spaced else ''}%"


def _language(locale: str) -> tuple[str, str]:
    language, _, region = locale.replace("_", "-").partition("-")
    language = language.lower()
    return _LANGUAGE_ALIASES.get(language, language), region.upper()


def _group(digits: str, convention: _Convention) -> str:
    if len(digits) < 3 + convention.min_grouping:
        return digits
    head = len(digits) % 3 or 3
    groups = [digits[:head]] + [digits[i:i + 3] for i in range(head, len(digits), 3)]
    return convention.group.join(groups)


def _symbol(currency: str, language: str, region: str) -> str:
    if language == "en" and currency == "USD" and region not in {"", "US"}:
        return "US$"
    return _LOCAL_SYMBOLS.get((language, currency)) or _SYMBOLS.get(currency, currency)
