"""The service context: what both HTTP apps act through, with no secret in its repr."""

from __future__ import annotations

import pytest

from pinrelay.adminsite import is_api_path
from pinrelay.services.context import ServiceContext
from tests.unit.services.conftest import ADMIN_TOKEN


@pytest.mark.anyio
async def test_the_admin_token_is_never_in_the_contexts_repr(context: ServiceContext) -> None:
    assert ADMIN_TOKEN not in repr(context)


@pytest.mark.anyio
async def test_a_process_without_imports_or_registry_has_none(context: ServiceContext) -> None:
    assert (context.imports, context.pipelines, context.alerts) == (None, None, None)
    assert context.roles == ("collect", "deliver", "admin")


@pytest.mark.parametrize(
    ("path", "api"),
    [
        ("/v1/admin/sources", True),
        ("/metrics", True),
        ("/openapi.json", True),
        ("/sources/src_1", False),
        ("/", False),
        ("/v1x", False),
    ],
)
def test_api_paths_answer_json_and_pages_html(path: str, api: bool) -> None:
    assert is_api_path(path) is api
