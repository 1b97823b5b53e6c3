"""`GET /v1/config?writeKey=...`: what pinrelay.js needs to know about its source.

Public by design (the write key is in the page too), so it holds no secret: no token, no ad
account id. It tells the collector whether to wait for consent, and, when the source's Tag
switch is on, which Tag IDs to load and which Pinterest Tag event each page/track call fires.
The mapping is read from the integration's pipelines, so the Tag fires exactly the events the
server sends, with the same event id (pinterest-capi.md §5.1: same event_id and event_name).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from pinrelay.mapping.registry import presets_for
from pinrelay.pipeline.duplicates import static_event_name
from pinrelay.pipeline.evaluator import PipelineSet
from pinrelay.pipeline.model import Condition, PipelineDefinition
from pinrelay.store.records import Integration, Source

# Conversions API event_name -> the Pinterest Tag's event name, for the events the Tag knows
# (the Tag spells them without underscores; the others exist only server side).
TAG_EVENTS = {
    "page_visit": "pagevisit",
    "view_category": "viewcategory",
    "search": "search",
    "add_to_cart": "addtocart",
    "checkout": "checkout",
    "watch_video": "watchvideo",
    "signup": "signup",
    "lead": "lead",
    "custom": "custom",
}
CONFIG_MAX_AGE = 60  # seconds: a switch flipped in the admin API reaches pages within a minute


def _track_names(definition: PipelineDefinition) -> list[str] | None:
    """The `event` names a pipeline matches, or None if its trigger needs more than a name."""
    names: list[str] = []
    for condition in definition.trigger.conditions:
        if not isinstance(condition, Condition) or condition.field != "event":
            return None  # a group (all:/any:) or another field: not decidable in the page
        if condition.operator == "equals":
            names.append(str(condition.value))
        elif condition.operator == "in" and isinstance(condition.value, list | tuple):
            names.extend(str(v) for v in condition.value)
        else:
            return None
    return names


Pipelines = Callable[[Integration], PipelineSet]


def tag_mapping(
    integrations: Iterable[Integration], pipelines: Pipelines = presets_for
) -> tuple[dict[str, str], str | None]:
    """({"page": tag event, "<track name>": tag event}, tag event of any other track)."""
    events: dict[str, str] = {}
    other: str | None = None
    for integration in integrations:
        for definition in pipelines(integration).definitions:
            tag_event = TAG_EVENTS.get(static_event_name(definition) or "")
            trigger = definition.trigger
            if tag_event is None:
                continue
            if "page" in trigger.event_types and not trigger.conditions:
                events.setdefault("page", tag_event)
            elif "track" in trigger.event_types and trigger.fallback and not trigger.conditions:
                other = other or tag_event
            elif "track" in trigger.event_types:
                for name in _track_names(definition) or ():
                    events.setdefault(name, tag_event)
    return events, other


def public_config(
    source: Source, integrations: Iterable[Integration], pipelines: Pipelines = presets_for
) -> dict[str, Any]:
    tagged = [i for i in integrations if i.enabled and i.settings.get("tag_id")]
    tag = None
    if source.tag_dedup and tagged:
        events, other = tag_mapping(tagged, pipelines)
        tag = {
            "ids": sorted({str(i.settings["tag_id"]) for i in tagged}),
            "events": events,
            "other": other,
            # the Tag fires only where every integration's consent categories are granted
            "categories": sorted({c for i in tagged for c in i.consent_categories}),
        }
    return {"success": True, "consent_required": source.consent_required, "tag": tag}
