"""Date and number formats per language (FORMAT_MODULE_PATH).

English keeps the ISO-like dates operations staff already read (2026-12-02
09:00); German, French and Spanish use their own day-first forms. Templates and
code never spell a format out: they name one of these (SHORT_DATETIME_FORMAT,
DATETIME_FORMAT, ...) so a page follows its language.
"""
