"""Running pipelines: matching, field values, identity merge, typed fields and clean output."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pinrelay.errors import PipelineError
from pinrelay.pipeline import EventInput, PipelineSet, load_pipeline_text, load_presets

from .conftest import sha


def pipeline(body: str, *, name: str = "p", trigger: str = "event: track") -> str:
    return f"name: {name}\ntrigger:\n  {trigger}\ntransform:\n{body}"


def evaluate(*texts: str, message: dict[str, Any], **inputs: Any) -> list[Any]:
    definitions = [d for text in texts for d in load_pipeline_text(text)]
    return PipelineSet(definitions).evaluate(EventInput(message, **inputs))


def only_event(text: str, message: dict[str, Any], **inputs: Any) -> tuple[Any, tuple[str, ...]]:
    [output] = evaluate(text, message=message, **inputs)
    return output.event, output.notes


TRACK = {"type": "track", "event": "Thing Happened", "messageId": "m-1"}


def test_first_non_null_source_wins_and_default_fills_a_gap() -> None:
    text = pipeline(
        "  custom_data:\n"
        "    - {source: [properties.revenue, properties.total, properties.value], target: value}\n"
        "    - {source: properties.currency, target: currency, default: USD}\n"
    )
    message = {**TRACK, "properties": {"revenue": None, "total": 12.5, "value": 99}}
    assert only_event(text, message)[0] == {"custom_data": {"value": "12.5", "currency": "USD"}}


def test_a_failing_transform_drops_the_field_with_a_note_then_the_default_applies() -> None:
    text = pipeline(
        "  mapping:\n"
        "    - {source: timestamp, target: event_time, transform: unix_seconds}\n"
        "  custom_data:\n"
        "    - {source: properties.currency, target: currency, transform: uppercase,"
        " default: USD}\n"
    )
    event, notes = only_event(text, {**TRACK, "timestamp": "soon", "properties": {"currency": 7}})
    assert event == {"custom_data": {"currency": "USD"}}
    assert notes == (
        "event_time: unix_seconds: the text is not an ISO-8601 date-time; field dropped",
        "custom_data.currency: uppercase: cannot read a number as text; field dropped",
    )


def test_allowed_values() -> None:
    text = pipeline(
        "  mapping:\n"
        "    - source: properties.action_source\n"
        "      target: action_source\n"
        "      allowed: [web, app_ios]\n"
        "      default: web\n"
    )
    assert only_event(text, {**TRACK, "properties": {"action_source": "app_ios"}})[0] == {
        "action_source": "app_ios"
    }
    event, notes = only_event(text, {**TRACK, "properties": {"action_source": "website"}})
    assert event == {"action_source": "web"}
    assert notes == ("action_source: the value is not one of the allowed values; field dropped",)


def test_each_builds_one_object_per_item_and_skips_empty_items() -> None:
    text = pipeline(
        "  custom_data:\n"
        "    - source: properties.products[]\n"
        "      target: contents\n"
        "      each:\n"
        "        - {source: [product_id, sku], target: id, transform: to_string}\n"
        "        - {source: price, target: item_price, transform: decimal_string}\n"
        "        - {source: quantity, target: quantity, transform: to_int, default: 1}\n"
    )
    products = [
        {"product_id": 7, "price": 9.5, "quantity": "2"},
        {"sku": "S-1", "price": "bad"},
    ]
    event, notes = only_event(text, {**TRACK, "properties": {"products": products}})
    assert event == {
        "custom_data": {
            "contents": [
                {"id": "7", "item_price": "9.5", "quantity": 2},
                {"id": "S-1", "quantity": 1},
            ]
        }
    }
    assert notes == (
        "custom_data.contents[].item_price: decimal_string: cannot read text as a number;"
        " field dropped",
    )
    # `products[]` reads only an array: anything else is simply missing
    assert only_event(text, {**TRACK, "properties": {"products": "none"}}) == ({}, ())
    plain_source = text.replace("properties.products[]", "properties.products")
    assert only_event(plain_source, {**TRACK, "properties": {"products": "none"}}) == (
        {},
        ("custom_data.contents: each: the source is not a list; field dropped",),
    )


def test_typed_fields_are_shaped_whatever_the_mapping_gave() -> None:
    text = pipeline(
        "  dedup:\n    - {source: properties.n, target: event_id}\n"
        "  custom_data:\n"
        "    - {source: properties.n, target: value}\n"
        "    - {source: properties.s, target: num_items}\n"
        "    - {source: properties.n, target: order_id}\n"
        "    - {source: properties.s, target: content_ids}\n"
        "    - {source: properties.bad, target: predicted_ltv}\n"
    )
    message = {**TRACK, "properties": {"n": 42, "s": "3", "bad": "lots"}}
    event, notes = only_event(text, message)
    assert event == {
        "event_id": "42",
        "custom_data": {"value": "42", "num_items": 3, "order_id": "42", "content_ids": ["3"]},
    }
    assert notes == ("custom_data.predicted_ltv: cannot read text as a number; field dropped",)


def test_empty_values_are_dropped_but_zero_and_false_stay() -> None:
    text = pipeline(
        "  static:\n"
        "    - {target: opt_out, value: false}\n"
        "    - {target: event_source_url, value: ''}\n"
        "    - {target: app_info, value: {app_name: '', window_width: 0}}\n"
        "    - {target: device_info, value: {languages: []}}\n"
        "    - {target: user_data.click_id, value: ''}\n"
    )
    assert only_event(text, TRACK)[0] == {"opt_out": False, "app_info": {"window_width": 0}}


def test_match_keys_of_the_message_and_stored_ones_are_merged_into_user_data() -> None:
    text = pipeline(
        "  user_data:\n"
        "    - {source: traits.email, target: user_data.em, transform: normalised_sha256}\n"
    )
    message = {
        **TRACK,
        "userId": "u-1",
        "traits": {"email": "own@example.com"},
        "context": {"traits": {"email": "second@example.com", "phone": "+1 650 555 1212"}},
    }
    stored = {
        "em": [sha("stored@example.com").upper(), sha("own@example.com")],
        "hashed_maids": [sha("maid")],
        "click_id": ["not merged: not a hashed key"],
        "ph": ["raw phone is ignored"],
    }
    event, _ = only_event(text, message, identity_keys=stored)
    assert event == {
        "user_data": {
            "em": [sha("own@example.com"), sha("second@example.com"), sha("stored@example.com")],
            "ph": [sha("16505551212")],
            "external_id": [sha("u-1")],
            "hashed_maids": [sha("maid")],
        }
    }


def test_identity_none_opts_out_of_the_merge() -> None:
    text = "identity: none\n" + pipeline("  static:\n    - {target: event_name, value: lead}\n")
    message = {**TRACK, "userId": "u-1", "traits": {"email": "a@example.com"}}
    event, _ = only_event(text, message, identity_keys={"em": [sha("x")]})
    assert event == {"event_name": "lead"}


def test_raw_values_in_hashed_keys_are_hashed_even_without_the_transform() -> None:
    text = "identity: none\n" + pipeline(
        "  user_data:\n"
        "    - {source: traits.email, target: user_data.em}\n"
        "    - {source: traits.gender, target: user_data.ge}\n"
    )
    event, notes = only_event(text, {**TRACK, "traits": {"email": "A@x.io", "gender": "other"}})
    assert event == {"user_data": {"em": [sha("a@x.io")]}}
    assert notes == (
        "user_data.em: a raw value was normalised and hashed",
        "user_data.ge: a value cannot be normalised as ge; dropped",
    )


def test_identity_enrichment_falls_back_to_the_stored_keys() -> None:
    text = pipeline(
        "  enrichments:\n"
        "    - {type: identity, source: user_id, target: user_data.external_id,"
        " transform: normalised_sha256}\n"
    )
    stored = {"external_id": [sha("known-user")]}
    assert only_event(text, TRACK, identity_keys=stored)[0] == {
        "user_data": {"external_id": [sha("known-user")]}
    }


def test_click_id_enrichment_with_its_own_parameter_and_cookie() -> None:
    text = pipeline(
        "  enrichments:\n"
        "    - {type: click_id, param: clk, cookies: [_clk, _epik], target: user_data.click_id}\n"
    )
    message = {**TRACK, "context": {"page": {"url": "https://x.example/?clk=URL"}}}
    assert only_event(text, message)[0] == {"user_data": {"click_id": "URL"}}
    assert only_event(text, TRACK, cookies={"_epik": "E"})[0] == {"user_data": {"click_id": "E"}}


def test_one_event_may_feed_several_pipelines_with_the_same_event_id() -> None:
    body = (
        "  static:\n    - {{target: event_name, value: {name}}}\n"
        "  dedup:\n    - {{source: messageId, target: event_id}}\n"
    )
    first = pipeline(body.format(name="checkout"), name="a")
    second = pipeline(body.format(name="custom"), name="b")
    outputs = evaluate(first, second, message=TRACK)
    assert [(o.pipeline, o.event) for o in outputs] == [
        ("a", {"event_name": "checkout", "event_id": "m-1"}),
        ("b", {"event_name": "custom", "event_id": "m-1"}),
    ]


def test_a_fallback_applies_only_when_nothing_else_matched() -> None:
    specific = pipeline(
        "  static:\n    - {target: event_name, value: lead}\n",
        name="lead",
        trigger="event: track\n  conditions:\n    - {field: event, operator: equals, value: lead}",
    )
    fallback = pipeline(
        "  static:\n    - {target: event_name, value: custom}\n",
        name="custom",
        trigger="event: track\n  fallback: true",
    )
    assert [
        o.pipeline for o in evaluate(fallback, specific, message={**TRACK, "event": "Lead"})
    ] == ["lead"]
    assert [o.pipeline for o in evaluate(fallback, specific, message=TRACK)] == ["custom"]
    assert evaluate(fallback, specific, message={**TRACK, "type": "page"}) == []


def test_names_are_unique_and_sets_combine_by_name() -> None:
    a = load_pipeline_text(pipeline("  static:\n    - {target: event_name, value: a}\n", name="a"))
    b = load_pipeline_text(pipeline("  static:\n    - {target: event_name, value: b}\n", name="b"))
    a2 = load_pipeline_text(
        pipeline("  static:\n    - {target: event_name, value: a2}\n", name="a")
    )
    with pytest.raises(PipelineError, match="pipeline name 'a' is already used"):
        PipelineSet([*a, *a2])
    combined = PipelineSet([*a, *b]).overridden_by(
        [*a2, *load_pipeline_text(pipeline("  static: []\n", name="c"))]
    )
    assert combined.names == ("a", "b", "c")
    assert combined.evaluate(EventInput(TRACK))[0].event == {"event_name": "a2"}
    assert combined.without("a", "c").names == ("b",)
    assert len(combined) == 3


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=10),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3)
    ),
    max_leaves=10,
)
SEGMENTISH = st.fixed_dictionaries(
    {"type": st.sampled_from(["track", "page", "screen", "identify"])},
    optional={
        "event": st.sampled_from(["Order Completed", "Product Added", "Products Searched"]) | JSON,
        "messageId": JSON,
        "timestamp": JSON,
        "userId": JSON,
        "traits": JSON,
        "context": st.fixed_dictionaries({}, optional={"page": JSON, "traits": JSON, "ip": JSON}),
        "properties": st.fixed_dictionaries(
            {}, optional={"products": JSON, "revenue": JSON, "currency": JSON, "quantity": JSON}
        )
        | JSON,
    },
)
PRESETS = load_presets()


@settings(max_examples=300, deadline=None)
@given(message=SEGMENTISH, cookies=st.dictionaries(st.text(max_size=6), st.text(max_size=6)))
def test_evaluation_never_raises_on_any_message(
    message: dict[str, Any], cookies: dict[str, str]
) -> None:
    for output in PRESETS.evaluate(EventInput(message, cookies)):
        assert isinstance(output.event, dict)


def test_outputs_never_share_objects_with_the_definition_or_each_other() -> None:
    text = pipeline(
        "  static:\n    - {target: custom_data, value: {value: 5, content_ids: [a]}}\n"
        "  custom_data:\n    - {source: properties.none, target: contents, default: [{id: x}]}\n"
    )
    pipelines = PipelineSet(load_pipeline_text(text))
    first = pipelines.evaluate(EventInput(TRACK))[0].event
    assert type(first["custom_data"]["contents"][0]) is dict  # plain JSON types, not YAML's
    first["custom_data"]["content_ids"].append("changed")
    first["custom_data"]["contents"][0]["id"] = "changed"
    assert pipelines.evaluate(EventInput(TRACK))[0].event == {
        "custom_data": {"value": "5", "content_ids": ["a"], "contents": [{"id": "x"}]}
    }


def test_precomputed_message_keys_give_the_same_events() -> None:
    from pinrelay.identity.matchkeys import match_keys_of

    message = {
        "type": "track",
        "event": "Order Completed",
        "messageId": "m-1",
        "userId": "u-1",
        "timestamp": "2026-11-22T10:00:00Z",
        "context": {
            "ip": "203.0.113.1",
            "userAgent": "Mozilla/5.0",
            "traits": {"email": "A@Example.com", "phone": "+1 650 555 1212"},
        },
        "properties": {"revenue": 10, "products": [{"product_id": "p", "price": 5}]},
    }
    presets = load_presets()
    computed = presets.evaluate(EventInput(message=message))
    given = presets.evaluate(EventInput(message=message, message_keys=match_keys_of(message)))
    assert [o.event for o in given] == [o.event for o in computed]
    assert computed[0].event["user_data"]["em"]
