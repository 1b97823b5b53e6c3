"""Hypothesis strategies for the generated-code specifications: Segment-like messages with the
wrong types senders really send, and pipeline definitions the loader could give."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from pinrelay.pipeline.model import (
    NO_DEFAULT,
    ClickIdEnrichment,
    FieldMapping,
    IdentityEnrichment,
    PipelineDefinition,
    StaticValue,
    Trigger,
)
from pinrelay.pipeline.transforms import TRANSFORMS

HEX = "A" * 64
NAMES = (
    "context", "page", "url", "ip", "userAgent", "user_agent", "properties", "products",
    "price", "quantity", "id", "product_id", "sku", "revenue", "value", "currency",
    "timestamp", "messageId", "message_id", "userId", "user_id", "traits", "email", "name",
    "action_source", "actionSource", "order_id", "search", "campaign", "epik", "total",
)  # fmt: skip
TEXTS = (
    "", " ", "12.5", " 72.39 ", "1e400", "-0", "abc", "EUR", "€", "$", "web", " WEB ", "app_ios",
    "2026-01-01T00:00:00Z", "2026-01-01", "1700000000", "Jane@Example.com", "+1 650 555 0100",
    HEX, "https://shop.example/p?epik=E-1", "?epik=E-2", "true",
)  # fmt: skip

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**33), 10**33),
    st.sampled_from([0, 1, 2, 1.5, 72.39, -1.0, 1e40, 1e-40, 1_700_000_000_000]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(TEXTS),
    st.text(max_size=4),
)
junk = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(NAMES), inner),
    max_leaves=6,
)


def _maybe(key: str, values: st.SearchStrategy[Any]) -> st.SearchStrategy[dict[str, Any]]:
    return st.one_of(st.just({}), values.map(lambda value: {key: value}))


def _bag(fields: dict[str, st.SearchStrategy[Any]]) -> st.SearchStrategy[Any]:
    """A dict with some of `fields` (each good or junk), or junk instead of the dict."""
    parts = [_maybe(key, st.one_of(values, junk)) for key, values in fields.items()]
    merged = st.tuples(*parts).map(lambda dicts: {k: v for d in dicts for k, v in d.items()})
    return st.one_of(merged, merged, merged, junk)


texts = st.sampled_from(TEXTS)
numbers = st.sampled_from([72.39, 30.5, 2, "12.5", 0, -3, 1.25])
product = _bag(
    {"product_id": texts, "id": numbers, "sku": texts, "price": numbers, "quantity": numbers}
    | {"name": texts, "category": texts, "brand": texts}
)
messages = st.tuples(
    _bag(
        {
            "type": st.sampled_from(["track", "page", "screen", "identify"]),
            "event": st.sampled_from(["Order Completed", "Product Viewed", "Signed Up"]),
            "messageId": texts, "message_id": texts, "userId": texts, "user_id": texts,
            "timestamp": st.sampled_from(["2026-01-01T00:00:00Z", 1_700_000_000, "soon"]),
            "context": _bag(
                {
                    "ip": texts, "userAgent": texts, "user_agent": texts,
                    "page": _bag({"url": texts, "search": texts}),
                    "campaign": _bag({"epik": texts}), "action_source": texts,
                    "traits": _bag({"email": texts, "phone": texts, "name": texts}),
                }
            ),
            "properties": _bag(
                {
                    "revenue": numbers, "total": numbers, "value": numbers, "currency": texts,
                    "order_id": numbers, "action_source": texts, "query": texts,
                    "products": st.one_of(st.lists(product, max_size=3), product),
                }
            ),
            "traits": _bag({"email": texts, "phone": texts}),
        }
    ),
).map(lambda one: one[0] if isinstance(one[0], dict) else {"junk": one[0]})  # fmt: skip

name_paths = st.lists(st.sampled_from(NAMES), min_size=1, max_size=3).map(".".join)
paths = st.one_of(
    name_paths,
    name_paths,
    name_paths,
    st.tuples(name_paths, st.sampled_from(["[0]", "[]", "[1]"]), name_paths).map(
        lambda t: f"{t[0]}{t[1]}.{t[2]}"
    ),
    name_paths.map(lambda p: f"{p}[]"),
)
TARGETS = (
    "event_time", "event_id", "event_source_url", "action_source", "partner_name", "opt_out",
    "custom_data.value", "custom_data.currency", "custom_data.content_ids", "custom_data.num_items",
    "custom_data.order_id", "custom_data.predicted_ltv", "custom_data.contents",
    "custom_data.content_name", "user_data.em", "user_data.external_id", "user_data.ph",
    "user_data.client_ip_address", "user_data.client_user_agent", "user_data.click_id",
    "custom_data", "user_data", "event_time.x", "custom_data.value.x", "custom_data.contents.x",
)  # fmt: skip
targets = st.one_of(*[st.sampled_from(TARGETS[:20])] * 4, st.sampled_from(TARGETS))
ITEM_TARGETS = ("id", "item_price", "quantity", "item_name", "item_category", "id.x", "a.b")
defaults = st.one_of(
    *[st.just(NO_DEFAULT)] * 3,
    st.sampled_from(["web", "", "USD", 5, 1.5, None, True, "12.5", [], ["a"], {"k": "v"}]),
)


@st.composite
def field_mappings(draw: st.DrawFn, *, target: str | None = None, depth: int = 0) -> Any:
    target = target or draw(targets)
    names = tuple(draw(st.lists(st.sampled_from(sorted(TRANSFORMS)), max_size=3)))
    sources = tuple(draw(st.lists(paths, min_size=0 if names else 1, max_size=3)))
    each = None
    if (depth < 2 and draw(st.integers(0, 5)) == 0) or target == "custom_data.contents":
        each = tuple(
            draw(field_mappings(target=draw(st.sampled_from(ITEM_TARGETS)), depth=depth + 1))
            for _ in range(draw(st.integers(1, 3)))
        )
    return FieldMapping(
        target=target,
        sources=sources,
        transforms=names,
        field=tuple(draw(st.lists(paths, max_size=2))),
        default=draw(defaults),
        item_default=draw(st.sampled_from([NO_DEFAULT, 1, None, "x"])),
        allowed=draw(st.one_of(st.none(), st.just(("web", "app_ios", 5, None)))),
        each=each,
        values={"web": "app_ios", "5": 7, "x": None} if "map" in names else None,
        template="{value}-{context.ip}{{x}}" if "template" in names else None,
    )


@st.composite
def definitions(draw: st.DrawFn) -> PipelineDefinition:
    sections = {
        section: tuple(draw(st.lists(field_mappings(), max_size=3)))
        for section in draw(st.lists(st.sampled_from(["mapping", "context", "custom_data"])))
    }
    statics = tuple(
        StaticValue(draw(targets), draw(st.one_of(scalars, junk)))
        for _ in range(draw(st.integers(0, 2)))
    )
    enrichments: list[Any] = []
    if draw(st.booleans()):
        enrichments.append(ClickIdEnrichment(draw(st.sampled_from(TARGETS[-6:-2]))))
    if draw(st.booleans()):
        target = draw(st.sampled_from(["user_data.external_id", "user_data.em", "event_id"]))
        enrichments.append(IdentityEnrichment(draw(field_mappings(target=target))))
    return PipelineDefinition(
        name=draw(st.sampled_from(["p", "a'b\"{0}\n"])),
        trigger=Trigger(("track",)),
        static=statics,
        sections=sections,
        enrichments=tuple(enrichments),
        identity=draw(st.sampled_from(["merge", "none"])),
    )


inputs = st.fixed_dictionaries(
    {
        "cookies": st.one_of(st.just({}), st.just({"_epik": " C-1 "}), st.just({"_epik": ""})),
        "identity_keys": st.one_of(
            st.just({}), st.just({"external_id": [HEX, "raw"], "em": ["b" * 64], "xx": [HEX]})
        ),
        "stored_click_id": st.sampled_from([None, "S-1", ""]),
        "message_keys": st.one_of(st.none(), st.just({"em": ["c" * 64]}), st.just({"em": [""]})),
    }
)
