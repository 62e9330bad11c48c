"""The one rule for CSV cells a spreadsheet would run as a formula.

Both exports (messages, audit log) hold text anyone can write: SMS content,
contact names, usernames, audit details. Excel, LibreOffice and Sheets run a
cell as a formula when its first character that is not a space is ``=``,
``+``, ``-``, ``@`` (or a full-width form of one, which they fold), and a
leading ``|`` starts a DDE call. Such a cell, and any that starts with a space
or a control character, gets a leading apostrophe: spreadsheets show it as
text. A cell that itself starts with an apostrophe gets one more, so reading
our own export back (compose's CSV import) only ever drops one leading
apostrophe to get the value exactly.
"""

import unicodedata

NEUTRALISER = "'"
_FORMULA_STARTS = frozenset("=+-@|" + NEUTRALISER)


def safe_cell(value: str) -> str:
    """``value`` as a spreadsheet will show it, never run it."""
    if not value:
        return value
    if value[0].isspace() or unicodedata.category(value[0]).startswith("C"):
        return NEUTRALISER + value
    if unicodedata.normalize("NFKC", value[0])[:1] in _FORMULA_STARTS:
        return NEUTRALISER + value
    return value


def read_cell(value: str) -> str:
    """A cell of our own export as it was before ``safe_cell``: one leading apostrophe off.

    A file from elsewhere loses a leading apostrophe too, which is what a
    spreadsheet does when it shows such a cell.
    """
    return value.removeprefix(NEUTRALISER)
