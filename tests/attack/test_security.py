"""Security: secrets stay secret, credentials never leave for another host, TLS is verified,
and only loopback may be spoken to over plain http.

Canary credentials (an AccessKey secret, an STS token, a personal access token: each a unique
random string) go through a whole scenario (success, every error class, retries, downloads, a
network failure, the command line tool) with DEBUG logging on every logger; they must appear in
no log record, repr, str, exception text or formatted exception chain, nor in what the command
prints. Neither may the signature of a pre-signed URL appear in a log line.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import ssl
import traceback
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import trustme
from attack_support import (
    CONTENT,
    FAST,
    PLAIN_HTTP,
    FakeApi,
    RecordingApp,
    Target,
    cli_ids,
    drive,
    ids,
    new_service,
    run_cli,
    success_answer,
)
from attack_support import Answer as FakeAnswer
from e2e_support import FileHost, closed_port
from yunxiao_emas import (
    AccessKeyCredentials,
    ApiError,
    AsyncClient,
    AuthenticationError,
    Client,
    ForbiddenError,
    InvalidArgumentError,
    InvalidParameterError,
    NotFoundError,
    PersonalAccessToken,
    ServerError,
    ThrottledError,
    TransportError,
    YunxiaoError,
)
from yunxiao_emas.testing import serve

CANARY_KEY_ID = "LTAI5tCanaryKeyId"
LOGGERS = ("", "yunxiao_emas", "httpx", "httpcore", "yunxiao_emas.signing", "uvicorn.error")


class Collect(logging.Handler):
    """Keeps every record, formatted with its traceback."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


@pytest.fixture
def debug_logs() -> Iterator[Collect]:
    """DEBUG on the root, yunxiao_emas, httpx and httpcore loggers, every record collected."""
    handler = Collect()
    loggers = [logging.getLogger(name) for name in LOGGERS]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.DEBUG)
    logging.getLogger().addHandler(handler)
    yield handler
    logging.getLogger().removeHandler(handler)
    for logger, level in zip(loggers, levels, strict=True):
        logger.setLevel(level)


class Canaries:
    """Unique random credentials, and everything the scenario showed (to search them in)."""

    def __init__(self) -> None:
        self.secret = "canary-secret-" + secrets.token_hex(12)
        self.sts_token = "canary-sts-" + secrets.token_hex(12)
        self.token = "pt-canary-" + secrets.token_hex(12)
        self.shown: list[str] = []
        self.signatures: list[str] = []

    @property
    def values(self) -> tuple[str, ...]:
        return (self.secret, self.sts_token, self.token)

    def credentials(self, api: str) -> AccessKeyCredentials | PersonalAccessToken:
        if api == "signed":
            return AccessKeyCredentials(CANARY_KEY_ID, self.secret, self.sts_token)
        return PersonalAccessToken(self.token)

    def show(self, thing: object) -> None:
        """Note the repr and str of ``thing``, and for an exception its formatted chain."""
        self.shown += [repr(thing), str(thing)]
        if isinstance(thing, BaseException):
            self.shown.append("".join(traceback.format_exception(thing)))
            self.shown += [repr(arg) for arg in thing.args]

    def leaks(self, texts: list[str]) -> list[str]:
        return [text for text in texts if any(canary in text for canary in self.values)]


def _service(canaries: Canaries) -> Any:
    return new_service(
        access_keys={},
        sts_tokens={CANARY_KEY_ID: (canaries.secret, canaries.sts_token)},
        tokens=[canaries.token],
    )


ERROR_FAULTS = [
    ({"code": "InvalidPipeline.NotFound"}, NotFoundError),
    ({"code": "Forbidden.AccessDenied"}, ForbiddenError),
    ({"code": "InvalidParam.ParamNotPresent"}, InvalidParameterError),
    ({"code": "SignatureDoesNotMatch"}, AuthenticationError),
    ({"code": "Throttling.User", "retry_after": 0.01}, ThrottledError),
    ({"code": "InternalError"}, ServerError),
    ({"code": "Brand.NewCode", "status": 400}, ApiError),
]


