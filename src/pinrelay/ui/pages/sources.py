"""Sources: create one, copy its write key (shown once), the snippet to paste in a site, and
rotate the key (the old one stops at once)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import ValidationError

from pinrelay.admin import sources as api
from pinrelay.admin.models import SourceCreate
from pinrelay.ui.nav import NavItem
from pinrelay.ui.web import FormDep, SessionDep, field, redirect, render, store_of

router = APIRouter()
NAV = NavItem("/sources", "Sources")
COLLECT_URL_PLACEHOLDER = "https://pinrelay.example.com"


def collect_url(request: Request) -> str:
    """Where senders post events; the gateway sets it, else a placeholder to edit."""
    url = getattr(request.app.state, "collect_url", None)
    return url if isinstance(url, str) and url else COLLECT_URL_PLACEHOLDER


@router.get("/sources")
async def list_sources(request: Request, session: SessionDep) -> Response:
    store = store_of(request)
    rows = [
        {"source": s, "integrations": store.list_integrations(s.id)} for s in store.list_sources()
    ]
    return render(request, "sources.html", session, rows=rows, errors={}, name="", country="US")


@router.post("/sources")
async def create_source(request: Request, session: SessionDep, form: FormDep) -> Response:
    store = store_of(request)
    name, country = field(form, "name"), field(form, "default_country").upper() or "US"
    try:
        body = SourceCreate(name=name, default_country=country)
    except ValidationError as exc:
        rows = [
            {"source": s, "integrations": store.list_integrations(s.id)}
            for s in store.list_sources()
        ]
        errors = {
            str(e["loc"][-1]): str(e["msg"]).removeprefix("Value error, ") for e in exc.errors()
        }
        if "name" in errors:
            errors["name"] = "Give the source a name (1 to 200 characters), e.g. Website."
        return render(
            request,
            "sources.html",
            session,
            rows=rows,
            errors=errors,
            name=name,
            country=country,
        )
    created = await api.create_source(body, store, session.actor)
    session.reveal[created.id] = created.write_key
    return redirect(f"/sources/{created.id}", session, f"Source {created.name} created.")


@router.post("/sources/{source_id}/rotate-key")
async def rotate_key(
    request: Request, source_id: str, session: SessionDep, form: FormDep
) -> Response:
    store = store_of(request)
    if store.get_source(source_id) is None:
        return render(request, "not_found.html", session, status_code=404, what="source")
    rotated = await api.rotate_write_key(source_id, store, session.actor)
    session.reveal[source_id] = rotated.write_key
    return redirect(
        f"/sources/{source_id}",
        session,
        "New write key created: the old one no longer works. Update your site and servers.",
    )


@router.get("/sources/{source_id}")
async def show_source(request: Request, source_id: str, session: SessionDep) -> Response:
    store = store_of(request)
    source = store.get_source(source_id)
    if source is None:
        return render(request, "not_found.html", session, status_code=404, what="source")
    write_key = session.reveal.pop(source_id, None)
    return render(
        request,
        "source.html",
        session,
        source=source,
        write_key=write_key,
        collect_url=collect_url(request),
        integrations=store.list_integrations(source_id),
    )
