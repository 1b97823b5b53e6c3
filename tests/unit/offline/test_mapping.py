"""Mapping files: what a column means, with errors that name the line to fix."""

from __future__ import annotations

import pytest

from pinrelay.errors import ImportFileError
from pinrelay.offline.mapping import BUILT_IN, load_mapping, parse_mapping
from pinrelay.offline.spec import ImportSpec

MAPPING = """\
name: crm-leads
event: Lead Generated
event_id: Lead ID
time: Created
timezone: America/New_York
fields:
  context.traits.email: [Work Email, Email]
  properties.value: Deal Value
defaults:
  properties.currency: USD
"""


def test_a_mapping_file_is_read_with_columns_matched_case_insensitively() -> None:
    mapping = parse_mapping(MAPPING)

    assert mapping.event == "Lead Generated"
    assert mapping.event_id == "lead id"
    assert mapping.time == "created"
    assert mapping.fields == (
        ("context.traits.email", ("work email", "email")),
        ("properties.value", ("deal value",)),
    )
    assert mapping.defaults == (("properties.currency", "USD"),)


@pytest.mark.parametrize("name", BUILT_IN)
def test_every_built_in_mapping_loads(name: str) -> None:
    assert load_mapping(name).name == name


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("time: t\nfields:\n  email: Email\n", "mapping line 3: fields: 'email' is not a Segment"),
        ("time: t\ncolour: blue\n", "mapping line 2: unknown key 'colour'"),
        ("time: t\ntime: u\n", "mapping line 2: 'time' is given twice"),
        ("time: t\nfields:\n  properties.action_source: Channel\n", "always offline"),
        ("event: Lead\n", "time: name the column"),
        ("time: t\nproducts:\n  colour: C\n", "mapping line 3: products: 'colour'"),
        ("time: [t\n", "mapping line 2: not YAML"),
    ],
)
def test_mistakes_name_the_line_and_what_to_write(text: str, message: str) -> None:
    with pytest.raises(ImportFileError) as raised:
        parse_mapping(text)

    assert message in str(raised.value)


def test_flags_override_the_mapping() -> None:
    spec = ImportSpec(
        mapping_text="generic",
        event="Lead Generated",
        event_id_column="Lead",
        timezone="Europe/Paris",
        columns={"context.traits.email": "Mail"},
    )

    mapping = spec.mapping()

    assert mapping.event == "Lead Generated"
    assert mapping.event_id == "lead"
    assert ("context.traits.email", ("mail",)) in mapping.fields
    assert ("context.traits.email", ("email",)) not in mapping.fields


def test_a_flag_column_must_name_a_segment_field_too() -> None:
    with pytest.raises(ImportFileError, match=r"properties\. or context\.traits\."):
        ImportSpec(columns={"em": "Mail"}).mapping()


def test_an_unknown_time_zone_is_refused_before_any_row_is_read() -> None:
    with pytest.raises(ImportFileError, match="IANA"):
        ImportSpec(timezone="Mars/Olympus").mapping()
