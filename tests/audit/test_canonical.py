"""The text that is hashed, written out field by field, is exactly the general JSON encoder's.

Chains written before the field-by-field writer came must still verify, and
new ones must verify with any older reader: one differing character anywhere
would report an intact log as altered.
"""

import json
from datetime import UTC, datetime, timedelta, timezone

from hypothesis import given
from hypothesis import strategies as st

from smsadmin.audit.chain import CHAINED_FIELDS, canonical

TEXT = st.text()  # every code point, quotes, controls, surrogates and all
WHOLE = st.none() | st.integers(min_value=-(2**63), max_value=2**63)
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | TEXT,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TEXT, inner, max_size=4),
    max_leaves=12,
)
MOMENTS = st.datetimes(
    min_value=datetime(1971, 1, 1), max_value=datetime(2200, 1, 1), timezones=st.just(UTC)
)


def by_the_general_encoder(values: dict, prev_hash: str) -> str:
    content = {name: values[name] for name in CHAINED_FIELDS}
    content["created_at"] = values["created_at"].astimezone(UTC).isoformat(timespec="microseconds")
    content["prev_hash"] = prev_hash
    return json.dumps(content, sort_keys=True, separators=(",", ":"))


EVENTS = st.fixed_dictionaries(
    {
        "seq": st.integers(min_value=1, max_value=2**63),
        "created_at": MOMENTS,
        "actor_id": WHOLE,
        "actor_username": TEXT,
        "operator_name": TEXT,
        "ip_address": st.none() | st.ip_addresses().map(str),
        "user_agent": TEXT,
        "session_hash": TEXT,
        "request_id": TEXT,
        "action": TEXT,
        "target": TEXT,
        "message_ids": TEXT,
        "outcome": TEXT,
        "error_class": TEXT,
        "upstream_status": WHOLE,
        "details": st.dictionaries(TEXT, JSON, max_size=5),
        "parent_id": WHOLE,
    }
)


@given(EVENTS, TEXT)
def test_it_writes_what_json_dumps_writes(values, prev_hash):
    assert canonical(values, prev_hash) == by_the_general_encoder(values, prev_hash)


@given(
    EVENTS,
    st.sampled_from(["actor_id", "parent_id", "upstream_status"]),
    st.sampled_from([True, 1.5]),
)
def test_a_value_of_another_type_takes_the_general_encoder(values, name, odd):
    values = values | {name: odd}
    assert canonical(values, "0" * 64) == by_the_general_encoder(values, "0" * 64)


def test_a_moment_in_another_zone_is_written_in_utc():
    values = {name: "" for name in CHAINED_FIELDS} | {
        "seq": 1, "actor_id": None, "upstream_status": None, "parent_id": None,
        "ip_address": None, "details": {},
        "created_at": datetime(2026, 3, 29, 3, 30, tzinfo=timezone(timedelta(hours=2))),
    }  # fmt: skip
    assert '"created_at":"2026-03-29T01:30:00.000000+00:00"' in canonical(values, "0" * 64)
