"""Reading POST bodies the way PHP fills `$_POST`.

PHP only understands multipart/form-data and application/x-www-form-urlencoded; any other
body (JSON included) leaves `$_POST` empty, which 66text then reports as missing fields.
"""

from __future__ import annotations

import re
from email.message import Message as EmailMessage
from email.parser import BytesParser
from email.policy import HTTP
from urllib.parse import parse_qsl

_PHP_INT_PREFIX = re.compile(r"\s*([+-]?\d+)")


def parse_form(content_type: str, body: bytes) -> dict[str, str]:
    """Form fields of a request body; a repeated field keeps its last value, like PHP."""
    media_type = content_type.split(";", 1)[0].strip().lower()
    if media_type == "application/x-www-form-urlencoded":
        return dict(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
    if media_type == "multipart/form-data":
        return _parse_multipart(content_type, body)
    return {}


def _parse_multipart(content_type: str, body: bytes) -> dict[str, str]:
    # The email package parses MIME multipart bodies; it needs the Content-Type header
    # (which carries the boundary) in front of the body to do so.
    envelope = f"Content-Type: {content_type}\r\n\r\n".encode("latin-1", "replace") + body
    document = BytesParser(policy=HTTP).parsebytes(envelope)
    if not document.is_multipart():
        return {}
    fields = {}
    for part in document.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if isinstance(name, str):
            fields[name] = _part_text(part)
    return fields


def _part_text(part: EmailMessage) -> str:
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        return ""
    charset = part.get_content_charset() or "utf-8"
    try:
        return payload.decode(charset, "replace")
    except LookupError:
        return payload.decode("utf-8", "replace")


def php_int(value: str) -> int:
    """PHP's (int) cast: the leading integer of the string, 0 when there is none ("12abc" → 12)."""
    match = _PHP_INT_PREFIX.match(value)
    return int(match.group(1)) if match else 0
