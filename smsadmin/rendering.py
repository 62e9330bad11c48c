"""One view renders a whole page, or for htmx just the fragment it swaps."""

import secrets
from functools import partial
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.cache import patch_vary_headers
from django.utils.safestring import SafeString, mark_safe


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
    deferred: dict[str, str] = {}
    request.deferred_html = deferred  # type: ignore[attr-defined]
    response.add_post_render_callback(partial(_insert_deferred, deferred))
    return response


def deferred(request: HttpRequest | None, html: SafeString) -> SafeString:
    """``html`` now, or a placeholder that the finished page gets ``html`` in place of.

    A thousand message rows are a megabyte: every template level they pass
    through would copy them again, so pages rendered by ``page_or_fragment``
    insert them once, after rendering.
    """
    waiting = getattr(request, "deferred_html", None)
    if waiting is None:
        return html
    token = f"<!--deferred-{secrets.token_hex(8)}-->"
    waiting[token] = html
    # Safe: the placeholder is our own comment, with no outside text in it.
    return mark_safe(token)  # noqa: S308  # nosec B308 B703


def _insert_deferred(waiting: dict[str, str], response: HttpResponse) -> None:
    if not waiting:
        return
    content = response.content.decode(response.charset)
    for token, html in waiting.items():
        content = content.replace(token, html, 1)
    response.content = content.encode(response.charset)