def test_canaries_appear_in_no_log_repr_error_or_traceback(
    mount: Callable[[Any], str],
    api: str,
    flavour: str,
    debug_logs: Collect,
    tmp_path: Path,
    quiet_logs: None,
) -> None:
    canaries = Canaries()
    service = _service(canaries)
    base_url = mount(service.asgi_app)
    target = Target(service, base_url, api)
    credentials = canaries.credentials(api)
    canaries.show(credentials)
    options = {"credentials": credentials, "endpoint": base_url, "retries": FAST}
    options["verify"] = PLAIN_HTTP

    def scenario(client: Any) -> Any:
        canaries.show(client)
        steps: list[Callable[[], Any]] = []

        def call() -> Any:
            return client.get_pipeline_emas_artifact_url(**ids(target.md5))

        def download(name: str) -> Any:
            folder = tmp_path / name
            folder.mkdir()
            return client.download_pipeline_emas_artifact(**ids(target.md5), dest=folder)

        def failing(fault: dict[str, Any], count: int = 3) -> Any:
            service.clear_faults()
            service.fail_next(count, **fault)
            return call()

        def dropping() -> Any:
            service.clear_faults()
            service.drop_next(1)
            return call()

        def resumed() -> Any:
            service.clear_faults()
            service.drop_download_after(1000)
            return download("resumed")

        def corrupt() -> Any:
            service.clear_faults()
            service.corrupt_next_download()
            return download("corrupt")

        steps.append(call)  # a success
        for fault, _ in ERROR_FAULTS:
            steps.append(lambda fault=fault: failing(fault))
        steps.append(lambda: failing({"code": "ServiceUnavailable"}, count=2))  # then a success
        steps += [dropping, resumed, corrupt]
        return steps

    def run_steps(steps: list[Callable[[], Any]]) -> list[Any]:
        outcomes = []
        for step in steps:
            try:
                outcomes.append(step())
            except YunxiaoError as exc:
                outcomes.append(exc)
        return outcomes

    if flavour == "sync":
        outcomes = drive("sync", options, lambda c: run_steps(scenario(c)))
    else:

        async def run_async(client: Any) -> list[Any]:
            outcomes = []
            for step in scenario(client):
                try:
                    outcomes.append(await step())
                except YunxiaoError as exc:
                    outcomes.append(exc)
            return outcomes

        outcomes = drive("async", options, run_async)
    try:
        drive(
            flavour,
            {**options, "endpoint": f"http://127.0.0.1:{closed_port()}"},
            lambda c: c.get_pipeline_emas_artifact_url(**ids(target.md5)),
        )
    except TransportError as exc:
        outcomes.append(exc)

    kinds = [type(outcome).__name__ for outcome in outcomes]
    assert kinds[0] == "ArtifactUrl"
    assert {"NotFoundError", "ForbiddenError", "ThrottledError", "ServerError"} <= set(kinds)
    assert {"ChecksumMismatchError", "TransportError", "DownloadedArtifact"} <= set(kinds)
    for outcome in outcomes:
        canaries.show(outcome)
        if hasattr(outcome, "file_url"):
            canaries.signatures.append(httpx.URL(outcome.file_url).params["Signature"])
    assert not canaries.leaks(canaries.shown)
    assert not canaries.leaks(debug_logs.lines)
    assert debug_logs.lines  # the records were really collected
    signed = [line for line in debug_logs.lines if any(s in line for s in canaries.signatures)]
    assert not signed, signed


@pytest.mark.parametrize("fault", [None, "Forbidden.AccessDenied"])
def test_cli_never_prints_the_canaries(
    mount: Callable[[Any], str], api: str, home: Path, fault: str | None, tmp_path: Path
) -> None:
    canaries = Canaries()
    service = _service(canaries)
    base_url = mount(service.asgi_app)
    if fault is not None:
        service.fail_next(10, code=fault)
    env = (
        {
            "ALIBABA_CLOUD_ACCESS_KEY_ID": CANARY_KEY_ID,
            "ALIBABA_CLOUD_ACCESS_KEY_SECRET": canaries.secret,
            "ALIBABA_CLOUD_SECURITY_TOKEN": canaries.sts_token,
        }
        if api == "signed"
        else {"YUNXIAO_TOKEN": canaries.token}
    )
    md5 = Target(service, base_url, api).md5

    runs = [
        run_cli("url", *cli_ids(md5), "--endpoint", base_url, home=home, env=env),
        run_cli(
            "download", *cli_ids(md5), "--endpoint", base_url, "--output", str(tmp_path),
            "--json", home=home, env=env,
        ),
    ]  # fmt: skip

    for run in runs:
        assert "Traceback" not in run.output
        assert not canaries.leaks([run.output]), run.output
        assert run.returncode == (0 if fault is None else 3), run.output


# --- credentials never leave for another host------------------------------------------------------


