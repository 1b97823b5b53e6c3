"""The admin port answers errors of ours as JSON on the API and as a page in the UI.

Before issue 16 a store's NotFound (a row deleted between the route's check and its write)
was caught nowhere and became a bare 500; now it is a 404 in the API's error format.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from cryptography.fernet import Fernet

from pinrelay.adminsite import build_admin_site
from pinrelay.credentials import SecretBox
from pinrelay.erroranswers import STORE_UNAVAILABLE_MESSAGE
from pinrelay.errors import NotFound, StoreError
from pinrelay.pinterest.client import PinterestClient
from pinrelay.services.context import ServiceContext
from pinrelay.store.records import Source
from pinrelay.store.sqlite.store import SQLiteStore
from pinrelay.ui.sessions import COOKIE_NAME, SessionStore
from tests.support.stores import SOURCE_ID

TOKEN = "admin-token-of-the-error-tests"
BEARER = {"Authorization": f"Bearer {TOKEN}"}


class RacingStore(SQLiteStore):
    """A real store where a source vanishes between the existence check and the rotation
    (another request deleted it), and where deleting fails (the disk)."""

    async def rotate_write_key(
        self, source_id: str, *, write_key_hash: str, write_key_hint: str
    ) -> Source:
        raise NotFound(f"source {source_id} does not exist")

    async def delete_source(self, source_id: str) -> None:
        raise StoreError("the database rejected the write: disk I/O error")


@pytest.fixture
async def admin(tmp_path: Path) -> AsyncIterator[tuple[httpx.AsyncClient, SessionStore]]:
    store = RacingStore(tmp_path / "pinrelay.db")
    await store.open()
    await store.create_source(
        source_id=SOURCE_ID, name="Shop", write_key_hash="h" * 64, write_key_hint="wk_abcd…"
    )
    pinterest = PinterestClient("http://pinterest.invalid/v5")
    context = ServiceContext(
        store=store,
        secrets=SecretBox(Fernet.generate_key()),
        pinterest=pinterest,
        admin_token=TOKEN,
    )
    sessions = SessionStore()
    app = build_admin_site(context, sessions=sessions)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://admin") as client:
        yield client, sessions
    await pinterest.aclose()
    await store.close()


@pytest.mark.anyio
async def test_a_store_not_found_is_a_404_in_the_api_error_format(
    admin: tuple[httpx.AsyncClient, SessionStore],
) -> None:
    client, _ = admin
    response = await client.post(f"/v1/admin/sources/{SOURCE_ID}/rotate-key", headers=BEARER)
    assert response.status_code == 404
    assert response.json() == {
        "error": {"status": 404, "message": f"source {SOURCE_ID} does not exist"}
    }


@pytest.mark.anyio
async def test_a_failed_write_is_a_503_that_names_no_internals(
    admin: tuple[httpx.AsyncClient, SessionStore],
) -> None:
    client, _ = admin
    response = await client.delete(f"/v1/admin/sources/{SOURCE_ID}", headers=BEARER)
    assert response.status_code == 503
    assert response.json() == {"error": {"status": 503, "message": STORE_UNAVAILABLE_MESSAGE}}
    assert response.headers["cache-control"] == "no-store"


@pytest.mark.anyio
async def test_the_same_error_in_the_ui_is_a_page_in_the_sites_frame(
    admin: tuple[httpx.AsyncClient, SessionStore],
) -> None:
    client, sessions = admin
    session = sessions.create("env")
    client.cookies.set(COOKIE_NAME, session.id)
    response = await client.post(
        f"/sources/{SOURCE_ID}/rotate-key", data={"csrf_token": session.csrf_token}
    )
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert f"source {SOURCE_ID} does not exist" in response.text
    assert "Sign out" in response.text  # the menu of a signed-in page
    assert "Content-Security-Policy" in response.headers


@pytest.mark.anyio
async def test_a_missing_token_is_still_a_401_json_answer(
    admin: tuple[httpx.AsyncClient, SessionStore],
) -> None:
    client, _ = admin
    response = await client.get("/v1/admin/sources")
    assert response.status_code == 401
    assert response.json()["error"]["status"] == 401
