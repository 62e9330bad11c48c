"""Deterministic, believable starting data for one account.

The same seed and API key always give the same devices, contacts and messages; only the
timestamps move with the start time, because they are laid out relative to "now".
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from .state import (
    INBOUND_REPLIES,
    PHONE_ERRORS,
    Account,
    AccountSeeder,
    Contact,
    Device,
    IdSequences,
    Message,
    Sim,
    User,
)

# (prefix, random digits after it): mobile ranges that Google's libphonenumber accepts.
NUMBER_FORMATS: dict[str, tuple[tuple[str, int], ...]] = {
    "DE": (("+49151", 8), ("+49176", 8), ("+49160", 7)),
    "GB": (("+447766", 6), ("+447400", 6), ("+447890", 6)),
    "US": (("+141555501", 2), ("+121255501", 2), ("+131255501", 2)),
    "FR": (("+3361", 7), ("+3366", 7), ("+3378", 7)),
    "NL": (("+3161", 7), ("+3164", 7)),
    "ES": (("+346", 8),),
    "IT": (("+39347", 7), ("+39333", 7)),
    "AT": (("+43664", 7),),
    "PL": (("+4851", 7),),
    "CH": (("+4179", 7),),
}

CONTACT_NAMES: tuple[tuple[str, str], ...] = (
    ("Lena Schmidt", "DE"),
    ("Jonas Weber", "DE"),
    ("Mia Fischer", "DE"),
    ("Felix Wagner", "DE"),
    ("Hannah Becker", "DE"),
    ("Lukas Hoffmann", "DE"),
    ("Sophie Schäfer", "DE"),
    ("Paul Koch", "DE"),
    ("Emma Richter", "DE"),
    ("Maximilian Klein", "DE"),
    ("Oliver Smith", "GB"),
    ("Amelia Jones", "GB"),
    ("Harry Taylor", "GB"),
    ("Isla Brown", "GB"),
    ("George Wilson", "GB"),
    ("Liam Johnson", "US"),
    ("Olivia Miller", "US"),
    ("Noah Garcia", "US"),
    ("Ava Martinez", "US"),
    ("James Anderson", "US"),
    ("Louis Martin", "FR"),
    ("Chloé Bernard", "FR"),
    ("Hugo Dubois", "FR"),
    ("Léa Moreau", "FR"),
    ("Daan de Vries", "NL"),
    ("Sanne Jansen", "NL"),
    ("Bram Bakker", "NL"),
    ("Lucía García", "ES"),
    ("Mateo Fernández", "ES"),
    ("Carmen López", "ES"),
    ("Giulia Rossi", "IT"),
    ("Marco Bianchi", "IT"),
    ("Francesca Romano", "IT"),
    ("Elias Gruber", "AT"),
    ("Anna Huber", "AT"),
    ("Tobias Bauer", "AT"),
    ("Zofia Nowak", "PL"),
    ("Jakub Kowalski", "PL"),
    ("Noémie Favre", "CH"),
    ("Luca Meier", "CH"),
)
OPTED_OUT_CONTACTS = 3

OUTBOUND_TEMPLATES = (
    "Hi {first}, your appointment is confirmed for {day} at {time}. Reply STOP to opt out.",
    "Your verification code is {code}. It expires in 10 minutes.",
    "Reminder: parcel {ref} is ready for pickup until {day}.",
    "{first}, thanks for your order #{ref}! We will text you when it ships.",
    "Hallo {first}, Ihr Termin am {day} um {time} Uhr ist bestätigt. Bis bald!",
    "Maintenance window tonight 22:00-23:00 CET. Expect short outages ☕",
    (
        "Dear {first}, this is a friendly reminder that invoice {ref} is due on {day}. "
        "If you have already paid, please ignore this message. Questions? Just reply to "
        "this number and our team will get back to you within one business day."
    ),
)
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday")
CAMPAIGN_IDS = (1, 2, 3)

# Relative frequency of each seeded message kind; "scheduled" is pending in the future.
KIND_WEIGHTS = {"sent": 56, "failed": 8, "received": 26, "pending": 4, "scheduled": 6}
HISTORY = timedelta(days=30)


def _between(rng: random.Random, low: timedelta, high: timedelta) -> timedelta:
    """A random span from ``low`` to ``high`` (what ``rng.uniform`` does, typed for spans)."""
    return low + (high - low) * rng.random()


def make_seeder(seed: int, seed_messages: int, timezone: str) -> AccountSeeder:
    def seed_account(api_key: str, index: int, ids: IdSequences, now: datetime) -> Account:
        rng = random.Random(f"{seed}:{api_key}")
        account = Account(user=_user(ids, index, timezone, now), ids=ids)
        for device in _devices(rng, ids, account.user.id, now):
            account.devices[device.id] = device
        for contact in _contacts(rng, ids, account.user.id, now):
            account.contacts[contact.id] = contact
        _seed_messages(account, rng, now, seed_messages)
        return account

    return seed_account


def _user(ids: IdSequences, index: int, timezone: str, now: datetime) -> User:
    number = index + 1
    return User(
        id=ids.next_user_id(),
        name=f"Sandbox Account {number}",
        email=f"account{number}@sandbox.example",
        language="english",
        timezone=timezone,
        country="DE",
        created=now - timedelta(days=420),
    )


def _phone_number(rng: random.Random, country: str) -> str:
    prefix, digits = rng.choice(NUMBER_FORMATS[country])
    return prefix + "".join(str(rng.randrange(10)) for _ in range(digits))


def _devices(rng: random.Random, ids: IdSequences, user_id: int, now: datetime) -> list[Device]:
    # Android subscription ids are per phone, so both devices have a SIM with id 1:
    # a SIM is only identified by (device, subscription_id).
    pixel = Device(
        id=ids.next_device_id(),
        user_id=user_id,
        name="Ops Pixel 8",
        sims=[
            Sim(1, _phone_number(rng, "DE"), "Telekom.de", "Work", 0),
            Sim(2, _phone_number(rng, "GB"), "Vodafone UK", "UK line", 1),
        ],
        device_model="Pixel 8",
        device_brand="Google",
        device_os="Android 15",
        device_battery=rng.randrange(55, 100),
        device_is_charging=True,
        last_ping_datetime=now - timedelta(seconds=rng.randrange(1, 20)),
        created=now - timedelta(days=rng.randrange(200, 400)),
    )
    galaxy = Device(
        id=ids.next_device_id(),
        user_id=user_id,
        name="Backup Galaxy A54",
        sims=[Sim(1, _phone_number(rng, "DE"), "o2 - de", "Backup", 0)],
        device_model="SM-A546B",
        device_brand="samsung",
        device_os="Android 14",
        device_battery=rng.randrange(20, 70),
        device_is_charging=False,
        last_ping_datetime=now - timedelta(seconds=rng.randrange(20, 90)),
        created=now - timedelta(days=rng.randrange(30, 150)),
    )
    return [pixel, galaxy]


def _contacts(rng: random.Random, ids: IdSequences, user_id: int, now: datetime) -> list[Contact]:
    opted_out = set(rng.sample(range(len(CONTACT_NAMES)), OPTED_OUT_CONTACTS))
    contacts = []
    for position, (name, country) in enumerate(CONTACT_NAMES):
        custom = {"customer_no": f"C-{rng.randrange(10000, 99999)}"} if rng.random() < 0.3 else {}
        contacts.append(
            Contact(
                id=ids.next_contact_id(),
                user_id=user_id,
                phone_number=_phone_number(rng, country),
                name=name,
                has_opted_out=position in opted_out,
                created=now - timedelta(days=rng.uniform(31, 400)),
                custom_parameters=custom,
            )
        )
    return contacts


def _seed_messages(account: Account, rng: random.Random, now: datetime, count: int) -> None:
    kinds = rng.choices(list(KIND_WEIGHTS), weights=list(KIND_WEIGHTS.values()), k=count)
    drafts = [_draft_message(account, rng, now, kind) for kind in kinds]
    # Ids grow with creation time, so "newest first" by id is also newest by creation.
    drafts.sort(key=lambda draft: draft[0])
    for _created, message in drafts:
        message.sms_id = account.ids.next_sms_id()
        account.add_message(message)


def _draft_message(
    account: Account, rng: random.Random, now: datetime, kind: str
) -> tuple[datetime, Message]:
    """A message without its id yet, together with its creation time."""
    devices = list(account.devices.values())
    # The main phone carries most of the traffic.
    device = devices[0] if rng.random() < 0.8 else rng.choice(devices)
    contact = rng.choice(list(account.contacts.values()))
    message = Message(
        sms_id=0,
        user_id=account.user.id,
        device_id=device.id,
        sim_subscription_id=rng.choice(device.sims).subscription_id,
        contact_id=contact.id,
        type="sent",
        content=_outbound_text(rng, contact),
        status="pending",
        error=None,
        scheduled_datetime=None,
        datetime=now,
        campaign_id=rng.choice(CAMPAIGN_IDS) if rng.random() < 0.2 else 0,
    )
    if kind == "received":
        return _as_received(message, rng, now)
    if kind == "pending":
        return _as_pending(message, rng, now)
    if kind == "scheduled":
        return _as_scheduled(message, rng, now)
    return _as_delivered(message, rng, now, failed=kind == "failed")


def _outbound_text(rng: random.Random, contact: Contact) -> str:
    first_name = (contact.name or "there").split()[0]
    return rng.choice(OUTBOUND_TEMPLATES).format(
        first=first_name,
        day=rng.choice(WEEKDAYS),
        time=f"{rng.randrange(8, 18)}:{rng.choice(('00', '15', '30', '45'))}",
        code=rng.randrange(100000, 999999),
        ref=f"{rng.choice('ABCDEFGH')}{rng.randrange(10000, 99999)}",
    )


def _to_minute(moment: datetime) -> datetime:
    return moment.replace(second=0, microsecond=0)


def _as_received(message: Message, rng: random.Random, now: datetime) -> tuple[datetime, Message]:
    created = now - _between(rng, timedelta(minutes=1), HISTORY)
    message.type = message.status = "received"
    message.content = rng.choice(INBOUND_REPLIES)
    message.campaign_id = 0
    message.datetime = created
    return created, message


def _as_pending(message: Message, rng: random.Random, now: datetime) -> tuple[datetime, Message]:
    # Queued moments before start-up: the life thread sends these within the first ticks.
    created = now - timedelta(seconds=rng.uniform(1, 90))
    message.scheduled_datetime = message.datetime = created
    return created, message


def _as_scheduled(message: Message, rng: random.Random, now: datetime) -> tuple[datetime, Message]:
    created = now - _between(rng, timedelta(minutes=10), timedelta(days=3))
    message.scheduled_datetime = _to_minute(
        now + _between(rng, timedelta(hours=1), timedelta(days=6))
    )
    message.datetime = created
    return created, message


def _as_delivered(
    message: Message, rng: random.Random, now: datetime, *, failed: bool
) -> tuple[datetime, Message]:
    due = now - _between(rng, timedelta(minutes=3), HISTORY)
    was_scheduled = rng.random() < 0.15
    if was_scheduled:
        due = _to_minute(due)
        created = due - _between(rng, timedelta(minutes=10), timedelta(days=2))
    else:
        created = due
    message.scheduled_datetime = due
    message.status = "failed" if failed else "sent"
    message.error = rng.choice(PHONE_ERRORS) if failed else None
    # The phone's report overwrites `datetime` a few seconds after the message was due.
    message.datetime = due + timedelta(seconds=rng.uniform(2, 40))
    return created, message
