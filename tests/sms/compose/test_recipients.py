"""Recipient parsing: pure functions, no database."""

from __future__ import annotations

import pytest

from smsadmin.sms.compose import recipients
from smsadmin.sms.compose.recipients import (
    MAX_RECIPIENTS,
    NEEDS_COUNTRY_CODE,
    CsvError,
    InvalidEntry,
    csv_columns,
    parse_recipients,
    parse_recipients_csv,
)

DE_MOBILE = "+491701234567"
DE_MOBILE_2 = "+4917612345678"
UK_MOBILE = "+447400123456"
US_NUMBER = "+12125550100"
DE_LANDLINE = "+493012345678"
FIXED_LINE_WARNING = "fixed-line number: it may not receive SMS"


# --- separators ---------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "+491701234567\n+4917612345678",
        "+491701234567,+4917612345678",
        "+491701234567;+4917612345678",
        "+491701234567 +4917612345678",
        "+491701234567\t+4917612345678",
        "+491701234567\r\n+4917612345678\r\n",
        "  +491701234567 ,\n\n ; +4917612345678 ;",
    ],
    ids=["newline", "comma", "semicolon", "space", "tab", "crlf", "mixed"],
)
def test_every_separator_splits_numbers(text: str) -> None:
    result = parse_recipients(text)
    assert result.valid == [DE_MOBILE, DE_MOBILE_2]
    assert result.invalid == []


def test_space_separated_national_numbers_are_split() -> None:
    result = parse_recipients("01701234567 017612345678", default_region="DE")
    assert result.valid == [DE_MOBILE, DE_MOBILE_2]


def test_space_separated_numbers_with_internal_spaces_split_at_plus() -> None:
    result = parse_recipients("+49 170 1234567 +44 7400 123456")
    assert result.valid == [DE_MOBILE, UK_MOBILE]


@pytest.mark.parametrize(
    ("text", "region", "expected"),
    [
        ("+44 7400 123456", None, UK_MOBILE),
        ("(212) 555-0100", "US", US_NUMBER),
        ("+1 (212) 555-0100", None, US_NUMBER),
        ("0170 123 45 67", "DE", DE_MOBILE),
        ("+49-170-123.45/67", None, DE_MOBILE),
        ("+49 (0) 170 1234567", None, DE_MOBILE),
        ("+49\u00a0170\u00a01234567", None, DE_MOBILE),
        ("\u202a+49 170 1234567\u202c", None, DE_MOBILE),  # direction marks from a phone
    ],
)
def test_one_number_written_with_spaces_dashes_or_parentheses(
    text: str, region: str | None, expected: str
) -> None:
    result = parse_recipients(text, default_region=region)
    assert result.valid == [expected]
    assert result.invalid == []


# --- prefixes and regions -----------------------------------------------------


@pytest.mark.parametrize("region", [None, "DE", "US"])
def test_00_international_prefix_is_accepted_whatever_the_region(region: str | None) -> None:
    assert parse_recipients("0049 170 1234567", default_region=region).valid == [DE_MOBILE]


def test_default_region_reads_national_numbers() -> None:
    assert parse_recipients("0170 1234567", default_region="DE").valid == [DE_MOBILE]
    assert parse_recipients("0170 1234567", default_region="de").valid == [DE_MOBILE]
    assert parse_recipients("07400 123456", default_region="GB").valid == [UK_MOBILE]


def test_without_default_region_a_national_number_needs_a_country_code() -> None:
    result = parse_recipients("0170 1234567")
    assert result.valid == []
    assert result.invalid == [InvalidEntry(line=1, text="0170 1234567", reason=NEEDS_COUNTRY_CODE)]


def test_unknown_default_region_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="unknown region"):
        parse_recipients("0170 1234567", default_region="XX")


# --- duplicates ---------------------------------------------------------------


def test_duplicates_in_different_formats_are_removed_and_counted() -> None:
    text = "+49 170 1234567\n0170 1234567\n+4917612345678\n0049170-1234567\n+491701234567"
    result = parse_recipients(text, default_region="DE")
    assert result.valid == [DE_MOBILE, DE_MOBILE_2]
    assert result.duplicates == 3
    assert result.total_entries == 5


