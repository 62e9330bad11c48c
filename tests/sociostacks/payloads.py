"""Upstream answers as 66text writes them, and a reader for what we sent."""

import email
import email.policy
from typing import Any

import requests

API_KEY = "sk-live-5ecret-key-do-not-log"
BASE = "https://sms.example.test/api"


def message_json(sms_id: int = 1, **overrides: Any) -> dict[str, Any]:
    return {
        "sms_id": sms_id,
        "device_id": 1,
        "sim_subscription_id": 1,
        "contact_id": 7,
        "campaign_id": 0,
        "flow_id": 0,
        "rss_automation_id": 0,
        "recurring_campaign_id": 0,
        "user_id": 1,
        "type": "sent",
        "content": "Hello world",
        "status": "sent",
        "error": None,
        "scheduled_datetime": "2025-10-29 03:32:12",
        "datetime": "2025-10-29 03:32:12",
        **overrides,
    }


def page_json(rows: list[dict[str, Any]], **meta: Any) -> dict[str, Any]:
    return {
        "data": rows,
        "meta": {
            "page": 1,
            "results_per_page": 25,
            "total_results": len(rows),
            "total_pages": 1 if rows else 0,
            **meta,
        },
        "links": {},
    }


def error_json(title: str, status: int | str) -> dict[str, Any]:
    return {"errors": [{"title": title, "status": status}]}


def multipart_fields(request: requests.PreparedRequest) -> dict[str, str]:
    """The form fields of a multipart/form-data request, exactly as sent."""
    raw = f"Content-Type: {request.headers['Content-Type']}\r\n\r\n".encode() + request.body
    message = email.message_from_bytes(raw, policy=email.policy.HTTP)
    return {
        part.get_param("name", header="content-disposition"): part.get_payload(decode=True).decode()
        for part in message.iter_parts()
    }
