"""The integration settings beyond token and account, as form fields of the integration page.

Read from the form into the `settings` dict that `IntegrationSettings` (the model the admin
API checks too) then checks, so the page refuses exactly what the API refuses, with the same
message.
"""

from __future__ import annotations

from typing import Any

from starlette.datastructures import FormData

from pinrelay.pipeline.presets import preset_names
from pinrelay.services.models.integrations import IntegrationSettings

MARKER = "advanced"  # present only in the edit form, which shows these fields
CHECKBOXES = ("presets", "opt_out_from_device", "anonymous_id_as_external_id")
CHOICES = ("consent_denied", "ldp", "ldp_hash_case", "app_fields")


def choices(name: str) -> list[str]:
    """The allowed values of a Literal setting, from the model itself."""
    annotation = IntegrationSettings.model_fields[name].annotation
    return [str(value) for value in getattr(annotation, "__args__", ())]


def descriptions() -> dict[str, str]:
    return {name: info.description or "" for name, info in IntegrationSettings.model_fields.items()}


def read_advanced(form: FormData, settings: dict[str, Any]) -> dict[str, Any]:
    """`settings` with the advanced fields of the form applied (when the form has them)."""
    if form.get(MARKER) != "1":
        return settings
    updated = dict(settings)
    for name in CHECKBOXES:
        updated[name] = form.get(name) == "on"
    for name in CHOICES:
        value = form.get(name)
        if isinstance(value, str):
            updated[name] = value  # the model refuses a value that is not a choice
    partner = form.get("partner_name")
    updated["partner_name"] = partner.strip() or None if isinstance(partner, str) else None
    updated["disabled_presets"] = [
        name for name in sorted(preset_names()) if form.get(f"preset:{name}") != "on"
    ]
    return updated


def template_context() -> dict[str, Any]:
    return {
        "preset_list": sorted(preset_names()),
        "setting_choices": {name: choices(name) for name in CHOICES},
        "setting_help": descriptions(),
    }
