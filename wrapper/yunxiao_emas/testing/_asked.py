"""What a handler answers from: one admitted request, its checked arguments, and the world.

The gateway, the faults and the parameter rules are shared by every operation
(:meth:`EmulatedService.handle_api`); what is left to an operation's handler is an
:class:`Asked`: who was admitted, the arguments by the clients' names (``pipeline_run_id``,
``organization_id`` always among them, also at a region-edition path), the state and the file
host to answer from.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import attrs

from ._messages import Refusal

if TYPE_CHECKING:
    from ._exchange import ApiRequest, Context
    from ._file_host import FileHost
    from ._state import Identity, State

__all__ = ["REGION_BAD_REQUEST", "Asked", "region_organization"]

REGION_BAD_REQUEST = "BadRequest"
"""The token API's code for a request it cannot serve as sent (its error-code centre)."""


@attrs.frozen
class Asked:
    """One admitted API request, as its operation's handler answers it."""

    state: State
    file_host: FileHost
    identity: Identity
    arguments: Mapping[str, Any]
    request: ApiRequest
    context: Context


def region_organization(state: State) -> str:
    """The organization a region-edition request acts on: the configured
    ``region_organization_id``, else the only organization; else a 400 refusal saying why."""
    if state.region_organization_id is not None:
        return state.region_organization_id
    known = sorted(state.organizations)
    if len(known) == 1:
        return known[0]
    problem = "has no organization" if not known else f"has {len(known)} organizations"
    message = (
        f"A region-edition path names no organization and the emulator {problem}: "
        "set region_organization_id."
    )
    raise Refusal(400, REGION_BAD_REQUEST, message, detail=message)
