"""The snippets the Sources page hands out, ready to paste, with the collect host filled in.

Built here rather than in a template so the browser tests run the very code a user copies
(tests/browser/test_sdk_browsers.py loads these calls into real SDKs in Chromium).
"""

from __future__ import annotations

import json

from pinrelay.collect.static import snippet as pinrelay_js_snippet

WRITE_KEY_PLACEHOLDER = "YOUR_WRITE_KEY"


def analytics_next_load(collect_url: str, write_key: str) -> str:
    """analytics.js's load call: its settings come from pinrelay (`cdnURL`), not Segment.

    pinrelay answers `<cdnURL>/v1/projects/<writeKey>/settings` with `apiHost` pointing at
    itself, so events go to `/v1/t`, `/v1/p`, ... as text/plain, like they would to Segment.
    """
    options = {"writeKey": write_key, "cdnURL": collect_url}
    return f"AnalyticsBrowser.load({json.dumps(options)})"


def analytics_next_snippet(collect_url: str, write_key: str | None) -> str:
    key = write_key or WRITE_KEY_PLACEHOLDER
    return (
        "// npm install @segment/analytics-next\n"
        'import { AnalyticsBrowser } from "@segment/analytics-next";\n'
        f"export const analytics = {analytics_next_load(collect_url, key)};\n"
        "analytics.page();\n"
    )


def rudderstack_load(collect_url: str, write_key: str) -> str:
    """RudderStack's JS SDK (v3) load call: data plane and source config both at pinrelay."""
    options = {"configUrl": collect_url}
    return f"load({json.dumps(write_key)}, {json.dumps(collect_url)}, {json.dumps(options)})"


def rudderstack_snippet(collect_url: str, write_key: str | None) -> str:
    key = write_key or WRITE_KEY_PLACEHOLDER
    return (
        "// npm install @rudderstack/analytics-js\n"
        'import { RudderAnalytics } from "@rudderstack/analytics-js";\n'
        "export const rudderanalytics = new RudderAnalytics();\n"
        f"rudderanalytics.{rudderstack_load(collect_url, key)};\n"
        "rudderanalytics.page();\n"
    )


def pinrelay_snippet(collect_url: str, write_key: str | None) -> str:
    """The pinrelay.js snippet (the Pinterest Tag's replacement), for a page's <head>."""
    key = write_key or WRITE_KEY_PLACEHOLDER
    return pinrelay_js_snippet(collect_url, key)
