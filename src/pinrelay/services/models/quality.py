"""Bodies of match quality: the share of events carrying each match key, and the score."""

from __future__ import annotations

from pydantic import BaseModel, Field


class MatchKeyShare(BaseModel):
    key: str
    events: int = Field(description="Queued events that carried this key.")
    share: float = Field(description="events / all queued events, 0 to 1.")
    weight: int = Field(description="Weight of the key in the score (0: not scored).")
    advice: str | None = Field(None, description="How to send this key more often.")


class MatchQualityOut(BaseModel):
    integration_id: str
    since: float = Field(description="Unix time the counts start from (hour-aligned).")
    events: int = Field(description="Events queued for this integration since then.")
    score: float = Field(description="sum(weight * share) over the keys; 0 to 100.")
    keys: list[MatchKeyShare]
