"""The path parameters of the sweep routes, declared once for the controller's and the analysis's routers
(the analysis is served by the query function, which must not import the controller's routes)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path

from ..core.ids import ID_PATTERN, MAX_ID_LENGTH

__all__ = ["AgentIdPath", "SweepIdPath"]

SweepIdPath = Annotated[
    str, Path(min_length=1, max_length=MAX_ID_LENGTH, pattern=ID_PATTERN, description="The sweep's id.")
]
AgentIdPath = Annotated[
    str, Path(min_length=1, max_length=MAX_ID_LENGTH, pattern=ID_PATTERN, description="The agent's id.")
]
