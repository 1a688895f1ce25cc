"""The emulator configured from data: a YAML or JSON file for ``yunxiao-emas emulator --config``,
and the JSON bodies of the control API's ``POST /_emulator/artifacts``.

The keys are the names of :class:`~yunxiao_emas.testing.EmulatedService`'s arguments and
methods, so the Python documentation is the configuration's::

    access_keys: {LTAI5tCiKey: ci-secret}        # EmulatedService(access_keys=...)
    sts_tokens: {STS.key: [secret, token]}
    tokens: [pt-ci-token]                         # or {token, organizations, expires_at}
    members: {my-org: [LTAI5tCiKey]}
    organizations: [empty-org]                    # add_organization
    url_ttl: 3600
    rate_limit: [20, 1.0]                         # requests, per seconds
    token_answers_as_text: false
    download_bandwidth: 20000000                  # bytes/s per download connection (optional)
    latency: 0.0
    artifacts:                                    # add_artifact, one an item
      - {organization_id: my-org, pipeline_id: 1111, pipeline_run_id: 1,
         emas_job_instance_id: job-1, service_connection_id: 122,
         filename: app.apk, path: build/app.apk}  # or size: 1048576, or content_base64: ...
    runs:                                         # add_run, one an item (see ._run_config)
      - {organization_id: my-org, pipeline_id: 1111, pipeline_run_id: 2, status: FAIL}
    service_connections:                          # add_service_connection, one an item
      - {organization_id: my-org, id: 123, type: emas, name: EMAS prod}
    region_organization_id: my-org                # what region-edition paths act on

Every error is an :class:`EmulatorConfigError` (a ``ValueError``) that says where
(``artifacts[0].pipeline_id``) and what is wrong, in one line.
"""

from __future__ import annotations

import base64
import binascii
import functools
import json
import os
import random
import stat as stat_module
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs

from ._run_config import connection_arguments, run_arguments
from ._settings import EmulatorConfigError, Key, check, kind_of

if TYPE_CHECKING:
    from ._service import EmulatedService

__all__ = [
    "ARTIFACT_KEYS",
    "CONFIG_KEYS",
    "MAX_GENERATED_SIZE",
    "ArtifactSpec",
    "EmulatorConfigError",
    "artifact_spec",
    "generated_content",
    "load_config",
    "service_from_config",
]

MAX_GENERATED_SIZE = 1024**3
"""The largest ``size`` of a generated artifact (1 GiB): the emulator keeps it in memory."""

CONFIG_KEYS = (
    "access_keys",
    "sts_tokens",
    "tokens",
    "members",
    "organizations",
    "url_ttl",
    "rate_limit",
    "token_answers_as_text",
    "download_bandwidth",
    "latency",
    "artifacts",
    "runs",
    "service_connections",
    "region_organization_id",
)
_IDS = ("organization_id", "pipeline_id", "pipeline_run_id", "emas_job_instance_id")
_CONTENT_KEYS = ("path", "size", "content_base64")
ARTIFACT_KEYS = (*_IDS, "service_connection_id", "filename", "md5", *_CONTENT_KEYS)


@attrs.frozen
class ArtifactSpec:
    """The arguments of one :meth:`EmulatedService.add_artifact` call, read from data."""

    organization_id: str
    pipeline_id: int
    pipeline_run_id: int
    emas_job_instance_id: str
    content: bytes
    service_connection_id: int | None = None
    filename: str = "artifact.apk"
    md5: str | None = None

    def add_to(self, service: EmulatedService) -> str:
        """Register the artifact; its md5 (``ValueError`` when the ids break the contract)."""
        return service.add_artifact(
            self.organization_id,
            self.pipeline_id,
            self.pipeline_run_id,
            self.emas_job_instance_id,
            self.content,
            service_connection_id=self.service_connection_id,
            filename=self.filename,
            md5=self.md5,
        )


def _mapping(value: object, where: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping) or not all(isinstance(key, str) for key in value):
        raise EmulatorConfigError(f"{where} must be a mapping with text keys, got {kind_of(value)}")
    return value


def _list(value: object, where: str) -> list[Any]:
    if not isinstance(value, list):
        raise EmulatorConfigError(f"{where} must be a list, got {kind_of(value)}")
    return value


_INT, _TEXT = Key("int"), Key("text")


def _int(value: object, where: str) -> int:
    checked: int = _INT.check(value, where)
    return checked


def _text(value: object, where: str) -> str:
    checked: str = _TEXT.check(value, where)
    return checked


