"""Delivery log and dead letters: outbox entries by status, and every HTTP attempt with a hint.

Replay: no replay API exists on this branch (the dead-letter/replay issue adds it). The
template has a `replay` block per dead entry and per integration, rendered only when
REPLAY_PATH is set; wiring it is one route here calling the replay store method.
"""

from __future__ import annotations

from typing import get_args

from fastapi import APIRouter, Request
from fastapi.responses import Response

from pinrelay.admin import testing
from pinrelay.store.records import OutboxStatus
from pinrelay.ui.nav import NavItem
from pinrelay.ui.web import SessionDep, render, store_of

router = APIRouter()
NAV = NavItem("/deliveries", "Deliveries")
PAGE = 100
STATUSES: tuple[str, ...] = get_args(OutboxStatus)
REPLAY_PATH: str | None = None  # hook: e.g. "/deliveries/{integration_id}/replay"


@router.get("/deliveries")
async def deliveries(
    request: Request,
    session: SessionDep,
    integration_id: str | None = None,
    status: str | None = None,
) -> Response:
    store = store_of(request)
    integrations = store.list_integrations()
    chosen = store.get_integration(integration_id) if integration_id else None
    if chosen is None and integrations:
        chosen = integrations[0]
    wanted: OutboxStatus | None = None
    for known in get_args(OutboxStatus):
        if status == known:
            wanted = known
    entries, attempts, counts = [], [], {}
    if chosen is not None:
        entries = await store.list_outbox(chosen.id, status=wanted, limit=PAGE, before=None)
        attempts = await store.list_attempts(chosen.id, limit=PAGE)
        counts = await store.outbox_counts(chosen.id)
    return render(
        request,
        "deliveries.html",
        session,
        integrations=integrations,
        chosen=chosen,
        status=wanted,
        statuses=STATUSES,
        entries=entries,
        attempts=attempts,
        counts=counts,
        hint_for=testing.hint_for,
        replay_path=REPLAY_PATH,
    )
