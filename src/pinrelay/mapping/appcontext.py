"""App events: `action_source` and the app/device fields from a Segment mobile context.

A message is an app event when its `context.os.name` is iOS/iPadOS or Android and it has a
`context.app` (Segment's iOS and Android SDKs send both). For those, per the integration
setting `app_fields`:

- `objects` (default): `app_info` and `device_info`, the objects added in v5.16.0
  (pinterest-capi.md §2.2, both `additionalProperties: false`);
- `legacy`: the flat `app_name`, `app_version`, `device_brand`, ... fields;
- `off`: neither.

`action_source` becomes `app_ios` / `app_android` unless the message itself names one
(`properties.action_source` / `context.action_source`). Fields a pipeline already set are
kept. `user_data.hashed_maids` holds only the event's own device's advertising id (none when
it limits ad tracking), never an id the identity store knows from another device. Texts are
cut to Pinterest's maximum lengths; values with no sure Segment equivalent
(`app_store`, `install_time`, `screen_density`, cellular generation) are left out rather
than guessed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pinrelay.identity.hashing import normalise_and_hash

OS_FAMILIES = {"ios": "ios", "ipados": "ios", "android": "android"}
ACTION_SOURCES = {"ios": "app_ios", "android": "app_android"}


def _section(holder: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    value = holder.get(key)
    return value if isinstance(value, Mapping) else {}


def _text(value: Any, limit: int) -> str | None:
    if isinstance(value, str | int | float) and not isinstance(value, bool) and str(value):
        return str(value)[:limit]
    return None


def _whole(value: Any, highest: int) -> int | None:
    if isinstance(value, int | float) and not isinstance(value, bool) and 0 <= value <= highest:
        return int(value)
    return None


def os_family(message: Mapping[str, Any]) -> str | None:
    name = _section(_section(message, "context"), "os").get("name")
    return OS_FAMILIES.get(name.strip().lower()) if isinstance(name, str) else None


def is_app_event(message: Mapping[str, Any]) -> bool:
    return os_family(message) is not None and bool(_section(message, "context").get("app"))


def _app_objects(context: Mapping[str, Any], family: str) -> dict[str, dict[str, Any]]:
    app, device = _section(context, "app"), _section(context, "device")
    os_, screen = _section(context, "os"), _section(context, "screen")
    network = _section(context, "network")
    app_info = {
        "app_name": _text(app.get("name"), 200),
        "app_version": _text(app.get("version"), 100),
        "app_package_name": _text(app.get("namespace"), 200),
        "user_agent": _text(context.get("userAgent"), 16384),
    }
    device_info = {
        "brand": _text(device.get("manufacturer"), 100),
        "model": _text(device.get("model"), 100),
        "type": _text(device.get("type"), 100),
        "carrier": _text(network.get("carrier"), 100),
        "os_name": _text(os_.get("name"), 100),
        "os_version": _text(os_.get("version"), 100),
        "os_family": family,
        "screen_width": _whole(screen.get("width"), 30720),
        "screen_height": _whole(screen.get("height"), 30720),
        "network_type": "wifi" if network.get("wifi") is True else None,
        "locale": _text(context.get("locale"), 35),
        "timezone": _text(context.get("timezone"), 40),
    }
    return {"app_info": app_info, "device_info": device_info}


def _legacy_fields(context: Mapping[str, Any]) -> dict[str, Any]:
    app, device = _section(context, "app"), _section(context, "device")
    network, os_ = _section(context, "network"), _section(context, "os")
    locale = _text(context.get("locale"), 35)
    wifi = network.get("wifi")
    return {
        "app_id": _text(app.get("namespace"), 200),
        "app_name": _text(app.get("name"), 200),
        "app_version": _text(app.get("version"), 100),
        "device_brand": _text(device.get("manufacturer"), 100),
        "device_carrier": _text(network.get("carrier"), 100),
        "device_model": _text(device.get("model"), 100),
        "device_type": _text(device.get("type"), 100),
        "os_version": _text(os_.get("version"), 100),
        "wifi": wifi if isinstance(wifi, bool) else None,
        "language": locale.split("-")[0].lower() if locale else None,
    }


def _own_device_ad_id(event: dict[str, Any], context: Mapping[str, Any]) -> list[str]:
    """An app event carries only its own device's advertising id, and none when that
    device limits ad tracking: the identity store may remember the user's other devices
    (an iPhone's IDFA must not ride on an Android event, pinterest-capi.md §2.4)."""
    user_data = event.get("user_data")
    if not isinstance(user_data, dict) or not user_data.get("hashed_maids"):
        return []
    device = _section(context, "device")
    own = None
    if device.get("adTrackingEnabled") is not False:
        own = normalise_and_hash("hashed_maids", device.get("advertisingId"))
    if own is not None:
        if user_data["hashed_maids"] != [own]:
            user_data["hashed_maids"] = [own]
            return ["user_data.hashed_maids: only this device's advertising id"]
        return []
    del user_data["hashed_maids"]
    return ["user_data.hashed_maids: left out, this device sent no advertising id it may use"]


def apply_app_context(
    event: dict[str, Any], message: Mapping[str, Any], settings: Mapping[str, Any]
) -> list[str]:
    """Fill the app fields of `event` in place for an app event; notes of what was done."""
    family = os_family(message)
    if family is None or not is_app_event(message):
        return []
    notes: list[str] = []
    context = _section(message, "context")
    stated = _section(message, "properties").get("action_source") or context.get("action_source")
    if not stated:
        event["action_source"] = ACTION_SOURCES[family]
        notes.append(f"action_source: {ACTION_SOURCES[family]} from context.os.name")
    notes.extend(_own_device_ad_id(event, context))
    mode = settings.get("app_fields", "objects")
    if mode == "objects":
        for key, values in _app_objects(context, family).items():
            found = {k: v for k, v in values.items() if v is not None}
            if found and key not in event:
                event[key] = found
    elif mode == "legacy":
        for key, value in _legacy_fields(context).items():
            if value is not None and key not in event:
                event[key] = value
    return notes
