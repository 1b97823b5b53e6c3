"""A tiny shop (home, product, checkout) served as HTML, each page with the pinrelay snippet."""

from __future__ import annotations

import html
from importlib.resources import files

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Route

from pinrelay.collect.static import snippet

PAGES = {"/": "home.html", "/product": "product.html", "/checkout": "checkout.html"}
_LAYOUT = "layout.html"


def _template(name: str) -> str:
    return files("pinrelay.demoshop").joinpath("pages", name).read_text(encoding="utf-8")


def render(page: str, *, collect_url: str, write_key: str) -> str:
    """A page in the layout; the snippet (write key and collect URL) goes into <head>."""
    return (
        _template(_LAYOUT)
        .replace("{{snippet}}", snippet(collect_url, write_key))
        .replace("{{content}}", _template(PAGES[page]))
        .replace("{{collect_url}}", html.escape(collect_url))
    )


def create_shop_app(*, collect_url: str, write_key: str) -> Starlette:
    rendered = {path: render(path, collect_url=collect_url, write_key=write_key) for path in PAGES}

    async def page(request: Request) -> HTMLResponse:
        return HTMLResponse(rendered[request.url.path], headers={"cache-control": "no-store"})

    return Starlette(routes=[Route(path, page, methods=["GET"]) for path in PAGES])
