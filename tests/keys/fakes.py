"""Sociostacks answers about an API key (GET /user), registered on a responses mock."""

import requests
import responses

from smsadmin.accounts.models import User
from smsadmin.keys.models import ApiKey
from tests.conftest import UPSTREAM
from tests.sociostacks.payloads import error_json

ACCOUNT = {
    "id": 9,
    "name": "Harbour Ops",
    "email": "ops@example.com",
    "language": "en",
    "timezone": "Europe/Berlin",
}


def account_ok(mock: responses.RequestsMock, **fields: object) -> responses.BaseResponse:
    return mock.get(f"{UPSTREAM}/user", json={"data": {**ACCOUNT, **fields}})


def key_refused(mock: responses.RequestsMock) -> responses.BaseResponse:
    title = "You do not have access to the API."
    return mock.get(f"{UPSTREAM}/user", json=error_json(title, 401), status=401)


def upstream_down(mock: responses.RequestsMock) -> responses.BaseResponse:
    return mock.get(f"{UPSTREAM}/user", body=requests.ConnectionError("connection refused"))


def unreadable(mock: responses.RequestsMock) -> responses.BaseResponse:
    return mock.get(f"{UPSTREAM}/user", body="<html>Bad gateway</html>", status=200)


def rate_limited(mock: responses.RequestsMock) -> responses.BaseResponse:
    title = "You reached the limit of requests in one minute, please wait."
    return mock.get(
        f"{UPSTREAM}/user",
        json=error_json(title, 429),
        status=429,
        headers={"X-RateLimit-Reset": "30"},
    )


def bearer_of(call: responses.Call) -> str:
    return call.request.headers["Authorization"].removeprefix("Bearer ")


def team_key(team_name: str, raw_key: str, label: str = "Team key", by: User | None = None):
    from smsadmin.accounts.models import Team

    team, _ = Team.objects.get_or_create(name=team_name)
    key = ApiKey(label=label, team=team, created_by=by)
    key.set_secret(raw_key)
    key.save()
    return key
