"""No raw PII on disk, and none in what goes to Pinterest outside the hashed keys (issue 13,
item 3): PII is planted in every place a Segment SDK, pinrelay.js or a site's own code can put
it, sent through the real server, and every table of the SQLite file (and its raw bytes, WAL
included) and every payload the sandbox received are scanned for it."""

from __future__ import annotations

import json
import sqlite3
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
from segment.analytics import Client

from pinrelay.identity.hashing import sha256_hex
from tests.support.servers import GatewayFactory, GatewayHandle, SandboxHandle

EMAIL = "Zephyrine.Q@Quillmail.test"
PHONE = "+1 415 555 0123"
NATIONAL_PHONE = "(415) 555-0123"
# Lowercase fragments of the planted values, as they could appear in any spelling.
NEEDLES = ("zephyrine", "quillmail", "quillfeather", "5550123", "555-0123", "555 0123", "555%20")
PAGE_URL = (
    "https://shop.example/thanks?order=1001&email=zephyrine.q%40quillmail.test"
    f"&phone={PHONE.replace(' ', '%20')}&utm_source=pinterest#contact=zephyrine.q@quillmail.test"
)
PLANTED_TRAITS = {
    "email": EMAIL,
    "Email": EMAIL.upper(),
    "customer_email": EMAIL,
    "phone": PHONE,
    "phone_number": NATIONAL_PHONE,
    "mobile": "4155550123",
    "firstName": "Zephyrine",
    "lastName": "Quillfeather",
    "name": "Zephyrine Quillfeather",
    "address": {"street": "1 Quill Lane", "city": "San Francisco", "postalCode": "94103"},
    "notes": f"call {PHONE} or mail {EMAIL}.",
    "contacts": [{"workEmail": EMAIL}, f"mailto:{EMAIL}"],
}


def _planted_context() -> dict[str, Any]:
    return {
        "ip": "203.0.113.9",
        "userAgent": "Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0",
        "traits": PLANTED_TRAITS,
        "page": {
            "url": PAGE_URL,
            "search": "?email=zephyrine.q%40quillmail.test&phone=4155550123",
            "referrer": f"https://mail.example/inbox?to={EMAIL}",
            "title": f"Thanks, {EMAIL}",
        },
        "campaign": {"content": EMAIL},
    }


@pytest.fixture
def gateway(start_gateway: GatewayFactory, sandbox: SandboxHandle) -> GatewayHandle:
    return start_gateway(pinterest_api_url=f"{sandbox.url}/v5")


def _send_everywhere(gateway: GatewayHandle, write_key: str) -> None:
    # A Segment server SDK: an email as userId, traits under every name people use.
    client = Client(write_key, host=gateway.collect_url, max_retries=1, sync_mode=True)
    client.identify(EMAIL, PLANTED_TRAITS, context=_planted_context())
    client.track(
        EMAIL,
        "Order Completed",
        {
            "order_id": "1001",
            "revenue": 25.0,
            "currency": "USD",
            "email": EMAIL,
            "Customer Phone": PHONE,
            "billing": {"phone": NATIONAL_PHONE, "email": EMAIL},
            "url": PAGE_URL,
            "query": EMAIL,
        },
        context=_planted_context(),
    )
    client.track(EMAIL, "Products Searched", {"query": EMAIL}, context=_planted_context())
    client.flush()
    # A browser page view (pinrelay.js) with the form's fields in the URL, and a batch from a
    # site's back end with an email as anonymousId.
    page = {
        "type": "page",
        "messageId": str(uuid.uuid4()),
        "properties": {"url": PAGE_URL, "path": "/thanks", "search": "?email=" + EMAIL},
        "context": _planted_context(),
    }
    browser = httpx.post(
        f"{gateway.collect_url}/v1/page",
        auth=(write_key, ""),
        json=page,
        headers={"Origin": "https://shop.example"},
    )
    assert browser.status_code == 200, browser.text
    batch = [
        {"type": "track", "event": "Lead", "anonymousId": EMAIL, "context": _planted_context()},
        {"type": "page", "anonymousId": EMAIL.lower(), "properties": {"url": PAGE_URL}},
    ]
    response = httpx.post(
        f"{gateway.collect_url}/v1/batch", auth=(write_key, ""), json={"batch": batch}
    )
    assert response.status_code == 200, response.text


def _found(text: str) -> list[str]:
    lowered = text.lower()
    return [needle for needle in NEEDLES if needle in lowered]


def test_planted_pii_reaches_neither_the_database_nor_pinterest(
    gateway: GatewayHandle, sandbox: SandboxHandle, tmp_path: Path
) -> None:
    source = gateway.create_source()
    assert (
        gateway.admin(
            "PATCH",
            f"/v1/admin/sources/{source['id']}",
            json={"allowed_origins": ["https://shop.example"]},
        ).status_code
        == 200
    )
    gateway.create_integration(source["id"])
    _send_everywhere(gateway, source["write_key"])

    events = gateway.admin("GET", "/v1/admin/events", params={"limit": 100}).json()
    assert len(events) == 6
    # identify sends nothing; the batch's page view has no identity (no IP, agent or email)
    received = [r["event"] for r in sandbox.wait_for_events(4)]
    assert sorted(e["event_name"] for e in received) == [
        "checkout",
        "custom",
        "page_visit",
        "search",
    ]
    gateway.stop()

    leaks: list[str] = []
    database = sqlite3.connect(tmp_path / "pinrelay.db")
    tables = [
        row[0] for row in database.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
    ]
    for table in tables:
        for row in database.execute(f'SELECT * FROM "{table}"'):  # noqa: S608  # names from the schema
            for value in row:
                text = value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
                leaks += [f"{table}: {needle}" for needle in _found(text)]
    database.close()
    for path in tmp_path.glob("pinrelay.db*"):  # the file, its WAL and free pages, raw
        leaks += [f"{path.name} bytes: {n}" for n in _found(path.read_bytes().decode("latin-1"))]
    for event in received:
        leaks += [f"sandbox {event['event_name']}: {n}" for n in _found(json.dumps(event))]
    assert leaks == []

    # What was hashed is still usable: the email is the em key, the userId the external id,
    # and the page URL keeps its harmless parameters.
    checkout = next(e for e in received if e["event_name"] == "checkout")
    assert sha256_hex(EMAIL.lower()) in checkout["user_data"]["em"]
    assert sha256_hex(EMAIL) in checkout["user_data"]["external_id"]
    assert (
        checkout["event_source_url"]
        == "https://shop.example/thanks?order=1001&utm_source=pinterest"
    )
