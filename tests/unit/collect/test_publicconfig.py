"""The public config pinrelay.js reads: the Tag mapping comes from the integration's pipelines."""

from __future__ import annotations

import json
from dataclasses import replace

from pinrelay.collect.publicconfig import TAG_EVENTS, public_config, tag_mapping
from pinrelay.store.records import Integration, Source

SOURCE = Source("src_1", "Web", "wk_ab", 0.0, allowed_origins=("https://s.example",))
INTEGRATION = Integration(
    id="int_1",
    source_id="src_1",
    vendor="pinterest_ads",
    name="Pinterest",
    enabled=True,
    ad_account_id="549764982399",
    conversion_token_enc=b"ciphertext",
    conversion_token_hint="abcd",
    test_mode=False,
    consent_categories=("advertising",),
    settings={"custom_events": True, "tag_id": "2612345678901"},
    paused_reason=None,
    created_at=0.0,
    updated_at=0.0,
)


def test_segment_events_map_to_the_tag_names_of_their_preset() -> None:
    events, other = tag_mapping([INTEGRATION])
    assert events["page"] == "pagevisit"
    assert events["Order Completed"] == "checkout"
    assert events["Product Added"] == "addtocart"
    assert other == "custom"
    assert set(events.values()) <= set(TAG_EVENTS.values())


def test_without_custom_events_other_tracks_fire_no_tag() -> None:
    integration = replace(INTEGRATION, settings={"custom_events": False, "tag_id": "261234567"})
    assert tag_mapping([integration])[1] is None


def test_the_tag_needs_the_source_switch_and_an_enabled_integration_with_a_tag_id() -> None:
    assert public_config(SOURCE, [INTEGRATION])["tag"] is None
    switched = replace(SOURCE, tag_dedup=True)
    assert public_config(switched, [INTEGRATION])["tag"]["ids"] == ["2612345678901"]
    assert public_config(switched, [replace(INTEGRATION, enabled=False)])["tag"] is None
    assert public_config(switched, [replace(INTEGRATION, settings={})])["tag"] is None


def test_the_config_holds_no_secret() -> None:
    text = json.dumps(public_config(replace(SOURCE, tag_dedup=True), [INTEGRATION]))
    for secret in ("549764982399", "ciphertext", "abcd", "wk_"):
        assert secret not in text
