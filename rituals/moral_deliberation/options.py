"""The options of the moral deliberation, checked when the config is read."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator


class Options(BaseModel):
    model_config = ConfigDict(extra="forbid")

    method: Literal["dilemmamethode", "cura"] = Field(
        default="dilemmamethode", description="the conversation method: the 10-step dilemmamethode or 4-step CURA")
    call_days_before: int = Field(default=7, ge=2, le=21, description="days before the session the call for dilemmas goes out")
    prepare_hours_before: int = Field(default=24, ge=1, le=72, description="hours before the session groups and facilitators are set")
    reflection_after_hours: int = Field(default=3, ge=1, le=72, description="hours after the start the reflection prompt is posted")
    group_size_min: int = Field(default=4, ge=2, le=10, description="smallest group")
    group_size_max: int = Field(default=8, ge=3, le=20, description="largest group; larger teams are split")
    separate_leaders_and_reports: bool = Field(default=False, description="leaders never share a group with their team")
    allow_anonymous: bool = Field(default=True, description="let people bring in a dilemma or reflection without their name")
    leader_peers: str | None = Field(
        default=None, min_length=1,
        description="id of another team whose moral deliberation this team's leaders join when, seated apart, they are too few for a table")

    @model_validator(mode="after")
    def _consistent(self) -> Options:
        if self.group_size_max < 2 * self.group_size_min - 1:
            raise ValueError("group_size_max must be at least 2 × group_size_min − 1, so every team splits evenly")
        if self.prepare_hours_before >= self.call_days_before * 24:
            raise ValueError("prepare_hours_before must come after the call (less than call_days_before × 24)")
        if self.leader_peers is not None and not self.separate_leaders_and_reports:
            raise ValueError("leader_peers only applies with separate_leaders_and_reports = true")
        return self