# --- invalid entries ----------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("12", "too short"),
        ("+49 1", "too short"),
        ("+4917012345678901234567", "too long"),
        ("hello", "not a number"),
        ("0170 1234567x", "not a number"),  # phonenumbers would read "x" as an extension
        ("1-800-FLOWERS", "not a number"),  # ... and letters as a vanity number
        ("+49 170 1234567890", "invalid for DE"),
        ("+1 999 555 0123", "invalid for +1"),  # +1 is shared by several regions
        ("+999 1234567", "unknown country code"),
    ],
)
def test_invalid_entries_have_a_plain_reason(text: str, reason: str) -> None:
    result = parse_recipients(text, default_region="DE")
    assert result.valid == []
    assert result.invalid == [InvalidEntry(line=1, text=text, reason=reason)]


def test_invalid_entries_report_their_line_and_do_not_stop_the_rest() -> None:
    text = "+491701234567\n\nhello, +4917612345678\n12;+49 170 1234567890"
    result = parse_recipients(text, default_region="DE")
    assert result.valid == [DE_MOBILE, DE_MOBILE_2]
    assert result.invalid == [
        InvalidEntry(line=3, text="hello", reason="not a number"),
        InvalidEntry(line=4, text="12", reason="too short"),
        InvalidEntry(line=4, text="+49 170 1234567890", reason="invalid for DE"),
    ]
    assert result.invalid_count == 2 + 1
    assert result.valid_count == 2


def test_a_mistyped_number_with_spaces_is_one_error_not_one_per_fragment() -> None:
    # "654321" alone would be a valid German landline; it is a fragment here.
    result = parse_recipients("+44 7911 654321", default_region="DE")
    assert result.valid == []
    assert [entry.text for entry in result.invalid] == ["+44 7911 654321"]


# --- warnings -----------------------------------------------------------------


def test_fixed_line_number_is_kept_with_a_warning() -> None:
    result = parse_recipients("+491701234567\n+49 30 12345678")
    assert result.valid == [DE_MOBILE, DE_LANDLINE]
    assert [(w.line, w.number, w.reason) for w in result.warnings] == [
        (2, DE_LANDLINE, FIXED_LINE_WARNING)
    ]


def test_numbers_that_may_be_mobile_get_no_warning() -> None:
    # In the US fixed-line and mobile numbers cannot be told apart.
    assert parse_recipients("+1 212 555 0100").warnings == []


def test_a_repeated_landline_is_warned_about_once() -> None:
    result = parse_recipients("+493012345678\n030 12345678", default_region="DE")
    assert len(result.warnings) == 1


# --- limits -------------------------------------------------------------------


def test_empty_text_gives_an_empty_result() -> None:
    result = parse_recipients(" \n ,; \n")
    assert (result.valid, result.duplicates, result.invalid, result.warnings) == ([], 0, [], [])


def test_more_than_the_cap_is_refused_with_one_clear_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(recipients, "MAX_RECIPIENTS", 3)
    result = parse_recipients("+491701234567\n+4917612345678\n+447400123456\n+12125550100")
    assert result.valid == []
    assert len(result.invalid) == 1
    assert result.invalid[0].line == 4
    assert "more than 3 numbers" in result.invalid[0].reason


def test_cap_is_one_hundred_thousand() -> None:
    assert MAX_RECIPIENTS == 100_000


def test_ten_thousand_numbers_in_two_formats_are_all_read() -> None:
    # How fast is bench/bench_recipients.py's to measure, not a test's.
    numbers = [f"+49 170 {index:07d}" for index in range(9_000)]
    numbers += [f"0176 {index:08d}" for index in range(1_000)]
    result = parse_recipients("\n".join(numbers), default_region="DE")
    assert result.valid_count == 10_000
    assert result.invalid_count == 0


# --- CSV ----------------------------------------------------------------------


def test_csv_single_column_with_header() -> None:
    result = parse_recipients_csv("phone\n+491701234567\n+4917612345678\n")
    assert result.valid == [DE_MOBILE, DE_MOBILE_2]


def test_csv_single_column_of_numbers_with_spaces_is_not_split() -> None:
    result = parse_recipients_csv("+49 170 1234567\n+49 176 12345678\n")
    assert result.valid == [DE_MOBILE, DE_MOBILE_2]