@pytest.fixture
def other_origin() -> Iterator[tuple[str, RecordingApp]]:
    """A file host on another origin (its own port, and named ``localhost``)."""
    app = RecordingApp(FileHost(CONTENT))
    with serve(app) as base_url:
        yield base_url.replace("127.0.0.1", "localhost"), app


CALLER_SECRET = "caller-canary-" + secrets.token_hex(8)


def _callers_client(flavour: str, **options: Any) -> Any:
    common = {
        "headers": {"Authorization": f"Bearer {CALLER_SECRET}", "X-Api-Key": CALLER_SECRET},
        "cookies": {"session": CALLER_SECRET},
        "auth": httpx.BasicAuth("user", CALLER_SECRET),
        **options,
    }
    return httpx.Client(**common) if flavour == "sync" else httpx.AsyncClient(**common)


def _with_callers_client(flavour: str, options: dict[str, Any], action: Callable) -> Any:
    if flavour == "sync":
        with _callers_client(flavour) as http, Client(**options, http_client=http) as client:
            return action(client)

    async def main() -> Any:
        async with (
            _callers_client(flavour) as http,
            AsyncClient(**options, http_client=http) as client,
        ):
            return await action(client)

    return asyncio.run(main())


def _sent_anything_of_ours(seen: Any, canaries: tuple[str, ...]) -> list[str]:
    found = []
    for name, value in seen.headers.items():
        lowered = name.lower()
        if (
            lowered in {"authorization", "cookie", "x-yunxiao-token", "x-api-key"}
            or lowered.startswith("x-acs-")
            or any(canary in value for canary in canaries)
        ):
            found.append(name)
    if any(canary in seen.query for canary in canaries):
        found.append("query")
    return found


@pytest.mark.parametrize("callers_client", [False, True], ids=["own-client", "callers-client"])
def test_nothing_of_ours_or_the_callers_reaches_the_file_host(
    api: str,
    flavour: str,
    callers_client: bool,
    mount: Callable[[Any], str],
    other_origin: tuple[str, RecordingApp],
    tmp_path: Path,
) -> None:
    canaries = Canaries()
    origin, recorder = other_origin
    base_url = mount(FakeApi(success_answer(api, f"{origin}/app.apk?Expires=1&Signature=s")))
    options = {"credentials": canaries.credentials(api), "endpoint": base_url, "retries": 0}

    def action(client: Any) -> Any:
        return client.download_pipeline_emas_artifact(**ids("assasas"), dest=tmp_path)

    if callers_client:
        result = _with_callers_client(flavour, options, action)
    else:
        result = drive(flavour, {**options, "verify": PLAIN_HTTP}, action)

    assert (tmp_path / result.path.name).read_bytes() == CONTENT
    assert recorder.requests
    values = (*canaries.values, CALLER_SECRET)
    for seen in recorder.requests:
        assert not _sent_anything_of_ours(seen, values), seen.headers


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
@pytest.mark.parametrize("callers_client", [False, True], ids=["own-client", "callers-client"])
def test_redirect_from_the_api_to_another_origin_is_not_followed(
    api: str,
    flavour: str,
    status: int,
    callers_client: bool,
    mount: Callable[[Any], str],
    other_origin: tuple[str, RecordingApp],
) -> None:
    canaries = Canaries()
    origin, recorder = other_origin
    moved = FakeAnswer(status, {"location": f"{origin}/organization/x"}, b"")
    base_url = mount(FakeApi(moved))
    options = {"credentials": canaries.credentials(api), "endpoint": base_url, "retries": 0}

    def action(client: Any) -> Any:
        return client.get_pipeline_emas_artifact_url(**ids())

    def call() -> Any:
        if callers_client:
            return _with_callers_client(flavour, options, action)
        return drive(flavour, {**options, "verify": PLAIN_HTTP}, action)

    with pytest.raises(YunxiaoError):
        call()

    assert recorder.requests == []


# --- TLS ------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def tls_emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str, Any]]:
    """The emulator over https with a certificate of a trustme CA the system does not know:
    (base URL, path of the CA's certificate, the service)."""
    ca = trustme.CA()
    cert = ca.issue_cert("127.0.0.1", "localhost")
    folder = tmp_path_factory.mktemp("tls")
    ca_path, chain, key = folder / "ca.pem", folder / "chain.pem", folder / "key.pem"
    ca.cert_pem.write_to_path(str(ca_path))
    cert.private_key_pem.write_to_path(str(key))
    chain.write_bytes(b"".join(blob.bytes() for blob in cert.cert_chain_pems))
    service = new_service()
    with serve(service, ssl_certfile=str(chain), ssl_keyfile=str(key)) as base_url:
        yield base_url, str(ca_path), service


