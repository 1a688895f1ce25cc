"""Routes and parameter rules, read from openapi.yaml (``yunxiao_emas.cli.spec.operations()``).

A request is routed by its method and its raw path, split into segments while still
percent-encoded: an encoded ``/`` (``%2F``) stays inside its parameter, and a path whose
segments do not line up with a template reaches no operation. An operation of the token API
is also reached at its region-edition path (``x-region-edition-path``: the same path without
``/organizations/{organizationId}``). The parameters of the routed operation, in the path and in
the query, are then decoded and checked by their
:class:`~yunxiao_emas.cli.spec.SpecParameter` rules, so the emulator cannot drift from the
contract.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any, Literal
from urllib.parse import parse_qsl, unquote

import attrs

from ..cli.spec import SpecOperation, SpecParameter, operations

__all__ = ["ParameterError", "Route", "api_of", "arguments", "check_int", "check_text", "route"]


@attrs.frozen
class Route:
    """A request matched to an operation, with its path parameters as sent (still encoded);
    ``region``: reached at the operation's region-edition path, which names no organization."""

    operation: SpecOperation
    raw_path_params: Mapping[str, str]
    region: bool = False


REGION_PATH = "x-region-edition-path"


@functools.cache
def _templates() -> tuple[tuple[SpecOperation, tuple[str, ...], bool], ...]:
    found = []
    for op in operations().values():
        found.append((op, tuple(op.path.split("/")), False))
        region = op.extensions.get(REGION_PATH)
        if isinstance(region, str):
            found.append((op, tuple(region.split("/")), True))
    return tuple(found)


def _matches(template: tuple[str, ...], segments: list[str]) -> dict[str, str] | None:
    if len(template) != len(segments):
        return None
    params: dict[str, str] = {}
    for expected, actual in zip(template, segments, strict=True):
        if expected.startswith("{"):
            params[expected.strip("{}")] = actual
        elif expected != actual:
            return None
    return params


def route(method: str, raw_path: str) -> Route | None:
    """The operation that ``method`` and ``raw_path`` (still percent-encoded) reach, if any.

    When two templates match, the one with more literal segments wins: ``runs/latestPipelineRun``
    is GetLatestPipelineRun, not GetPipelineRun with a run id of ``latestPipelineRun``.
    """
    segments = raw_path.split("/")
    best: Route | None = None
    best_literals = -1
    for operation, template, region in _templates():
        if operation.method != method:
            continue
        params = _matches(template, segments)
        if params is None:
            continue
        literals = len(template) - len(params)
        if literals > best_literals:
            best, best_literals = Route(operation, params, region), literals
    return best


def api_of(raw_path: str) -> SpecOperation:
    """The operation whose API answers a request that :func:`route` reached nowhere.

    The one whose path shares the longest literal beginning with ``raw_path`` (so a wrong method
    on the token API's path, or a path under ``/oapi/``, is refused in the token API's body);
    on a tie the first of openapi.yaml, the signed API, whose gateway answers everything else.
    """
    segments = raw_path.split("/")

    def shared(template: tuple[str, ...]) -> int:
        count = 0
        for expected, actual in zip(template, segments, strict=False):
            if expected != actual and not expected.startswith("{"):
                break
            count += 1
        return count

    best, best_count = _templates()[0][0], -1
    for operation, template, _ in _templates():
        count = shared(template)
        if count > best_count:
            best, best_count = operation, count
    return best


class ParameterError(ValueError):
    """A parameter of the request is missing, repeated, or breaks its rule."""

    def __init__(self, name: str, problem: Literal["missing", "repeated", "invalid"]) -> None:
        super().__init__(f"The parameter {name} is {problem}.")
        self.name = name
        self.problem = problem


def _value(parameter: SpecParameter, raw: str | None) -> int | str | None:
    if raw is None:
        if not parameter.required:
            return None
        raise ParameterError(parameter.name, "missing")
    value = parameter.parse(raw)
    if value is None:
        raise ParameterError(parameter.name, "invalid")
    return value


def arguments(matched: Route, query_string: str) -> dict[str, Any]:
    """The arguments of a request by the clients' names (``pipeline_run_id``), each checked by
    its rule (or :class:`ParameterError`); an optional one not sent is None.

    Path parameters are decoded from their segment; a query parameter must appear exactly once
    (a repeated one is ambiguous: servers differ on which value wins). Query parameters the
    operation does not declare are ignored, as the services do. At a region-edition path the
    organization is not in the path: it is left out here, for the caller to decide.
    """
    query: dict[str, list[str]] = {}
    for name, value in parse_qsl(query_string, keep_blank_values=True):
        query.setdefault(name, []).append(value)
    # Any: each value has its parameter's type, which the rule checked.
    values: dict[str, Any] = {}
    for parameter in matched.operation.parameters:
        if parameter.location == "path":
            if matched.region and parameter.name not in matched.raw_path_params:
                continue
            raw = matched.raw_path_params.get(parameter.name)
            values[parameter.python_name] = _value(parameter, None if raw is None else unquote(raw))
            continue
        given = query.get(parameter.name, [])
        if len(given) > 1:
            raise ParameterError(parameter.name, "repeated")
        values[parameter.python_name] = _value(parameter, given[0] if given else None)
    return values


# --- the same rules for what tests register -------------------------------------------------


def _rule(name: str) -> SpecParameter:
    # Both operations take the same ids with the same rules (test_emulator_layout pins it).
    for operation in operations().values():
        for parameter in operation.parameters:
            if parameter.name == name:
                return parameter
    raise KeyError(name)


def check_int(name: str, value: object) -> int:
    """``value`` when it is an int that parameter ``name`` accepts, else ``ValueError``."""
    rule = _rule(name)
    if isinstance(value, bool) or not isinstance(value, int) or rule.parse(str(value)) is None:
        raise ValueError(f"{name} must be an int in {rule.minimum}..{rule.maximum}, got {value!r}")
    return value


def check_text(name: str, value: object) -> str:
    """``value`` when it is a str that parameter ``name`` accepts, else ``ValueError``."""
    rule = _rule(name)
    if not isinstance(value, str) or rule.parse(value) is None:
        raise ValueError(
            f"{name} must be a str of {rule.min_length}..{rule.max_length} characters, "
            f"got {value!r}"
        )
    return value
