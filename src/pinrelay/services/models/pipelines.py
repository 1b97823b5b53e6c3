"""Bodies of an integration's own pipelines: YAML in, versions out."""

from __future__ import annotations

from pydantic import BaseModel, Field

from pinrelay.services.models.strict import StrictModel


class PipelineIn(StrictModel):
    yaml: str = Field(
        min_length=1,
        max_length=200_000,
        description="One pipeline in the YAML format of docs/reference/pipelines.md.",
    )


class PipelineUpdate(PipelineIn):
    version: int | None = Field(
        None,
        ge=1,
        description="The version this edit started from: if the pipeline has moved on since, "
        "the update fails with 409 instead of overwriting someone else's change.",
    )


class PipelineOut(BaseModel):
    integration_id: str
    name: str
    version: int
    yaml: str
    created_at: float
    updated_at: float


class PipelineVersionOut(BaseModel):
    version: int
    yaml: str | None = Field(description="null: the version that deleted the pipeline.")
    created_at: float
