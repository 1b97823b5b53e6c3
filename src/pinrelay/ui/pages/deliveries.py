"""Delivery log and dead letters: outbox entries by status, every HTTP attempt with a hint,
and dead events with their reason and replay buttons (one, a selection, all of the
integration), through the same replay service as the admin API (same event_id, fresh retry
budget).
"""

from __future__ import annotations

from typing import get_args

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import ValidationError

from pinrelay.services import hints
from pinrelay.services.context import context_of
from pinrelay.services.deadletters import list_dead_letters, replay_dead_letters
from pinrelay.services.models.delivery import ReplayIn
from pinrelay.store.records import DeadFilter, OutboxStatus
from pinrelay.ui.nav import NavItem
from pinrelay.ui.web import FormDep, SessionDep, field, redirect, render, store_of

router = APIRouter()
NAV = NavItem("/deliveries", "Deliveries")
PAGE = 100
STATUSES: tuple[str, ...] = get_args(OutboxStatus)


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
    entries, attempts, counts, dead, oldest = [], [], {}, [], None
    if chosen is not None:
        entries = await store.list_outbox(chosen.id, status=wanted, limit=PAGE, before=None)
        attempts = await store.list_attempts(chosen.id, limit=PAGE)
        counts = await store.outbox_counts(chosen.id)
        selection = DeadFilter(integration_id=chosen.id)
        dead = (
            await list_dead_letters(context_of(request), selection, limit=PAGE, before=None)
        ).entries
        oldest = await store.oldest_pending_created_at(chosen.id)
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
        hint_for=hints.hint_for,
        dead=dead,
        oldest_pending=oldest,
    )


@router.post("/deliveries/replay")
async def replay(request: Request, session: SessionDep, form: FormDep) -> Response:
    """Replay one dead event, the ticked ones, or every dead event of the integration."""
    store = store_of(request)
    integration_id = field(form, "integration_id")
    back = f"/deliveries?integration_id={integration_id}&status=dead"
    if store.get_integration(integration_id) is None:
        return render(request, "not_found.html", session, status_code=404, what="integration")
    if form.get("scope") == "all":
        body = ReplayIn(integration_id=integration_id)
    else:
        one = field(form, "one")  # a row's own Replay button: that row only
        picked = [one] if one else [str(v) for v in form.getlist("seq")]
        if not picked or not all(v.isdigit() for v in picked):
            return redirect(back, session, "Tick at least one dead event to replay.")
        try:
            body = ReplayIn(integration_id=integration_id, seqs=[int(v) for v in picked])
        except ValidationError:
            return redirect(back, session, "Those events cannot be replayed.")
    result = await replay_dead_letters(context_of(request), body, actor=session.actor)
    message = f"{result.replayed} event(s) queued again."
    if result.skipped:
        reasons = "; ".join(sorted({s.reason for s in result.skipped}))
        message += f" {len(result.skipped)} left dead: {reasons}"
    return redirect(back, session, message)
