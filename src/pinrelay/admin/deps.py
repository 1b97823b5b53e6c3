"""What admin routes get from the app: the store and the secret box, as FastAPI dependencies."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request

from pinrelay.admin.models import ErrorOut
from pinrelay.credentials import SecretBox
from pinrelay.errors import ResourceNotFound
from pinrelay.store.base import Store
from pinrelay.store.records import Integration

MAX_PAGE = 1000  # rows one list call returns at most
MAX_SEQ = 2**62  # the largest row number a cursor can name (SQLite integers are 64-bit)

# Documented on every admin route, so the OpenAPI schema says what clients really get.
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorOut, "description": "The request is wrong; the message says how."},
    401: {"model": ErrorOut, "description": "Missing or invalid admin token."},
    404: {"model": ErrorOut, "description": "No such resource."},
    409: {"model": ErrorOut, "description": "It conflicts with what exists (name, version)."},
    413: {"model": ErrorOut, "description": "The request body is too large."},
    422: {"model": ErrorOut, "description": "A field is invalid; details name each one."},
    429: {
        "model": ErrorOut,
        "description": "Too many failed tokens from this client lately; see Retry-After.",
    },
}


def get_store(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


def get_box(request: Request) -> SecretBox:
    box: SecretBox = request.app.state.secret_box
    return box


StoreDep = Annotated[Store, Depends(get_store)]
BoxDep = Annotated[SecretBox, Depends(get_box)]


def existing_integration(store: Store, integration_id: str) -> Integration:
    integration = store.get_integration(integration_id)
    if integration is None:
        raise ResourceNotFound(f"integration {integration_id!r} does not exist")
    return integration
