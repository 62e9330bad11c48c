"""Talking to the Sociostacks SMS API: the client, its errors and its records."""

from .client import SociostacksClient
from .errors import (
    AuthenticationFailed,
    InvalidRequest,
    NotFound,
    PartialSendError,
    PlanLimitReached,
    RateLimited,
    SenderUnavailable,
    SociostacksError,
    UnreadableResponse,
    UpstreamUnavailable,
    ValidationRefused,
)
from .types import Account, BatchResult, Contact, Device, DeviceTotals, Message, Page, Sim

__all__ = [
    "Account",
    "AuthenticationFailed",
    "BatchResult",
    "Contact",
    "Device",
    "DeviceTotals",
    "InvalidRequest",
    "Message",
    "NotFound",
    "Page",
    "PartialSendError",
    "PlanLimitReached",
    "RateLimited",
    "SenderUnavailable",
    "Sim",
    "SociostacksClient",
    "SociostacksError",
    "UnreadableResponse",
    "UpstreamUnavailable",
    "ValidationRefused",
]
