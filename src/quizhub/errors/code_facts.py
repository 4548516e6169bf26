"""What the registry says of each code besides its name: where it travels (``area``), the
HTTP status it is answered with, its parameters (name → type) and when it happens (``doc``,
for docs/api.md). The codes of each area are in their own module (``codes_front_door``,
``codes_api``, ``codes_fields``, ``codes_jobs``, ``codes_failures``); ``quizhub.errors.codes``
names them all in one enum. Standard library only: the Workers' consumer path reads this too.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = ["Area", "AREAS", "ParamType", "PARAM_TYPES", "Params", "NO_PARAMS", "Facts"]

Area = Literal["front door", "api", "field", "job", "failure"]
AREAS: tuple[Area, ...] = ("front door", "api", "field", "job", "failure")
# The parameter types; a trailing "|null" means the value may be null.
ParamType = Literal[
    "string", "string|null", "integer", "boolean", "string[]", "cause", "cause|null"
]
PARAM_TYPES: tuple[ParamType, ...] = (
    "string",
    "string|null",
    "integer",
    "boolean",
    "string[]",
    "cause",
    "cause|null",
)
Params = dict[str, ParamType]
NO_PARAMS: Params = {}


@dataclass(frozen=True)
class Facts:
    """One code's facts (its wire name is the key it is filed under)."""

    area: Area
    status: int | None
    params: Params
    doc: str