def test_unreadable_csv_is_an_error() -> None:
    with pytest.raises(CsvError, match="line 2"):
        parse_recipients_csv('phone\n"' + "1" * 200_000 + '"\n')


def test_csv_single_column_without_header_keeps_the_first_row() -> None:
    result = parse_recipients_csv("+491701234567\n+4917612345678\n")
    assert result.valid == [DE_MOBILE, DE_MOBILE_2]


def test_csv_rows_are_reported_as_in_the_file() -> None:
    data = "name,phone\nAnna,+491701234567\n\nBen,not known\nCleo,+49 170 1234567\n"
    result = parse_recipients_csv(data, column="phone")
    assert result.valid == [DE_MOBILE]
    assert result.duplicates == 1
    assert result.invalid == [InvalidEntry(line=4, text="not known", reason="not a number")]


def test_csv_pick_column_by_name_is_case_insensitive() -> None:
    data = "Name,Mobile,Landline\nAnna,+491701234567,+493012345678\n"
    assert parse_recipients_csv(data, column="mobile").valid == [DE_MOBILE]
    assert parse_recipients_csv(data, column=" LANDLINE ").valid == [DE_LANDLINE]


def test_csv_pick_column_by_index() -> None:
    data = "Anna,+491701234567,x\nBen,+4917612345678,y\n"
    assert parse_recipients_csv(data, column=1).valid == [DE_MOBILE, DE_MOBILE_2]


def test_csv_unknown_column_is_an_error() -> None:
    with pytest.raises(CsvError, match="no column named"):
        parse_recipients_csv("name,phone\nAnna,+491701234567\n", column="fax")
    with pytest.raises(CsvError, match="no column 3"):
        parse_recipients_csv("name,phone\nAnna,+491701234567\n", column=2)


def test_csv_semicolon_delimited_with_numbers_containing_spaces() -> None:
    data = "Name;Telefon\nAnna;0170 1234567\nBen;0176 12345678\n"
    result = parse_recipients_csv(data, column="Telefon", default_region="DE")
    assert result.valid == [DE_MOBILE, DE_MOBILE_2]


def test_csv_tab_delimited() -> None:
    data = "Name\tPhone\nAnna\t+491701234567\nBen\t+4917612345678\n"
    assert parse_recipients_csv(data, column="Phone").valid == [DE_MOBILE, DE_MOBILE_2]


def test_csv_bytes_with_bom_and_crlf() -> None:
    data = "\ufeffphone\r\n+491701234567\r\n+4917612345678\r\n".encode()
    result = parse_recipients_csv(data, column="phone")
    assert result.valid == [DE_MOBILE, DE_MOBILE_2]


def test_csv_utf16_and_windows_code_page() -> None:
    utf16 = "Name\tPhone\nAnna\t+491701234567\n".encode("utf-16")
    assert parse_recipients_csv(utf16, column="Phone").valid == [DE_MOBILE]
    cp1252 = "Name;Phone\nJürgen;+491701234567\n".encode("cp1252")
    assert parse_recipients_csv(cp1252, column="Phone").valid == [DE_MOBILE]


def test_csv_quoted_cells_with_delimiters_inside() -> None:
    data = 'name,phone\n"Doe, Jane","+49 170 1234567"\n'
    assert parse_recipients_csv(data, column="phone").valid == [DE_MOBILE]


def test_empty_csv_gives_an_empty_result() -> None:
    assert parse_recipients_csv(b"").total_entries == 0
    assert csv_columns(b"").columns == []


def test_csv_columns_with_header() -> None:
    data = "Name;Phone;City\nAnna;+491701234567;Berlin\nBen;+4917612345678;Bonn\n"
    found = csv_columns(data)
    assert found.columns == ["Name", "Phone", "City"]
    assert found.has_header is True
    assert found.sample == [
        ["Anna", "+491701234567", "Berlin"],
        ["Ben", "+4917612345678", "Bonn"],
    ]
    assert found.suggested == 1


def test_csv_columns_without_header() -> None:
    data = b"Anna,+491701234567\r\nBen,+4917612345678\r\n"
    found = csv_columns(data, sample_size=1)
    assert found.columns == ["Column 1", "Column 2"]
    assert found.has_header is False
    assert found.sample == [["Anna", "+491701234567"]]
    assert found.suggested == 1
