"""Dashboard dates and money read in every language Django ships: each text Django itself
renders (DATE_FORMAT + TIME_FORMAT as on an order's page, DATETIME_FORMAT as in the order
CSV) is either read exactly or refused with an error naming the setting, never misread;
the languages shops commonly run are all read."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

django = pytest.importorskip("django")
from babel.numbers import format_currency  # noqa: E402 - Babel comes with the oscar extra too

from tools.drivers.page_locale import PageFormatError, read_cents, read_datetime  # noqa: E402

UTC = ZoneInfo("UTC")
MOMENTS = [datetime(2026, 12, 1, 20, 57), datetime(2026, 3, 9, 8, 5), datetime(2026, 7, 23, 12, 0),
           datetime(2026, 1, 2, 0, 0)]
COMMON = ["en", "en-gb", "en-au", "de", "fr", "es", "it", "nl", "pt", "pt-br", "pl", "ru", "uk", "sv", "da", "nb",
          "fi", "cs", "sk", "hu", "ro", "tr", "ja", "ko", "zh-hans", "zh-hant", "vi", "th", "id", "lt", "lv", "ca",
          "es-mx", "fa", "hr", "sr"]


@pytest.fixture(scope="module")
def rendered():
    """{language: [(date text, time text, expected), ...]} as Django renders them."""
    from django.conf import settings

    if not settings.configured:
        settings.configure(USE_TZ=True, USE_I18N=True)
        django.setup()
    from django.conf.locale import LANG_INFO
    from django.utils import formats, translation

    texts = {}
    for language, info in sorted(LANG_INFO.items()):
        if "name" not in info:  # an alias of another language
            continue
        with translation.override(language):
            texts[language] = [pair for moment in MOMENTS for pair in (
                (formats.date_format(moment, "DATE_FORMAT"), formats.time_format(moment, "TIME_FORMAT"), moment),
                (formats.date_format(moment, "DATETIME_FORMAT"), "", moment))]
    return texts


def test_every_django_language_is_read_exactly_or_refused_never_misread(rendered):
    read, refused, whole = 0, 0, 0
    for language, samples in rendered.items():
        before = refused
        for day, moment, expected in samples:
            try:
                got = read_datetime(day, language, UTC, moment)
            except PageFormatError as error:
                assert "marketplace_locale" in str(error) or "TIME_FORMAT" in str(error)
                refused += 1
                continue
            assert got == expected.replace(tzinfo=UTC), (language, day, moment, got)
            read += 1
        whole += refused == before
    print(f"{read} dates read exactly, {refused} refused; {whole} of {len(rendered)} languages read whole")
    # Where Django's own month or am/pm words differ from the CLDR ones (Welsh noon, Hindi
    # 'o'clock' for both halves of the day), the text is refused; this floor keeps it rare.
    assert read > 2 * refused and whole >= 55


@pytest.mark.parametrize("language", COMMON)
def test_the_common_languages_are_all_read(rendered, language):
    for day, moment, expected in rendered[language]:
        assert read_datetime(day, language, UTC, moment) == expected.replace(tzinfo=UTC), (day, moment)


def test_dates_are_read_in_the_shops_timezone():
    assert read_datetime("1 Dec 2026", "en-gb", ZoneInfo("Europe/London"), "8:57 p.m.").isoformat() == \
        "2026-12-01T20:57:00+00:00"
    assert read_datetime("1. Juli 2026 20:57", "de", ZoneInfo("Europe/Berlin")).isoformat() == \
        "2026-07-01T18:57:00+00:00"


@pytest.mark.parametrize("language", ["en-us", "en-gb", "de", "fr", "de-ch", "pt-br", "ja", "ru", "hi", "ar"])
def test_money_as_oscar_renders_it(language):
    babel_code = language.replace("-", "_")
    for amount, cents in (("14.50", 1450), ("1012.05", 101205), ("1234567.89", 123456789), ("-5.00", -500)):
        for currency in ("USD", "EUR", "GBP"):
            shown = format_currency(amount, currency, locale=babel_code)
            assert read_cents(shown, language) == cents, (shown, language)


def test_unreadable_text_names_the_setting_to_change():
    with pytest.raises(PageFormatError, match="set marketplace_locale to the shop's LANGUAGE_CODE"):
        read_datetime("1 Smarch 2026", "en-gb", UTC, "20:57")
    with pytest.raises(PageFormatError, match="marketplace_locale"):
        read_datetime("1 Dec 2026", "xx-nowhere", UTC, "20:57")
    # An am/pm word shopagent does not know is refused rather than read as the morning.
    with pytest.raises(PageFormatError, match="am or pm"):
        read_datetime("1 Dec 2026", "en-gb", UTC, "8:57 abends")
