"""A tiny urllib client for talking to the sandbox over real HTTP in tests."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import Message
from typing import Any
from urllib.parse import urlencode

API_DATETIME_FORMAT = "%Y-%m-%d %H:%M:%S"


@dataclass
class Reply:
    status: int
    headers: Message
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)

    @property
    def error(self) -> dict[str, Any]:
        return self.json()["errors"][0]


def encode_multipart(fields: dict[str, str]) -> tuple[bytes, str]:
    boundary = f"----sandbox{uuid.uuid4().hex}"
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
        for name, value in fields.items()
    ]
    body = ("".join(parts) + f"--{boundary}--\r\n").encode()
    return body, f"multipart/form-data; boundary={boundary}"


def parse_api_datetime(value: str) -> datetime:
    return datetime.strptime(value, API_DATETIME_FORMAT).replace(tzinfo=UTC)


class ApiClient:
    def __init__(self, base_url: str, api_key: str | None) -> None:
        self.base_url = base_url
        self.api_key = api_key

    def with_key(self, api_key: str | None) -> ApiClient:
        return ApiClient(self.base_url, api_key)

    def request(
        self,
        method: str,
        path: str,
        *,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
        timeout: float = 10,
    ) -> Reply:
        all_headers = {"Authorization": f"Bearer {self.api_key}"} if self.api_key else {}
        all_headers.update(headers or {})
        request = urllib.request.Request(
            self.base_url + path, data=body, method=method, headers=all_headers
        )
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                return Reply(response.status, response.headers, response.read())
        except urllib.error.HTTPError as error:
            with error:
                return Reply(error.code, error.headers, error.read())

    def get(self, path: str, **kwargs: Any) -> Reply:
        return self.request("GET", path, **kwargs)

    def delete(self, path: str) -> Reply:
        return self.request("DELETE", path)

    def post_multipart(self, path: str, fields: dict[str, str], **kwargs: Any) -> Reply:
        body, content_type = encode_multipart(fields)
        return self.request(
            "POST", path, body=body, headers={"Content-Type": content_type}, **kwargs
        )

    def post_urlencoded(self, path: str, fields: dict[str, str]) -> Reply:
        body = urlencode(fields).encode()
        content_type = "application/x-www-form-urlencoded"
        return self.request("POST", path, body=body, headers={"Content-Type": content_type})

    def send(self, *, timeout: float = 10, **fields: str) -> Reply:
        """POST /sms as multipart, with working defaults for the required fields."""
        form = {"content": "Hello from the tests", "device_id": "1", "sim_subscription_id": "1"}
        form.update(fields)
        return self.post_multipart("/sms", form, timeout=timeout)

    def total(self, resource: str) -> int:
        return self.get(f"/{resource}?results_per_page=10").json()["meta"]["total_results"]
