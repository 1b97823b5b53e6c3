"""Sources: create one, copy its write key (shown once), the snippet to paste in a site, and
rotate the key (the old one stops at once)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import ValidationError

from pinrelay.services import sources as service
from pinrelay.services.context import context_of
from pinrelay.services.models.sources import (
    CONSENT_REQUIRED_HELP,
    COOKIE_DOMAIN_HELP,
    ORIGINS_HELP,
    TAG_DEDUP_HELP,
    SourceCreate,
    SourcePatch,
)
from pinrelay.store.records import Source
from pinrelay.ui.nav import NavItem
from pinrelay.ui.sessions import Session
from pinrelay.ui.snippets import analytics_next_snippet, pinrelay_snippet, rudderstack_snippet
from pinrelay.ui.web import FormDep, SessionDep, field, redirect, render, store_of

router = APIRouter()
NAV = NavItem("/sources", "Sources")
COLLECT_URL_PLACEHOLDER = "https://pinrelay.example.com"


def collect_url(request: Request) -> str:
    """Where senders post events: PINRELAY_PUBLIC_COLLECT_URL, else the host this UI is
    reached at with the collect port (never the bind address 0.0.0.0)."""
    context = context_of(request)
    url = context.collect_url
    if url:
        return url.rstrip("/")
    port = context.collect_port
    host = request.url.hostname
    if isinstance(port, int) and host:
        host = f"[{host}]" if ":" in host else host
        return f"{request.url.scheme}://{host}:{port}"
    return COLLECT_URL_PLACEHOLDER


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
    created = await service.create_source(context_of(request), body, actor=session.actor)
    session.reveal[created.id] = created.write_key
    return redirect(f"/sources/{created.id}", session, f"Source {created.name} created.")


@router.post("/sources/{source_id}/rotate-key")
async def rotate_key(
    request: Request, source_id: str, session: SessionDep, form: FormDep
) -> Response:
    store = store_of(request)
    if store.get_source(source_id) is None:
        return render(request, "not_found.html", session, status_code=404, what="source")
    rotated = await service.rotate_write_key(context_of(request), source_id, actor=session.actor)
    session.reveal[source_id] = rotated.write_key
    return redirect(
        f"/sources/{source_id}",
        session,
        "New write key created: the old one no longer works. Update your site and servers.",
    )


def _show(
    request: Request,
    source: Source,
    session: Session,
    *,
    errors: dict[str, str] | None = None,
    values: dict[str, object] | None = None,
) -> Response:
    write_key = session.reveal.pop(source.id, None)
    url = collect_url(request)
    return render(
        request,
        "source.html",
        session,
        source=source,
        write_key=write_key,
        collect_url=url,
        snippets={
            "pinrelay": pinrelay_snippet(url, write_key),
            "analytics": analytics_next_snippet(url, write_key),
            "rudderstack": rudderstack_snippet(url, write_key),
        },
        integrations=store_of(request).list_integrations(source.id),
        errors=errors or {},
        values=values or _values(source),
        help={
            "allowed_origins": ORIGINS_HELP,
            "cookie_domain": COOKIE_DOMAIN_HELP,
            "consent_required": CONSENT_REQUIRED_HELP,
            "tag_dedup": TAG_DEDUP_HELP,
        },
    )


def _values(source: Source) -> dict[str, object]:
    return {
        "name": source.name,
        "default_country": source.default_country,
        "allowed_origins": "\n".join(source.allowed_origins),
        "cookie_domain": source.cookie_domain or "",
        "consent_required": source.consent_required,
        "tag_dedup": source.tag_dedup,
    }


@router.get("/sources/{source_id}")
async def show_source(request: Request, source_id: str, session: SessionDep) -> Response:
    source = store_of(request).get_source(source_id)
    if source is None:
        return render(request, "not_found.html", session, status_code=404, what="source")
    return _show(request, source, session)


@router.post("/sources/{source_id}/settings")
async def update_settings(
    request: Request, source_id: str, session: SessionDep, form: FormDep
) -> Response:
    """Every setting of a source, checked by the admin API's own model (same messages)."""
    store = store_of(request)
    source = store.get_source(source_id)
    if source is None:
        return render(request, "not_found.html", session, status_code=404, what="source")
    origins = [line.strip() for line in field(form, "allowed_origins").splitlines()]
    values: dict[str, object] = {
        "name": field(form, "name"),
        "default_country": field(form, "default_country").upper(),
        "allowed_origins": "\n".join(o for o in origins if o),
        "cookie_domain": field(form, "cookie_domain"),
        "consent_required": form.get("consent_required") == "on",
        "tag_dedup": form.get("tag_dedup") == "on",
    }
    try:
        body = SourcePatch(
            name=str(values["name"]),
            default_country=str(values["default_country"]),
            allowed_origins=[o for o in origins if o],
            cookie_domain=str(values["cookie_domain"]) or None,
            consent_required=bool(values["consent_required"]),
            tag_dedup=bool(values["tag_dedup"]),
        )
    except ValidationError as exc:
        errors = {
            str(e["loc"][0]): str(e["msg"]).removeprefix("Value error, ") for e in exc.errors()
        }
        return _show(request, source, session, errors=errors, values=values)
    await service.update_source(context_of(request), source_id, body, actor=session.actor)
    return redirect(f"/sources/{source_id}", session, "Source settings saved.")
