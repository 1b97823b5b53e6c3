"""The base of every request body: an unknown field is an error, not silently dropped."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class StrictModel(BaseModel):
    """A body that refuses fields it does not know (a typo must not pass unnoticed)."""

    model_config = ConfigDict(extra="forbid")