def _texts(value: object, where: str) -> list[str]:
    return [_text(item, f"{where}[{index}]") for index, item in enumerate(_list(value, where))]


def _no_unknown_keys(data: Mapping[str, Any], known: tuple[str, ...], where: str) -> None:
    unknown = sorted(set(data) - set(known))
    if unknown:
        raise EmulatorConfigError(
            f"{where}: unknown key{'s' if len(unknown) > 1 else ''} {', '.join(unknown)} "
            f"(known: {', '.join(known)})"
        )


_GENERATED_CHUNK = 1024 * 1024


def generated_content(size: int, seed: str) -> bytes:
    """``size`` bytes that look random, the same for the same ``seed`` in every run, so a
    configuration file gives the same md5 every time."""
    # Test data, not a secret: a seeded generator is the point. In pieces of a MiB:
    # Random.randbytes raises OverflowError from 2**28 bytes on (it draws size * 8 bits).
    generator = random.Random(seed)  # noqa: S311
    whole, rest = divmod(size, _GENERATED_CHUNK)
    pieces = [generator.randbytes(_GENERATED_CHUNK) for _ in range(whole)]
    pieces.append(generator.randbytes(rest))
    return b"".join(pieces)


MAX_CONFIG_BYTES = 64 * 1024 * 1024
"""The largest configuration file (artifacts as base64 included); larger ones are no config."""
MAX_NESTING = 64
"""The deepest nesting of lists and mappings a configuration may have (it needs four)."""


