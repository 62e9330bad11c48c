"""The dashboard's day labels ("2 Nov") in each language's own short form."""

from datetime import date

import pytest
from django.utils import translation
from django.utils.formats import date_format


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", ["2 Nov", "14 Jul", "3 May", "5 Jan"]),
        ("de", ["2. Nov", "14. Jul", "3. Mai", "5. Jan"]),
        ("fr", ["2 nov.", "14 juil.", "3 mai", "5 jan."]),
        ("es", ["2 nov", "14 jul", "3 may", "5 ene"]),
    ],
)
def test_month_day_format_reads_as_the_language_writes_it(language, expected):
    days = [date(2026, 11, 2), date(2026, 7, 14), date(2026, 5, 3), date(2026, 1, 5)]
    with translation.override(language):
        assert [date_format(day, "MONTH_DAY_FORMAT") for day in days] == expected
