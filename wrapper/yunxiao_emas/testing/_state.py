"""The emulated world: access keys, tokens, organizations and their members, artifacts, the
clock, used nonces and the rate-limit windows, with the settings that shape the answers.

Plain data and the small operations on it; no request, no answer. Not thread-safe on its own:
:class:`~yunxiao_emas.testing.EmulatedService` holds one lock around every use.
"""

from __future__ import annotations

import collections
import hashlib
import re
import secrets
from collections.abc import Callable, Iterable
from typing import Any, Literal, NamedTuple

import attrs

from ..credentials import PersonalAccessToken
from ._rules import check_int, check_text
from ._runs import EMAS_CONNECTION_NAME, Connection, Run, RunBook

__all__ = ["Artifact", "Identity", "Key", "Organization", "State", "Token"]

_FILENAME_FORBIDDEN = re.compile(r"[\x00-\x1f\x7f/\\]")


@attrs.define
class Key:
    """An AccessKey (an STS one when it has a ``security_token``)."""

    access_key_id: str
    secret: str
    security_token: str | None = None
    expires_at: float | None = None
    active: bool = True


@attrs.define
class Token:
    """A personal access token; ``organizations`` None admits it to every organization."""

    token: str = attrs.field(repr=False)
    organizations: frozenset[str] | None = None
    expires_at: float | None = None


@attrs.define
class Artifact:
    """A stored artifact: its bytes, their md5, and the token of its download URLs."""

    content: bytes = attrs.field(repr=False)
    md5: str
    filename: str
    service_connection_id: int | None
    url_token: str
    last_modified: float


# job id -> md5 -> artifact; run id -> jobs; pipeline id -> runs
Jobs = dict[str, dict[str, Artifact]]
Runs = dict[int, Jobs]


@attrs.define
class Organization:
    """An organization: its pipelines, and the AccessKey ids that are its members (None: all)."""

    members: set[str] | None = None
    pipelines: dict[int, Runs] = attrs.field(factory=dict)


class Identity(NamedTuple):
    """Who the gateway let in: an AccessKey id or a token. Rate limits count per identity."""

    kind: Literal["access key", "token"]
    name: str

    def __repr__(self) -> str:
        # A token is a secret: never in a repr, a log or a failing test's output.
        shown = self.name if self.kind == "access key" else "<hidden>"
        return f"Identity({self.kind!r}, {shown!r})"


