"""Dates, times and money as a back-office shows them in its own language, read back.

Django renders dates with its locale's DATE_FORMAT and TIME_FORMAT ('Dec. 1, 2026',
'1 Dec 2026', '1. Dezember 2026', '2026年12月1日', '8:57 p.m.', '20:57') and Oscar
renders money with Babel (`$14.50`, `14,50 $`, `US$14.50`). Rather than one regex per
language, the parts are found by what they are: the year is the four-digit number, the
month is one of the locale's month names in the Unicode CLDR data Babel carries (or, for
all-digit dates, the locale's day/month order), the time is H:MM with the locale's am/pm
words. A text that cannot be read for certain (an unknown am/pm word, no month) raises
PageFormatError naming the setting to check, never a guessed value.
"""

import re
from datetime import datetime
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from zoneinfo import ZoneInfo

from babel import Locale, UnknownLocaleError
from babel.dates import get_date_format
from babel.numbers import get_decimal_symbol, get_group_symbol

from tools.errors import ToolFailed

LOCALE_SETTING = "marketplace_locale"
_SPACES = re.compile(r"[\s\u00a0\u202f\u2009]+")
# H:MM (or H.MM, as Finnish and Indonesian write it) not inside a dotted date like 1.12.2026.
_CLOCK = re.compile(r"(?<![\d.:])(\d{1,2})[:.](\d{2})(?:[:.]\d{2})?(?!\d)(?!\.\d)")
_HOUR_ONLY = re.compile(r"(?<![\d.:])(\d{1,2})(?!\d)(?![:.]\d)")
_NUMBER = re.compile(r"\d+")
_AMOUNT = re.compile(r"\d(?:[\d.,'’\s\u00a0\u202f]*\d)?")


class PageFormatError(ToolFailed):
    """The platform shows a date or amount shopagent cannot read in the locale it uses."""


def babel_locale(code: str) -> Locale:
    """A Django or POSIX language code ('en-gb', 'zh-hans', 'pt_BR') as a Babel locale."""
    try:
        return _parse_locale(code.strip().replace("_", "-").lower())
    except (UnknownLocaleError, ValueError):
        raise PageFormatError(f"the platform's language {code!r} is not a locale shopagent knows; set "
                              f"{LOCALE_SETTING} to the shop's LANGUAGE_CODE, e.g. en-gb or de") from None


@lru_cache(maxsize=32)
def _parse_locale(code: str) -> Locale:
    language, _, rest = code.partition("-")
    parts = [language] + [p.title() if len(p) == 4 else p.upper() for p in rest.split("-") if p]
    return Locale.parse("_".join(parts))


def _fold(text: str) -> str:
    """Lower case with single spaces ('İyul' and 'iyul' alike)."""
    return _SPACES.sub(" ", text.casefold().replace("i\u0307", "i")).strip()


def _plain(text: str) -> str:
    """Lower case, dots and spaces out: 'p. m.' and 'P.M.' both read 'pm'."""
    return _fold(text).replace(" ", "").replace(".", "")


@lru_cache(maxsize=32)
def _month_names(code: str) -> tuple[tuple[str, int], ...]:
    """(name with spaces kept, month) for every CLDR month name of the locale, longest first."""
    names: dict[str, int] = {}
    for context in ("format", "stand-alone"):
        for width in ("wide", "abbreviated"):
            for number, name in _parse_locale(code).months[context][width].items():
                key = _fold(name.replace(".", " "))
                if key and not key.isdigit():
                    names.setdefault(key, number)
    return tuple(sorted(names.items(), key=lambda item: -len(item[0])))


@lru_cache(maxsize=32)
def _day_periods(code: str) -> dict[str, str]:
    """Plain am/pm/noon/midnight words of the locale, English ones (Django's fallback) too."""
    words = {"am": "am", "pm": "pm", "noon": "noon", "midnight": "midnight"}
    for locale in (_parse_locale(code), Locale.parse("en")):
        for context in ("format", "stand-alone"):
            for width in ("abbreviated", "wide"):  # narrow ones ('a', 'p') read as any word
                for period, word in locale.day_periods.get(context, {}).get(width, {}).items():
                    if period in ("am", "pm", "noon", "midnight") and _plain(word):
                        words.setdefault(_plain(word), period)
    return words


def _day_first(code: str) -> bool:
    """Whether the locale writes the day before the month in all-digit dates."""
    pattern = get_date_format("short", locale=_parse_locale(code)).pattern
    return pattern.find("d") < pattern.find("M")


def _find_month(text: str, code: str) -> tuple[int, tuple[int, int]] | None:
    """(month, span) of the month name in `text` (lower case, dots out), or None."""
    for tables in (_month_names(code), _month_names("en")):
        for name, number in tables:
            found = re.search(rf"(?<!\w){re.escape(name)}(?!\w)", text)
            if found:
                return number, found.span()
        # Django's own abbreviations ('Sept', 'Dic') start one month's name only.
        for word in re.finditer(r"[^\W\d_]{3,}", text):
            months = {number for name, number in tables if name.startswith(word.group())}
            if len(months) == 1:
                return months.pop(), word.span()
    return None


