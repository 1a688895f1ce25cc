"""The EMAS rule: where, in a pipeline run's answer, a job reports the EMAS artifact it built.

**This is an assumption.** No public source names the keys under which an EMAS build job of a
Yunxiao run reports its ``emasJobInstanceId`` and the artifact's ``md5``. The rule below looks
for the names the API itself uses for those parameters, wherever a job can carry data, and
nothing else; everything it finds can be given by hand instead, and a value given by hand
always wins. It is written once, as data (:data:`EMAS_RULE`), so that it can be read,
documented and changed in one place.

The rule: in a job's ``params`` and ``result`` (JSON strings, parsed) and in its actions'
``params`` and ``data`` (objects or JSON strings), at any depth (JSON strings inside are parsed
too), an object that has a non-empty string (or a positive integer) under a key equal,
case-insensitively, to one of :attr:`EmasRule.md5_keys`, and one under one of
:attr:`EmasRule.job_instance_keys`, is an EMAS artifact of that job. A service connection id
(an integer, or a string of digits) under one of :attr:`EmasRule.service_connection_keys` of the
same object, or of another match of the same artifact in the job, is taken with it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping
from typing import NamedTuple, TypeVar

__all__ = ["EMAS_RULE", "EmasRule", "Found", "find", "keys_of"]


class EmasRule(NamedTuple):
    """Where and under which keys a job reports its EMAS artifact (keys compared in lower case).

    Attributes:
        job_fields: the job's own fields to search (JSON strings are parsed).
        action_fields: the fields of each of the job's ``actions`` to search.
        md5_keys: the names of the artifact's md5.
        job_instance_keys: the names of the EMAS job instance id.
        service_connection_keys: the names of the service connection id beside them.
        max_depth: how deep into nested objects and lists (and JSON strings in them) to look.
    """

    job_fields: tuple[str, ...]
    action_fields: tuple[str, ...]
    md5_keys: frozenset[str]
    job_instance_keys: frozenset[str]
    service_connection_keys: frozenset[str]
    max_depth: int


EMAS_RULE = EmasRule(
    job_fields=("params", "result"),
    action_fields=("params", "data"),
    md5_keys=frozenset({"md5"}),
    job_instance_keys=frozenset({"emasjobinstanceid", "emas_job_instance_id"}),
    service_connection_keys=frozenset({"serviceconnectionid", "service_connection_id"}),
    max_depth=8,
)
"""The rule in use (see the module's documentation: an assumption, stated in the README)."""

_MAX_SAFE_INTEGER = 9007199254740991
T = TypeVar("T")


class Found(NamedTuple):
    """One EMAS artifact a job reports: its job instance id, md5, and the service connection
    id beside them (None when none is)."""

    emas_job_instance_id: str
    md5: str
    service_connection_id: int | None


def _parsed(value: object) -> object:
    """A JSON string's value (objects and lists only), else the value itself."""
    if isinstance(value, str) and value.lstrip()[:1] in {"{", "["}:
        try:
            return json.loads(value)
        except (ValueError, RecursionError):
            return value
    return value


def _identifier(value: object) -> str | None:
    if type(value) is str and value.strip() and value.isprintable():
        return value
    if type(value) is int and 0 < value <= _MAX_SAFE_INTEGER:
        return str(value)
    return None


def _connection_id(value: object) -> int | None:
    if type(value) is str and value.isascii() and value.isdigit() and len(value) <= 16:
        value = int(value)
    if type(value) is int and 0 < value <= _MAX_SAFE_INTEGER:
        return value
    return None


def _first(
    obj: Mapping[object, object], keys: frozenset[str], read: Callable[[object], T | None]
) -> T | None:
    for key, value in obj.items():
        if isinstance(key, str) and key.lower() in keys:
            got = read(value)
            if got is not None:
                return got
    return None


def _objects(value: object, depth: int) -> Iterator[Mapping[object, object]]:
    """Every object in ``value`` (parsed when a JSON string), down to ``depth`` levels."""
    value = _parsed(value)
    if depth < 0:
        return
    if isinstance(value, Mapping):
        yield value
        for item in value.values():
            yield from _objects(item, depth - 1)
    elif isinstance(value, list):
        for item in value:
            yield from _objects(item, depth - 1)


def _places(job: Mapping[str, object], rule: EmasRule) -> Iterator[object]:
    for name in rule.job_fields:
        yield job.get(name)
    actions = job.get("actions")
    if isinstance(actions, list):
        for action in actions:
            if isinstance(action, Mapping):
                for name in rule.action_fields:
                    yield action.get(name)


def find(job: Mapping[str, object], rule: EmasRule = EMAS_RULE) -> list[Found]:
    """The EMAS artifacts ``job`` (a job of a run's answer, as the API sent it) reports, by
    ``rule``, each once, in the order first seen."""
    found: dict[tuple[str, str], int | None] = {}
    for place in _places(job, rule):
        for obj in _objects(place, rule.max_depth):
            md5 = _first(obj, rule.md5_keys, _identifier)
            instance = _first(obj, rule.job_instance_keys, _identifier)
            if md5 is None or instance is None:
                continue
            key = (instance, md5)
            connection = _first(obj, rule.service_connection_keys, _connection_id)
            if found.get(key) is None:
                found[key] = connection
    return [Found(instance, md5, connection) for (instance, md5), connection in found.items()]


def keys_of(job: Mapping[str, object], rule: EmasRule = EMAS_RULE, limit: int = 20) -> list[str]:
    """The keys of the objects in ``job``'s searched fields (for a "no match" message: what a
    job does report, so that a user can see where its artifact is), sorted, at most ``limit``."""
    keys: set[str] = set()
    for place in _places(job, rule):
        for obj in _objects(place, rule.max_depth):
            keys.update(key for key in obj if isinstance(key, str))
    shown = sorted(keys)
    return [*shown[:limit], "..."] if len(shown) > limit else shown
