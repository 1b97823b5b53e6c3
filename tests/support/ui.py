"""A signed-in browser-like client of the management UI (cookies, CSRF tokens from pages)."""

from __future__ import annotations

import re
from typing import Any

import httpx

from tests.support.servers import ADMIN_TOKEN

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_of(html: str) -> str:
    found = CSRF.search(html)
    assert found, "the page has no CSRF field"
    return found.group(1)


class UIClient:
    """Speaks to the UI over real HTTP the way a browser does: forms, cookies, redirects."""

    def __init__(self, admin_url: str) -> None:
        self.http = httpx.Client(base_url=admin_url, follow_redirects=False, timeout=15)

    def close(self) -> None:
        self.http.close()

    def login(self, token: str = ADMIN_TOKEN) -> httpx.Response:
        return self.http.post("/login", data={"token": token, "next": "/"})

    def get(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.http.get(path, **kwargs)

    def csrf(self, page: str = "/sources") -> str:
        response = self.http.get(page)
        assert response.status_code == 200, response.text
        return csrf_of(response.text)

    def post_form(
        self, path: str, data: dict[str, str], *, from_page: str = "/sources"
    ) -> httpx.Response:
        """Post a form with the CSRF token of the page it sits on."""
        return self.http.post(path, data={"csrf_token": self.csrf(from_page), **data})
