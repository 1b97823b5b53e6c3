"""The identity store's rules: union, linking, batches, bots, click freshness, bounds."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from pinrelay.collect.identities import (
    MAX_REMEMBERED_VALUES,
    BatchIdentities,
    Resolution,
    resolve_identity,
)
from pinrelay.identity.hashing import sha256_hex
from pinrelay.store.records import StoredIdentity

BROWSER = "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) Safari/605.1.15"


class FakeStore:
    def __init__(self, **known: StoredIdentity) -> None:
        self.known = {tuple(k.split(":", 1)): v for k, v in known.items()}

    def identity(self, source_id: str, kind: str, subject: str) -> StoredIdentity:
        return self.known.get((kind, subject), StoredIdentity())


def _resolve(
    store: FakeStore, message: dict[str, Any], pending: BatchIdentities | None = None, **kw: Any
) -> Resolution:
    return resolve_identity(
        store,
        "src",
        message,
        event_time=kw.get("event_time", 100.0),
        request_ip=kw.get("request_ip"),
        header_agent=kw.get("header_agent"),
        cookies=kw.get("cookies", {}),
        own_proxies=(),
        pending={} if pending is None else pending,
    )


def test_an_event_with_traits_updates_and_links_user_and_device() -> None:
    store = FakeStore(**{"anonymous:a1": StoredIdentity({"em": ["e" * 64]}, "EPIK", 50.0)})
    message = {"type": "track", "userId": "u1", "anonymousId": "a1",
               "context": {"traits": {"phone": "+1 650 555 1212"}}}  # fmt: skip
    resolution = _resolve(store, message)
    expected = {"em": ["e" * 64], "external_id": [sha256_hex("u1")],
                "ph": [sha256_hex("16505551212")]}  # fmt: skip
    assert resolution.keys == expected
    assert resolution.click_id == "EPIK"
    assert {(u.kind, u.subject) for u in resolution.updates} == {
        ("user", "u1"),
        ("anonymous", "a1"),
    }
    assert all(u.match_keys == expected and u.click_id == "EPIK" for u in resolution.updates)


def test_nothing_new_writes_nothing() -> None:
    known = StoredIdentity({"external_id": [sha256_hex("u1")]})
    resolution = _resolve(FakeStore(**{"user:u1": known}), {"type": "track", "userId": "u1"})
    assert resolution.updates == ()


def test_later_events_of_a_batch_see_earlier_updates() -> None:
    store, pending = FakeStore(), BatchIdentities()
    _resolve(store, {"anonymousId": "a1", "traits": {"email": "x@example.com"}}, pending)
    later = _resolve(store, {"anonymousId": "a1"}, pending)
    assert later.keys == {"em": [sha256_hex("x@example.com")]}


def test_bots_are_marked_and_remember_nothing() -> None:
    message = {"anonymousId": "a1", "traits": {"email": "x@example.com"},
               "context": {"userAgent": "Mozilla/5.0 (compatible; Googlebot/2.1)"}}  # fmt: skip
    resolution = _resolve(FakeStore(), message)
    assert resolution.visitor.bot is not None
    assert resolution.updates == ()


def test_a_fresh_landing_replaces_the_remembered_click_id() -> None:
    store = FakeStore(**{"anonymous:a1": StoredIdentity({}, "OLD", 50.0)})
    message = {"anonymousId": "a1", "context": {"page": {"url": "https://s.example/?epik=NEW"}}}
    resolution = _resolve(store, message, event_time=60.0)
    assert resolution.click_id == "NEW"
    assert [(u.click_id, u.click_id_at) for u in resolution.updates] == [("NEW", 60.0)]


def test_remembered_values_per_key_are_bounded_newest_kept() -> None:
    many = [f"{n:064x}" for n in range(MAX_REMEMBERED_VALUES)]
    store = FakeStore(**{"anonymous:a1": StoredIdentity({"em": many})})
    resolution = _resolve(store, {"anonymousId": "a1", "traits": {"email": "new@example.com"}})
    (update,) = resolution.updates
    assert update.match_keys["em"] == [*many[1:], sha256_hex("new@example.com")]


def test_the_browsers_header_and_address_stand_in_for_missing_context() -> None:
    message: dict[str, Any] = {
        "anonymousId": "a1",
        "context": {"library": {"name": "analytics.js"}},
    }
    resolution = _resolve(FakeStore(), message, request_ip="198.51.100.4", header_agent=BROWSER)
    assert message["context"]["ip"] == "198.51.100.4"
    assert message["context"]["userAgent"] == BROWSER
    assert (resolution.visitor.ip, resolution.visitor.user_agent) == ("198.51.100.4", BROWSER)


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=12), children, max_size=3)
    ),
    max_leaves=8,
)
PLACES = st.fixed_dictionaries(
    {},
    optional={
        "ip": JSON,
        "userAgent": JSON,
        "library": JSON,
        "page": st.fixed_dictionaries({}, optional={"url": JSON, "search": JSON}),
        "device": st.fixed_dictionaries(
            {}, optional={"advertisingId": JSON, "adTrackingEnabled": JSON}
        ),
        "traits": st.dictionaries(
            st.sampled_from(["email", "phone", "name", "birthday", "address"]), JSON
        ),
        "campaign": JSON,
    },
)


@settings(max_examples=300, deadline=None)
@given(
    context=PLACES,
    traits=JSON,
    user_id=st.none() | st.text(max_size=10),
    header=st.none() | st.text(max_size=40),
    cookies=st.dictionaries(st.sampled_from(["_epik", "_pin_unauth", "x"]), st.text(max_size=20)),
)
def test_resolution_never_raises_on_any_message_shape(
    context: dict[str, Any], traits: Any, user_id: str | None, header: str | None,
    cookies: dict[str, str],
) -> None:  # fmt: skip
    message = {"type": "track", "anonymousId": "a1", "userId": user_id, "context": context,
               "traits": traits}  # fmt: skip
    resolution = _resolve(FakeStore(), message, header_agent=header, cookies=cookies,
                          request_ip="198.51.100.1")  # fmt: skip
    for values in resolution.keys.values():
        assert all(len(value) == 64 for value in values)