def read_regular_file(path: Path, limit: int, what: str) -> bytes:
    """The bytes of the regular file ``path``, at most ``limit`` of them; EmulatorConfigError
    (naming ``what``) for anything else: a FIFO would block the emulator's start forever (it is
    opened without waiting for a writer), a device such as ``/dev/zero`` has no end, and a
    directory no bytes."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        raise EmulatorConfigError(
            f"{what}: cannot read {path} ({exc.strerror or type(exc).__name__})"
        ) from None
    try:
        if not stat_module.S_ISREG(os.fstat(fd).st_mode):
            raise EmulatorConfigError(f"{what}: {path} is not a regular file")
        with os.fdopen(fd, "rb", closefd=False) as file:
            data = file.read(limit + 1)
    except OSError as exc:
        raise EmulatorConfigError(
            f"{what}: cannot read {path} ({exc.strerror or type(exc).__name__})"
        ) from None
    finally:
        os.close(fd)
    if len(data) > limit:
        raise EmulatorConfigError(f"{what}: {path} is larger than {limit} bytes")
    return data


def _nesting(text: str) -> int:
    """The deepest nesting of ``[`` and ``{`` in ``text`` outside quoted strings: the parsers
    recurse once a level (JSON's raises RecursionError, YAML's takes seconds first)."""
    depth = deepest = 0
    quote = ""
    escaped = False
    for char in text:
        if quote:
            if escaped:
                escaped = False
            elif char == "\\" and quote == '"':
                escaped = True
            elif char == quote:
                quote = ""
        elif char in "\"'":
            quote = char
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth = max(0, depth - 1)
    return deepest


def artifact_spec(
    data: object, where: str = "artifact", *, base_dir: Path | None = None
) -> ArtifactSpec:
    """An :class:`ArtifactSpec` from a mapping named as ``add_artifact``'s arguments, with the
    bytes given by exactly one of ``path`` (a file, relative to ``base_dir``; ``base_dir`` None
    refuses paths), ``size`` (generated bytes) or ``content_base64``."""
    item = _mapping(data, where)
    _no_unknown_keys(item, ARTIFACT_KEYS, where)
    missing = [key for key in _IDS if key not in item]
    if missing:
        raise EmulatorConfigError(f"{where}: missing {', '.join(missing)}")
    given = [key for key in _CONTENT_KEYS if item.get(key) is not None]
    allowed = _CONTENT_KEYS if base_dir is not None else _CONTENT_KEYS[1:]
    if len(given) != 1 or given[0] not in allowed:
        raise EmulatorConfigError(
            f"{where}: give the bytes by exactly one of {', '.join(allowed)}"
            + (f" (got {', '.join(given)})" if given else "")
        )
    organization_id = _text(item["organization_id"], f"{where}.organization_id")
    pipeline_id = _int(item["pipeline_id"], f"{where}.pipeline_id")
    pipeline_run_id = _int(item["pipeline_run_id"], f"{where}.pipeline_run_id")
    job = _text(item["emas_job_instance_id"], f"{where}.emas_job_instance_id")
    connection = item.get("service_connection_id")
    if connection is not None:
        connection = _int(connection, f"{where}.service_connection_id")
    md5 = item.get("md5")
    if md5 is not None:
        md5 = _text(md5, f"{where}.md5")
    source = given[0]
    default_name = "artifact.apk"
    content: bytes
    if source == "path":
        assert base_dir is not None
        path = base_dir / Path(_text(item["path"], f"{where}.path")).expanduser()
        content = read_regular_file(path, MAX_GENERATED_SIZE, f"{where}.path")
        default_name = path.name
    elif source == "size":
        size = _int(item["size"], f"{where}.size")
        if not 0 <= size <= MAX_GENERATED_SIZE:
            raise EmulatorConfigError(
                f"{where}.size must be 0..{MAX_GENERATED_SIZE} bytes (1 GiB), got {size}"
            )
        seed = json.dumps([organization_id, pipeline_id, pipeline_run_id, job, size])
        content = generated_content(size, seed)
    else:
        encoded = _text(item["content_base64"], f"{where}.content_base64")
        try:
            content = base64.b64decode(encoded, validate=True)
        except (binascii.Error, ValueError):
            raise EmulatorConfigError(f"{where}.content_base64 is not valid base64") from None
    filename = item.get("filename")
    filename = default_name if filename is None else _text(filename, f"{where}.filename")
    return ArtifactSpec(
        organization_id=organization_id,
        pipeline_id=pipeline_id,
        pipeline_run_id=pipeline_run_id,
        emas_job_instance_id=job,
        content=content,
        service_connection_id=connection,
        filename=filename,
        md5=md5,
    )


def load_config(path: str | Path) -> dict[str, Any]:
    """The mapping in a YAML or JSON file (JSON when its name ends in ``.json``)."""
    path = Path(path)
    raw = read_regular_file(path, MAX_CONFIG_BYTES, "the configuration")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise EmulatorConfigError(f"{path}: cannot be read (not UTF-8 text)") from None
    if _nesting(text) > MAX_NESTING:
        raise EmulatorConfigError(
            f"{path}: lists and mappings are nested more than {MAX_NESTING} deep"
        )
    data: object
    if path.suffix.lower() == ".json":
        try:
            data = json.loads(text)
        except RecursionError:  # block-style nesting the bracket count does not see
            raise EmulatorConfigError(f"{path}: nested too deeply") from None
        except json.JSONDecodeError as exc:
            raise EmulatorConfigError(
                f"{path}: not valid JSON ({exc.msg} at line {exc.lineno} column {exc.colno})"
            ) from None
    else:
        import yaml

        try:
            data = yaml.safe_load(text)
        except RecursionError:
            raise EmulatorConfigError(f"{path}: nested too deeply") from None
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            at = f" at line {mark.line + 1} column {mark.column + 1}" if mark else ""
            problem = getattr(exc, "problem", None) or type(exc).__name__
            raise EmulatorConfigError(f"{path}: not valid YAML ({problem}{at})") from None
    if data is None:
        return {}
    try:
        return dict(_mapping(data, "the configuration"))
    except EmulatorConfigError as exc:
        raise EmulatorConfigError(f"{path}: {exc}") from None


def _shaped(
    reader: Callable[[object, str], dict[str, Any]], item: object, where: str
) -> dict[str, Any]:
    """The arguments ``reader`` finds in ``item``; a wrong shape is a config error."""
    try:
        return reader(item, where)
    except ValueError as exc:
        raise EmulatorConfigError(str(exc)) from None


def _applied(where: str, action: Callable[[], object]) -> None:
    """Run one configuring call; its ValueError or TypeError becomes a located config error."""
    try:
        action()
    except (ValueError, TypeError, LookupError) as exc:
        raise EmulatorConfigError(f"{where}: {exc}") from None


def _credentials(config: Mapping[str, Any]) -> dict[str, Any]:
    """The constructor's arguments of keys, STS tokens and members."""
    arguments: dict[str, Any] = {}
    if config.get("access_keys") is not None:
        keys = _mapping(config["access_keys"], "access_keys")
        arguments["access_keys"] = {
            key_id: _text(secret, f"access_keys.{key_id}") for key_id, secret in keys.items()
        }
    if config.get("sts_tokens") is not None:
        sts: dict[str, tuple[str, str]] = {}
        for key_id, pair in _mapping(config["sts_tokens"], "sts_tokens").items():
            values = _texts(pair, f"sts_tokens.{key_id}")
            if len(values) != 2:
                raise EmulatorConfigError(f"sts_tokens.{key_id} must be [secret, security_token]")
            sts[key_id] = (values[0], values[1])
        arguments["sts_tokens"] = sts
    if config.get("members") is not None:
        members = _mapping(config["members"], "members")
        arguments["members"] = {org: _texts(ids, f"members.{org}") for org, ids in members.items()}
    return arguments


def _rate_limit(value: object) -> tuple[int, float]:
    limit = _list(value, "rate_limit")
    if len(limit) != 2:
        raise EmulatorConfigError("rate_limit must be [requests, per_seconds]")
    try:
        return (
            check("rate_limit.requests", limit[0], "rate_limit[0]"),
            float(check("rate_limit.per_seconds", limit[1], "rate_limit[1]")),
        )
    except EmulatorConfigError as exc:
        raise EmulatorConfigError(
            f"rate_limit must be [requests >= 1, per_seconds > 0]: {exc}"
        ) from None


def _settings(config: Mapping[str, Any]) -> dict[str, Any]:
    """The constructor's arguments of settings, each checked against its row of CONFIG."""
    arguments: dict[str, Any] = {}
    for key in ("url_ttl", "download_bandwidth", "token_answers_as_text"):
        if config.get(key) is not None:
            arguments[key] = check(key, config[key])
    if config.get("rate_limit") is not None:
        arguments["rate_limit"] = _rate_limit(config["rate_limit"])
    return arguments


def _tokens(value: object) -> list[tuple[str, dict[str, Any]]]:
    """Each token with the options of its ``add_token``."""
    tokens: list[tuple[str, dict[str, Any]]] = []
    for index, entry in enumerate(_list(value, "tokens")):
        where = f"tokens[{index}]"
        if isinstance(entry, str):
            tokens.append((entry, {}))
            continue
        entry = _mapping(entry, where)
        _no_unknown_keys(entry, ("token", "organizations", "expires_at"), where)
        options: dict[str, Any] = {}
        if entry.get("organizations") is not None:
            options["organizations"] = _texts(entry["organizations"], f"{where}.organizations")
        if entry.get("expires_at") is not None:
            options["expires_at"] = check("expires_at", entry["expires_at"], f"{where}.expires_at")
        tokens.append((_text(entry.get("token"), f"{where}.token"), options))
    return tokens


def service_from_config(
    factory: type[EmulatedService], config: Mapping[str, Any], base_dir: Path | None
) -> EmulatedService:
    """An emulator built from ``config`` (see the module's documentation)."""
    config = _mapping(config, "the configuration")
    _no_unknown_keys(config, CONFIG_KEYS, "the configuration")
    arguments = {**_credentials(config), **_settings(config)}
    tokens = _tokens(config["tokens"]) if config.get("tokens") is not None else []
    if config.get("tokens") is not None:
        arguments["tokens"] = []
    if config.get("region_organization_id") is not None:
        arguments["region_organization_id"] = _text(
            config["region_organization_id"], "region_organization_id"
        )
    latency = check("latency", config["latency"]) if config.get("latency") is not None else None
    try:
        service = factory(**arguments)
    except (ValueError, TypeError) as exc:
        raise EmulatorConfigError(f"the configuration: {exc}") from None
    for index, (token, options) in enumerate(tokens):
        _applied(f"tokens[{index}]", functools.partial(service.add_token, token, **options))
    for index, org in enumerate(_texts(config.get("organizations") or [], "organizations")):
        _applied(f"organizations[{index}]", functools.partial(service.add_organization, org))
    if latency is not None:
        service.latency = latency
    for index, item in enumerate(_list(config.get("artifacts") or [], "artifacts")):
        where = f"artifacts[{index}]"
        spec = artifact_spec(item, where, base_dir=base_dir or Path.cwd())
        _applied(where, functools.partial(spec.add_to, service))
    # After the artifacts: a run given here replaces the one an artifact made (keeping the
    # artifact reachable), so a real run's answer can be reproduced.
    for index, item in enumerate(_list(config.get("runs") or [], "runs")):
        arguments = _shaped(run_arguments, item, f"runs[{index}]")
        _applied(f"runs[{index}]", functools.partial(service.add_run, **arguments))
    connections = _list(config.get("service_connections") or [], "service_connections")
    for index, item in enumerate(connections):
        where = f"service_connections[{index}]"
        arguments = _shaped(connection_arguments, item, where)
        _applied(where, functools.partial(service.add_service_connection, **arguments))
    return service
