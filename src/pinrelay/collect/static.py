"""`GET /pinrelay.js`: the built collector, cacheable and versioned.

The file is built from collector/ (npm, terser) and committed into this package, so serving
it needs no npm. Its version is a hash of its bytes: `?v=<version>` URLs are immutable and
cached for a year; the bare URL is cached 5 minutes and revalidated with its ETag.
"""

from __future__ import annotations

import gzip
import hashlib
from functools import lru_cache
from importlib.resources import files

from starlette.requests import Request
from starlette.responses import Response

COLLECTOR_FILE = "pinrelay.js"
SHORT_CACHE = "public, max-age=300"
IMMUTABLE_CACHE = "public, max-age=31536000, immutable"


class Collector:
    """The built pinrelay.js, its gzip form and its version."""

    def __init__(self, code: bytes) -> None:
        self.code = code
        self.gzipped = gzip.compress(code, compresslevel=9, mtime=0)
        self.version = hashlib.sha256(code).hexdigest()[:12]
        self.etag = f'"{self.version}"'

    def url(self, collect_url: str) -> str:
        return f"{collect_url.rstrip('/')}/pinrelay.js?v={self.version}"

    async def endpoint(self, request: Request) -> Response:
        versioned = request.query_params.get("v") == self.version
        headers = {
            "etag": self.etag,
            "cache-control": IMMUTABLE_CACHE if versioned else SHORT_CACHE,
            "vary": "Accept-Encoding",
        }
        if request.headers.get("if-none-match") == self.etag:
            return Response(status_code=304, headers=headers)
        body = self.code
        if "gzip" in request.headers.get("accept-encoding", ""):
            body = self.gzipped
            headers["content-encoding"] = "gzip"
        return Response(body, headers=headers, media_type="text/javascript; charset=utf-8")


@lru_cache(maxsize=1)
def collector() -> Collector:
    return Collector(files("pinrelay.collect").joinpath("static", COLLECTOR_FILE).read_bytes())


def snippet(collect_url: str, write_key: str) -> str:
    """The HTML to paste in a page's <head>: queues calls until pinrelay.js has loaded."""
    src = collector().url(collect_url)
    return (
        "<script>\n"
        "!function(w,d,u,k){var p=w.pinrelay=w.pinrelay||{q:[]};if(p.loaded)return;p.u=u;p.k=k;\n"
        '["page","track","identify","consent","reset"].forEach(function(m){p[m]=p[m]||function()'
        "{p.q.push([m,[].slice.call(arguments)])}});\n"
        'var s=d.createElement("script");s.async=1;s.src="' + src + '";d.head.appendChild(s)'
        f'}}(window,document,"{collect_url.rstrip("/")}","{write_key}");\n'
        "pinrelay.page();\n"
        "</script>"
    )
