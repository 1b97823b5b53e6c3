"""Save or delete an integration's own pipeline from the pipelines page.

Goes through the same pipeline service as the admin API (strict check, versioning, the
per-integration limit), so a refused pipeline comes back with every problem on its line, and
nothing is saved.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import ValidationError

from pinrelay.errors import HTTPError
from pinrelay.services import pipelines as service
from pinrelay.services.context import context_of
from pinrelay.ui.nav import NavItem
from pinrelay.ui.pages.pipelines import page, problem_listing
from pinrelay.ui.web import FormDep, SessionDep, field, redirect, render, store_of

router = APIRouter()
NAV: NavItem | None = None


def _listing(text: str, error: HTTPError) -> list[dict[str, Any]]:
    by_line: dict[int, list[str]] = {}
    details = error.details if isinstance(error.details, list) else []
    for detail in details:
        if isinstance(detail, dict) and isinstance(detail.get("line"), int):
            where = f"{detail['path']}: " if detail.get("path") else ""
            by_line.setdefault(detail["line"], []).append(f"{where}{detail.get('problem')}")
    return problem_listing(text, by_line) if by_line else []


@router.post("/pipelines/save")
async def save_pipeline(request: Request, session: SessionDep, form: FormDep) -> Response:
    store = store_of(request)
    integration_id, text = field(form, "integration_id"), field(form, "yaml")
    if store.get_integration(integration_id) is None:
        return render(request, "not_found.html", session, status_code=404, what="integration")
    name = field(form, "name")
    try:
        await service.save_pipeline(context_of(request), integration_id, text, editing=name)
    except HTTPError as error:
        return page(
            request,
            session,
            integration_id=integration_id,
            save_error=error.message,
            save_listing=_listing(text, error),
            save_yaml=text,
        )
    except ValidationError:
        return page(
            request,
            session,
            integration_id=integration_id,
            save_error="Paste the pipeline's YAML (at most 200,000 characters).",
            save_yaml=text,
        )
    return redirect(
        f"/pipelines?integration_id={integration_id}", session, "Pipeline saved: it applies now."
    )


@router.post("/pipelines/delete")
async def delete_pipeline(request: Request, session: SessionDep, form: FormDep) -> Response:
    integration_id, name = field(form, "integration_id"), field(form, "name")
    try:
        await service.delete_pipeline(context_of(request), integration_id, name)
    except HTTPError as error:
        return redirect(f"/pipelines?integration_id={integration_id}", session, error.message)
    return redirect(
        f"/pipelines?integration_id={integration_id}",
        session,
        f"Pipeline {name} deleted: the presets apply again where it replaced one.",
    )
