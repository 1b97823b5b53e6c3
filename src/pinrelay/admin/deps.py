"""What admin routes get from the app: the store and the secret box, as FastAPI dependencies."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from pinrelay.credentials import SecretBox
from pinrelay.errors import ResourceNotFound
from pinrelay.store.base import Store
from pinrelay.store.records import Integration

MAX_PAGE = 1000  # rows one list call returns at most


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