class State:
    """Everything the emulator knows, on its own (movable) clock."""

    def __init__(
        self,
        now: Callable[[], float],
        *,
        url_ttl: int,
        rate_limit: tuple[int, float] | None,
        token_answers_as_text: bool,
    ) -> None:
        self._clock = now
        self._clock_offset = 0.0
        self.url_ttl = url_ttl
        self.rate_limit = rate_limit
        self.token_answers_as_text = token_answers_as_text
        self.keys: dict[str, Key] = {}
        self.tokens: dict[str, Token] = {}
        self.organizations: dict[str, Organization] = {}
        self.by_url_token: dict[str, Artifact] = {}
        self.book = RunBook()
        """Runs (their stages and jobs) and service connections (:mod:`._runs`)."""
        self.region_organization_id: str | None = None
        """The organization a request at a region-edition path acts on (None: the only one)."""
        self._nonces: dict[tuple[str, str], float] = {}
        self._windows: dict[Identity, collections.deque[float]] = {}

    # --- the clock --------------------------------------------------------------------------

    def now(self) -> float:
        """The clock given at construction plus every :meth:`advance_clock`."""
        return self._clock() + self._clock_offset

    def advance_clock(self, seconds: float) -> None:
        """Move the clock (negative values move it back)."""
        self._clock_offset += seconds

    # --- who may call -----------------------------------------------------------------------

    def add_key(
        self,
        access_key_id: str,
        secret: str,
        security_token: str | None = None,
        expires_at: float | None = None,
    ) -> None:
        """Accept an AccessKey (replacing one of the same id)."""
        if not access_key_id or not secret:
            raise ValueError("access_key_id and secret must be non-empty")
        self.keys[access_key_id] = Key(access_key_id, secret, security_token, expires_at)

    def add_token(
        self,
        token: str,
        organizations: Iterable[str] | None = None,
        expires_at: float | None = None,
    ) -> None:
        """Accept a personal access token (replacing one of the same value)."""
        if isinstance(organizations, str):
            raise TypeError("organizations must be a list of organization ids, not one str")
        # The client's own rules for a token (visible ASCII, surrounding blanks stripped):
        # a token the client would refuse to send could never reach the emulator.
        value = PersonalAccessToken(token).token
        admitted = None if organizations is None else frozenset(organizations)
        for organization_id in admitted or ():
            check_text("organizationId", organization_id)
        self.tokens[value] = Token(value, admitted, expires_at)

    def token(self, token: str) -> Token:
        """The registered token ``token`` (``KeyError`` when it is not one)."""
        return self.tokens[PersonalAccessToken(token).token]

    def admits(self, identity: Identity, organization_id: str, organization: Organization) -> bool:
        """Whether ``identity`` may call in ``organization``.

        AccessKeys are admitted by the organization's members (every key while it has none
        set); tokens by their own list of organizations (every one when they have none).
        """
        if identity.kind == "token":
            token = self.tokens.get(identity.name)
            return token is not None and (
                token.organizations is None or organization_id in token.organizations
            )
        return organization.members is None or identity.name in organization.members

    def organization(self, organization_id: str) -> Organization:
        """The organization ``organization_id``, made to exist if it did not."""
        check_text("organizationId", organization_id)
        return self.organizations.setdefault(organization_id, Organization())

    def restricted(self, organization_id: str) -> Organization:
        """The organization, restricted to the keys configured now if it was open to all."""
        organization = self.organization(organization_id)
        if organization.members is None:
            organization.members = set(self.keys)
        return organization

    # --- artifacts --------------------------------------------------------------------------

    def add_artifact(
        self,
        organization_id: str,
        pipeline_id: int,
        pipeline_run_id: int,
        emas_job_instance_id: str,
        content: bytes,
        *,
        service_connection_id: int | None,
        filename: str,
        md5: str | None,
    ) -> str:
        """Store an artifact at its ids (checked by the contract's rules); return its md5."""
        check_text("organizationId", organization_id)
        check_int("pipelineId", pipeline_id)
        check_int("pipelineRunId", pipeline_run_id)
        check_text("emasJobInstanceId", emas_job_instance_id)
        if service_connection_id is not None:
            check_int("serviceConnectionId", service_connection_id)
        if not isinstance(content, bytes):
            raise TypeError(f"content must be bytes, got {type(content).__name__}")
        if (
            not filename
            or filename in {".", ".."}
            or len(filename) > 255
            or _FILENAME_FORBIDDEN.search(filename)
        ):
            raise ValueError(f"filename {filename!r} is not a plain file name")
        actual_md5 = hashlib.md5(content, usedforsecurity=False).hexdigest()
        md5 = actual_md5 if md5 is None else check_text("md5", md5)
        artifact = Artifact(
            content=content,
            md5=actual_md5,
            filename=filename,
            service_connection_id=service_connection_id,
            url_token=secrets.token_urlsafe(18),
            last_modified=self.now(),
        )
        runs = self.organization(organization_id).pipelines.setdefault(pipeline_id, {})
        jobs = runs.setdefault(pipeline_run_id, {})
        jobs.setdefault(emas_job_instance_id, {})[md5] = artifact
        self.by_url_token[artifact.url_token] = artifact
        # The run reports the artifact as an EMAS job, and its connection is an EMAS one.
        run = self.book.runs.get((organization_id, pipeline_id, pipeline_run_id))
        if run is None:
            run = self.add_run(organization_id, pipeline_id, pipeline_run_id)
        self.book.add_emas_job(run, emas_job_instance_id, md5, service_connection_id)
        connections = self.book.connections.get(organization_id, {})
        if service_connection_id is not None and service_connection_id not in connections:
            self.add_connection(organization_id, service_connection_id, name=EMAS_CONNECTION_NAME)
        return md5

    # --- runs and service connections (:mod:`._runs`) ----------------------------------------

    def now_ms(self) -> int:
        """The clock in milliseconds since the epoch, as the API's times are."""
        return int(self.now() * 1000)

    def add_run(
        self,
        organization_id: str,
        pipeline_id: int,
        pipeline_run_id: int,
        *,
        status: str = "SUCCESS",
        stages: Iterable[Any] | None = None,
        trigger_mode: int = 1,
        start_time: int | None = None,
        end_time: int | None = None,
        finishes_after_polls: int | None = None,
    ) -> Run:
        """Add (or replace) a run, and make its organization and pipeline exist."""
        run = self.book.add_run(
            organization_id,
            pipeline_id,
            pipeline_run_id,
            status=status,
            stages=stages,
            trigger_mode=trigger_mode,
            start_time=start_time,
            end_time=end_time,
            finishes_after_polls=finishes_after_polls,
            now_ms=self.now_ms(),
        )
        runs = self.organization(organization_id).pipelines.setdefault(pipeline_id, {})
        runs.setdefault(pipeline_run_id, {})
        return run

    def add_connection(
        self, organization_id: str, connection_id: int, *, type: str = "emas", name: str | None
    ) -> Connection:
        """Add (or replace) a service connection, and make its organization exist."""
        connection = self.book.add_connection(
            organization_id, connection_id, type=type, name=name, now_ms=self.now_ms()
        )
        self.organization(organization_id)
        return connection

    # --- what the gateway remembers ---------------------------------------------------------

    def use_nonce(self, access_key_id: str, nonce: str, window: float) -> bool:
        """Record ``nonce`` of a key; False when it was used within the last ``window`` s."""
        now = self.now()
        # Insertion order is time order: forget from the oldest until one is recent.
        while self._nonces:
            oldest, seen = next(iter(self._nonces.items()))
            if seen > now - window:
                break
            del self._nonces[oldest]
        if (access_key_id, nonce) in self._nonces:
            return False
        self._nonces[(access_key_id, nonce)] = now
        return True

    def admit(self, identity: Identity, limit: int, per_seconds: float) -> float | None:
        """Count a call of ``identity`` in its sliding window: None when admitted, else the
        seconds until the window admits another (at least a millisecond)."""
        now = self.now()
        admitted = self._windows.setdefault(identity, collections.deque())
        while admitted and admitted[0] <= now - per_seconds:
            admitted.popleft()
        if len(admitted) >= limit:
            return max(0.001, admitted[0] + per_seconds - now)
        admitted.append(now)
        return None
