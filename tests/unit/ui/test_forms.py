"""Form helpers: safe redirects after sign-in, consent lists, field errors, the dry run."""

from __future__ import annotations

import json
from importlib.resources import files

import pytest
from pydantic import ValidationError

from pinrelay.services.models.integrations import IntegrationCreate
from pinrelay.ui.pages.integrations import consent_list, errors_of
from pinrelay.ui.pages.pipelines import EXAMPLE_EVENT, check_yaml, dry_run
from pinrelay.ui.web import safe_next


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/events?type=track", "/events?type=track"),
        (None, "/"),
        ("", "/"),
        ("//evil.example/x", "/"),
        ("https://evil.example/", "/"),
        ("/\\evil.example", "/"),
    ],
)
def test_sign_in_returns_only_to_a_path_of_this_site(target: str | None, expected: str) -> None:
    assert safe_next(target) == expected


def test_consent_categories_are_comma_or_line_separated() -> None:
    assert consent_list(" advertising, analytics\nfunctional ,, ") == [
        "advertising",
        "analytics",
        "functional",
    ]
    assert consent_list("") == []


def test_field_errors_are_named_by_the_form_field_with_the_apis_message() -> None:
    with pytest.raises(ValidationError) as caught:
        IntegrationCreate(
            source_id="src_1",
            name="P",
            config={"ad_account_id": "26-1", "conversion_token": "t"},
        )
    errors = errors_of(caught.value)
    assert set(errors) == {"ad_account_id"}
    assert errors["ad_account_id"].startswith("must be the numeric Pinterest Ad Account ID")
    assert "Tag ID" in errors["ad_account_id"]


def test_dry_run_of_an_order_gives_a_valid_checkout() -> None:
    result = dry_run(json.dumps(EXAMPLE_EVENT))
    (checkout,) = result["results"]
    assert checkout["pipeline"] == "checkout"
    assert checkout["event"]["event_name"] == "checkout"
    assert checkout["problems"] == []
    email = checkout["event"]["user_data"]["em"][0]
    assert len(email) == 64  # hashed, never the raw address
    assert "jane@example.com" not in json.dumps(result)


def test_dry_run_says_why_nothing_would_be_sent() -> None:
    assert "not valid JSON" in dry_run("{")["error"]
    assert "JSON object" in dry_run("[]")["error"]
    assert "No pipeline matched" in dry_run('{"type": "alias"}')["error"]
    no_identity = dry_run(json.dumps({"type": "track", "event": "Order Completed"}))
    (result,) = no_identity["results"]
    assert any(p.startswith("user_data") for p in result["problems"])


def test_a_pasted_pipeline_with_problems_shows_them_on_their_lines() -> None:
    text = "name: mine\ntrigger:\n  event: track\ntransform:\n  mapping:\n" + (
        "    - source: event\n      target: event_name\n      transform: unix_second\n"
    )
    pipelines, listing = check_yaml(text)
    assert pipelines is None
    bad = [line for line in listing if line["problems"]]
    assert bad, "some line carries a problem"
    assert any("unix_seconds" in p for line in bad for p in line["problems"])
    assert [line["number"] for line in listing] == list(range(1, 9))


def test_a_valid_pasted_pipeline_replaces_the_preset_of_the_same_name() -> None:
    preset = (files("pinrelay.pipeline") / "presets" / "checkout.yaml").read_text()
    mine = preset.replace("value: checkout", "value: lead", 1)
    pipelines, listing = check_yaml(mine)
    assert listing == []
    assert pipelines is not None
    result = dry_run(json.dumps(EXAMPLE_EVENT), pipelines)
    (only,) = result["results"]
    assert only["event"]["event_name"] == "lead"
