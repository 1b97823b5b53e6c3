"""Issue 14: the README's Python snippet, run as written against a real gateway, is an order
Pinterest can match (it was accepted but unmatchable: no IP, user agent or email)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.support.servers import GatewayFactory, SandboxHandle

pytestmark = pytest.mark.e2e

README = (Path(__file__).parents[2] / "README.md").read_text()


def test_the_readme_python_snippet_reaches_pinterest(
    start_gateway: GatewayFactory, sandbox: SandboxHandle
) -> None:
    (snippet,) = re.findall(r"```python\n(.*?)```", README, re.DOTALL)
    gateway = start_gateway(pinterest_api_url=f"{sandbox.url}/v5")
    source = gateway.create_source()
    gateway.create_integration(source["id"])
    code = snippet.replace('"wk_..."', repr(source["write_key"])).replace(
        '"https://collect.example.com"', repr(gateway.collect_url)
    )
    exec(compile(code, "README.md", "exec"), {})  # noqa: S102  # the README's own code

    (delivered,) = sandbox.wait_for_events(1)
    assert delivered["event"]["event_name"] == "checkout"
    assert delivered["event"]["custom_data"]["order_id"] == "1001"
    assert delivered["event"]["user_data"]["em"]
    (event,) = gateway.admin("GET", "/v1/admin/events").json()
    assert event["trace"][0]["outcome"] == "queued"  # not "unmatchable"
