"""The base of every resource description model: unknown fields kept, optional fields may be null."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Tolerant(BaseModel):
    model_config = ConfigDict(extra="allow", frozen=True)
