"""The one rule for cells a spreadsheet would run (smsadmin/spreadsheet.py)."""

import pytest

from smsadmin.spreadsheet import NEUTRALISER, safe_cell


@pytest.mark.parametrize(
    "value",
    [
        "=1+1",
        "+49170",
        "-1",
        "@SUM(A1)",
        "|cmd",
        " =1",
        "\n=1",
        "\t=1",
        "\r=1",
        "\uff1d1",
        "\uff0b1",
        "﹦1",
        "'x",
    ],
)
def test_a_cell_a_spreadsheet_would_run_starts_with_the_neutraliser(value):
    assert safe_cell(value) == NEUTRALISER + value


@pytest.mark.parametrize("value", ["", "Hello", "5 < 6", "Total = 5", "Ümlaut", "it's"])
def test_plain_text_is_left_alone(value):
    assert safe_cell(value) == value


@pytest.mark.parametrize("value", ["=1", " =1", "|cmd", "Hello", "'quoted", "''"])
def test_dropping_one_leading_neutraliser_gives_the_value_back(value):
    safe = safe_cell(value)
    assert (safe[1:] if safe.startswith(NEUTRALISER) else safe) == value
