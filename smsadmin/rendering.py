"""One view renders a whole page, or for htmx just the fragment it swaps."""

from typing import Any

from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.utils.cache import patch_vary_headers


def page_or_fragment(
    request: HttpRequest,
    template: str,
    fragment: str,
    context: dict[str, Any],
    *,
    status: int = 200,
) -> TemplateResponse:
    """``template`` for a normal request, ``template#fragment`` for htmx.

    ``Vary: HX-Request`` keeps a cache from answering a full-page request with
    a fragment it stored for htmx, or the other way round.
    """
    htmx = getattr(request, "htmx", None)
    name = f"{template}#{fragment}" if htmx and not htmx.boosted else template
    response = TemplateResponse(request, name, context, status=status)
    patch_vary_headers(response, ["HX-Request"])
    return response