def read_datetime(text: str, code: str, zone: ZoneInfo, time_text: str = "", with_time: bool = True) -> datetime:
    """A date and time (in `text`, or the time in `time_text`) as the platform shows them in
    locale `code`, in the shop's `zone`, as an aware UTC datetime; `with_time=False` reads a
    date alone as midnight. Raises PageFormatError."""
    babel_locale(code)
    code = code.strip().replace("_", "-").lower()
    whole = _fold(f"{text} {time_text}")
    hour, minute, clock = _read_time(whole, code, f"{text} {time_text}".strip(), with_time)
    date_part = (whole[:clock[0]] + " " + whole[clock[1]:]) if clock else whole
    date_part = date_part.replace(".", " ")
    month_found = _find_month(date_part, code)
    if month_found is not None:
        month, (start, end) = month_found
        date_part = date_part[:start] + " " + date_part[end:]
    numbers = [int(n) for n in _NUMBER.findall(date_part)]
    years = [n for n in numbers if n >= 1000]
    if len(years) != 1:
        raise _unreadable(text, code)
    rest = [n for n in numbers if n < 1000]
    if month_found is None:
        if len(rest) != 2:
            raise _unreadable(text, code)
        day, month = rest if _day_first(code) else reversed(rest)
    elif rest:
        day = rest[0]
    else:
        raise _unreadable(text, code)
    try:
        local = datetime(years[0], month, day, hour, minute, tzinfo=zone)
    except ValueError:
        raise _unreadable(text, code) from None
    return local.astimezone(ZoneInfo("UTC"))


def _read_time(whole: str, code: str, shown: str, with_time: bool) -> tuple[int, int, tuple[int, int] | None]:
    """(hour, minute, span of the time in `whole`); midnight when no time is shown."""
    periods = _day_periods(code)
    clock = _CLOCK.search(whole)
    if clock is not None:
        hour, minute = int(clock.group(1)), int(clock.group(2))
    else:
        # Django's English 'P' format: 'noon', 'midnight', or '8 a.m.' on the hour.
        for word in re.findall(r"[^\W\d_]+", whole):
            if periods.get(word) in ("noon", "midnight"):
                start = whole.find(word)
                return (12 if periods[word] == "noon" else 0), 0, (start, start + len(word))
        clock = next((h for h in _HOUR_ONLY.finditer(whole) if _period_after(whole, h.end(), periods)), None)
        if clock is None and with_time:  # a word for a time of day shopagent does not know
            raise PageFormatError(f"the platform shows no time shopagent can read in {shown!r} (locale {code!r}); "
                                  f"set {LOCALE_SETTING} to the shop's LANGUAGE_CODE, or give its staff "
                                  "dashboard a TIME_FORMAT with digits such as H:i")
        if clock is None:
            return 0, 0, None
        hour, minute = int(clock.group(1)), 0
    period = _period_after(whole, clock.end(), periods) or _period_before(whole, clock.start(), periods)
    if period is None and hour <= 12 and _words_after(whole, clock.end()):
        raise PageFormatError(f"the platform shows the time in {shown!r} with a word shopagent does not know as "
                              f"am or pm in locale {code!r}; set {LOCALE_SETTING} to the shop's LANGUAGE_CODE, "
                              "or give its staff dashboard a 24-hour TIME_FORMAT")
    if period == "pm" and hour < 12:
        hour += 12
    elif period == "am" and hour == 12:
        hour = 0
    if hour > 23 or minute > 59:
        raise _unreadable(shown, code)
    return hour, minute, clock.span()


def _words_after(whole: str, end: int) -> str:
    """The words after the time when nothing but words follow it (an am/pm word's place)."""
    tail = whole[end:]
    return "" if re.search(r"\d", tail) else _plain(re.sub(r"[^\w.]", " ", tail))


def _period_after(whole: str, end: int, periods: dict[str, str]) -> str | None:
    period = periods.get(_plain(re.split(r"\d", whole[end:])[0]))
    return period if period in ("am", "pm") else None


def _period_before(whole: str, start: int, periods: dict[str, str]) -> str | None:
    """An am/pm word just before the time, as Korean writes it ('오후 8:57')."""
    words = re.split(r"\d", whole[:start])[-1].split()
    period = periods.get(_plain(words[-1])) if words else None
    return period if period in ("am", "pm") else None


def _unreadable(text: str, code: str) -> PageFormatError:
    return PageFormatError(f"the platform shows the date {text!r}, which shopagent cannot read in locale {code!r}; "
                           f"set {LOCALE_SETTING} to the shop's LANGUAGE_CODE (e.g. en-gb, de, fr)")


def read_cents(text: str, code: str) -> int:
    """An amount as the platform shows it in locale `code` ('$1,012.50', '1.012,50 €',
    '1 012,50 $US') in cents; 0 when `text` holds no number."""
    found = _AMOUNT.search(text)
    if found is None:
        return 0
    locale = babel_locale(code)
    decimal, group = get_decimal_symbol(locale), get_group_symbol(locale)
    digits = _SPACES.sub("", found.group())  # a space inside one amount only ever groups digits
    for mark in {group, "’", "'"} - {decimal}:
        digits = digits.replace(mark, "")
    digits = digits.replace(decimal, ".")
    try:
        value = Decimal(digits)
    except InvalidOperation:
        raise PageFormatError(f"the platform shows the amount {text!r}, which shopagent cannot read in locale "
                              f"{code!r}; set {LOCALE_SETTING} to the shop's LANGUAGE_CODE") from None
    negative = any(sign in text[:found.start()] for sign in "-−") or text[found.end():].strip().startswith(("-", "−"))
    cents = int((value * 100).to_integral_value())
    return -cents if negative else cents
