"""Numbers in sentences, as the viewer's language writes them (1,234 · 1.234 · 1 234)."""

from django.utils.formats import number_format


def grouped(value: int) -> str:
    """``value`` with the language's thousands separator, whatever USE_THOUSAND_SEPARATOR says."""
    return number_format(value, force_grouping=True)
