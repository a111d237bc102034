"""Money as integer cents. Parsing goes through Decimal so no float ever rounds a price."""

from decimal import Decimal, InvalidOperation

# Whole-unit digits an amount may have; anything longer is a typo, not a price.
MAX_DIGITS = 15
# The most a cost or price may be, well inside a 32-bit column (PostgreSQL INTEGER).
MAX_AMOUNT_CENTS = 1_000_000_000  # 10,000,000.00


def to_cents(value: str | int | float | Decimal) -> int:
    """Parse an amount such as "12.5", 12.5 or Decimal("12.50") into cents (1250).

    Raises ValueError with a readable reason for text that is not an amount or has more
    than two decimals (a supplier's "4.205" is a typo to fix, not something to round).
    """
    if isinstance(value, bool):
        raise ValueError(f"'{value}' is not an amount")
    text = str(value).strip().replace(",", "") if not isinstance(value, Decimal) else value
    try:
        amount = Decimal(text) if not isinstance(text, Decimal) else text
    except InvalidOperation:
        raise ValueError(f"'{shown(value)}' is not an amount (write it like 12.50)") from None
    if not amount.is_finite():
        raise ValueError(f"'{shown(value)}' is not an amount (write it like 12.50)")
    # Checked before any arithmetic: 1e999999 would overflow Decimal, 10**5000 fill memory.
    if amount and amount.adjusted() >= MAX_DIGITS:
        raise ValueError(f"'{shown(value)}' is too large an amount; check the number")
    cents = amount * 100
    if cents != cents.to_integral_value():
        raise ValueError(f"'{shown(value)}' has more than two decimals")
    return int(cents)


def shown(value: object, limit: int = 30) -> str:
    """`value` as text, cut short for an error message."""
    text = str(value)
    return text if len(text) <= limit else text[:limit] + "…"


def from_cents(cents: int) -> Decimal:
    """Cents back to a Decimal amount with two places."""
    return (Decimal(cents) / 100).quantize(Decimal("0.01"))


def format_money(cents: int, currency: str) -> str:
    """Human-readable amount, e.g. 1250, "BRL" -> 'BRL 12.50'. The currency is always named
    by the caller (the order's, or the shop's): a default would show a BRL shop in USD."""
    return f"{currency} {from_cents(cents):,.2f}"
