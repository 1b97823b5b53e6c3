"""The settings browser SDKs fetch before they send: Segment's CDN settings, RudderStack's
sourceConfig.

A site that already runs analytics.js (@segment/analytics-next) or RudderStack's JS SDK points
it at pinrelay by changing one URL (`cdnURL`, `configUrl`); the SDK then asks pinrelay, not
Segment's or RudderStack's servers, what to do. Both answers are public by design (the write
key is in the page), so they hold no secret, and they switch off everything that would call a
third party: no device-mode destinations, no remote plugins, no metrics or error reports.
"""

from __future__ import annotations

from typing import Any

from pinrelay.store.records import Source

SEGMENT_INTEGRATION = "Segment.io"  # the name analytics.js gives its own delivery plugin


def segment_cdn_settings(write_key: str, collect_host: str, scheme: str) -> dict[str, Any]:
    """What analytics.js reads from `<cdnURL>/v1/projects/<writeKey>/settings`.

    `apiHost` makes it post to pinrelay's `/v1/t`, `/v1/p`, ... (and `/v1/b` when the site
    turns batching on); `metrics.sampleRate: 0` stops its usage pings to Segment.
    """
    return {
        "integrations": {
            SEGMENT_INTEGRATION: {
                "apiKey": write_key,
                "apiHost": f"{collect_host}/v1",
                "protocol": scheme,
                "unbundledIntegrations": [],
                "addBundledMetadata": False,
            }
        },
        "plan": {"track": {"__default": {"enabled": True}}},
        "metrics": {"sampleRate": 0},
        "middlewareSettings": {},
        "enabledMiddleware": {},
        "legacyVideoPluginsEnabled": False,
        "remotePlugins": [],
        "edgeFunction": {},
        "analyticsNextEnabled": True,
    }


def rudderstack_source_config(source: Source, write_key: str) -> dict[str, Any]:
    """What RudderStack's JS SDK reads from `<configUrl>/sourceConfig` (v3 shape).

    No destinations: the SDK sends every event to its data plane URL, pinrelay, which maps
    them server side. Error and metrics reporting stay off (they would go to RudderStack).
    """
    return {
        "isHosted": False,
        "source": {
            "id": source.id,
            "name": source.name,
            "writeKey": write_key,
            "workspaceId": "pinrelay",
            "enabled": True,
            "config": {
                "statsCollection": {
                    "errors": {"enabled": False},
                    "metrics": {"enabled": False},
                }
            },
            "destinations": [],
        },
    }
