"""What admin routes share: the service context as a dependency, paging bounds, error bodies."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends
from pydantic import BaseModel, Field

from pinrelay.services.context import ServiceContext, context_of
from pinrelay.services.paging import MAX_PAGE, MAX_SEQ

__all__ = ["ERROR_RESPONSES", "MAX_PAGE", "MAX_SEQ", "ContextDep", "ErrorOut"]


class ErrorDetail(BaseModel):
    field: str
    problem: str


class ErrorInfo(BaseModel):
    status: int
    message: str = Field(description="What is wrong and how to fix it; never contains a secret.")
    details: list[ErrorDetail] | None = None


class ErrorOut(BaseModel):
    """The body of every error answer of the admin API (pinrelay.erroranswers builds it)."""

    error: ErrorInfo


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

ContextDep = Annotated[ServiceContext, Depends(context_of)]
