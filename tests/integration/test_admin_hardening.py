"""Smaller admin hardening of issue 13, item 10: no admin answer is cached, the API
documentation needs no CDN, and an ad account id is ASCII digits everywhere."""

from __future__ import annotations

import httpx
import pytest

from tests.support.servers import GatewayFactory, GatewayHandle


@pytest.fixture
def gateway(start_gateway: GatewayFactory) -> GatewayHandle:
    return start_gateway()


@pytest.mark.parametrize(
    "path", ["/v1/admin/sources", "/v1/admin/integrations", "/v1/admin/nothing-here", "/metrics"]
)
def test_admin_answers_are_never_cached(gateway: GatewayHandle, path: str) -> None:
    response = gateway.admin("GET", path)
    assert response.headers["cache-control"] == "no-store"


def test_a_refused_token_is_not_cached_either(gateway: GatewayHandle) -> None:
    response = httpx.get(f"{gateway.admin_url}/v1/admin/sources")
    assert response.status_code == 401
    assert response.headers["cache-control"] == "no-store"


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_the_api_docs_load_nothing_from_outside(gateway: GatewayHandle, page: str) -> None:
    html = httpx.get(f"{gateway.admin_url}{page}").text
    assert "cdn" not in html.lower()
    assert "<script>" not in html  # no inline script: the CSP allows none
    scripts = [part.split('"')[0] for part in html.split('<script src="')[1:]]
    assert scripts
    for script in scripts:
        assert script.startswith("/apidocs/")
        assert httpx.get(f"{gateway.admin_url}{script}").status_code == 200


@pytest.mark.parametrize("digits", ["\u0665\u0664\u0669", "\uff15\uff14\uff19", "\u09eb\u09ea"])
def test_an_ad_account_id_of_other_scripts_digits_is_refused(
    gateway: GatewayHandle, digits: str
) -> None:
    source = gateway.create_source()
    response = gateway.admin(
        "POST",
        "/v1/admin/integrations",
        json={
            "source_id": source["id"],
            "vendor": "pinterest_ads",
            "name": "Ads",
            "config": {"ad_account_id": digits, "conversion_token": "pina_x"},
        },
    )
    assert response.status_code == 422
    assert "Ad Account ID" in response.json()["error"]["message"]