def _tls_call(flavour: str, api: str, base_url: str, **options: Any) -> Any:
    target = Target(None, base_url, api)  # type: ignore[arg-type]
    opts = {"credentials": target.credentials, "endpoint": base_url, "retries": 0, **options}
    return drive(flavour, opts, lambda c: c.get_pipeline_emas_artifact_url(**target.ids()))


def test_tls_is_verified_by_default(
    tls_emulator: tuple[str, str, Any], api: str, flavour: str, quiet_logs: None
) -> None:
    base_url, _, _ = tls_emulator

    with pytest.raises(TransportError):
        _tls_call(flavour, api, base_url)


def test_custom_ca_bundle_is_trusted(
    tls_emulator: tuple[str, str, Any], api: str, flavour: str
) -> None:
    base_url, ca, _ = tls_emulator

    url = _tls_call(flavour, api, base_url, verify=ca)

    assert url.file_url.startswith("https://")


def test_custom_ssl_context_is_trusted(
    tls_emulator: tuple[str, str, Any], api: str, flavour: str
) -> None:
    base_url, ca, _ = tls_emulator

    url = _tls_call(flavour, api, base_url, verify=ssl.create_default_context(cafile=ca))

    assert url.file_url.startswith("https://")


def test_verify_false_works_and_warns(
    tls_emulator: tuple[str, str, Any], api: str, flavour: str, caplog: pytest.LogCaptureFixture
) -> None:
    base_url, _, _ = tls_emulator

    with caplog.at_level(logging.WARNING):
        url = _tls_call(flavour, api, base_url, verify=False)

    assert url.file_url.startswith("https://")
    assert any(r.levelno >= logging.WARNING and "verif" in r.getMessage().lower()
               for r in caplog.records)  # fmt: skip


# --- which endpoints may be spoken to over plain http----------------------------------------------


@pytest.mark.parametrize(
    "endpoint",
    [
        "http://127.0.0.1.example.com",
        "http://localhost@example.com",
        "http://localhost:80@example.com",
        "http://127.0.0.1@example.com",
        "http://localhost.example.com",
        "http://example.com#@localhost",
        "http://0.0.0.0",
        "http://10.0.0.1",
        "http://[::ffff:10.0.0.1]",
    ],
)
def test_plain_http_to_a_remote_host_is_refused(api: str, flavour: str, endpoint: str) -> None:
    with pytest.raises(InvalidArgumentError) as caught:
        _tls_call(flavour, api, endpoint, verify=PLAIN_HTTP)

    assert caught.value.parameter == "endpoint"


def test_upper_case_localhost_is_loopback(target: Target, flavour: str) -> None:
    endpoint = target.base_url.replace("http://127.0.0.1", "HTTP://LOCALHOST")

    url = target.get_url(flavour, endpoint=endpoint)

    assert url.file_url


@pytest.fixture(scope="module")
def ipv6_emulator() -> Iterator[str]:
    with serve(new_service(), host="::1") as base_url:
        yield base_url


def test_ipv6_loopback_is_loopback(ipv6_emulator: str, api: str, flavour: str) -> None:
    url = _tls_call(flavour, api, ipv6_emulator, verify=PLAIN_HTTP)

    assert url.file_url.startswith("http://[::1]:")


def test_another_127_address_is_loopback(target: Target, flavour: str) -> None:
    # Nothing listens on 127.0.0.2: the call is allowed (not InvalidArgumentError) and fails
    # as a network failure.
    endpoint = target.base_url.replace("127.0.0.1", "127.0.0.2")

    with pytest.raises(TransportError):
        target.get_url(flavour, endpoint=endpoint, retries=0)


@pytest.mark.parametrize("userinfo", ["user:pass@", "localhost@", "user@"])
def test_endpoint_with_credentials_in_it_is_refused(
    target: Target, flavour: str, userinfo: str
) -> None:
    # httpx would turn them into a Basic Authorization header, over the signature or beside
    # the token: credentials the caller never meant to send.
    endpoint = target.base_url.replace("http://", f"http://{userinfo}")

    with pytest.raises(InvalidArgumentError) as caught:
        target.get_url(flavour, endpoint=endpoint)

    assert caught.value.parameter == "endpoint"
    assert target.service.api_calls == []
