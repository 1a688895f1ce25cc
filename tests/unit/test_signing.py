"""Signature V3 (ACS3-HMAC-SHA256): the named steps, the documented example, and AcsV3Auth."""

from __future__ import annotations

import email.utils
import hashlib
import logging
import re
import time
from collections.abc import Iterator
from urllib.parse import unquote_to_bytes

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from yunxiao_emas._call.responses import signed_answer
from yunxiao_emas.auth.acs3 import (
    ALGORITHM,
    AcsV3Auth,
    canonical_headers,
    canonical_query,
    canonical_request,
    canonical_uri,
    percent_encode,
    sign_parts,
    signature,
    signed_headers,
    string_to_sign,
)
from yunxiao_emas.credentials import AccessKeyCredentials, PersonalAccessToken
from yunxiao_emas.errors import ApiError, CredentialsError
from yunxiao_emas_api.api.pipeline.get_pipeline_emas_artifact_url import _get_kwargs

# --- the documented example (public V3 documentation, reproduced in api-digest.md) ----------

DOC_SECRET = "YourAccessKeySecret"
DOC_QUERY = [
    ("ImageId", "win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd"),
    ("RegionId", "cn-shanghai"),
]
DOC_HEADERS = {
    "host": "ecs.cn-shanghai.aliyuncs.com",
    "x-acs-action": "RunInstances",
    "x-acs-version": "2014-05-26",
    "x-acs-date": "2023-10-26T09:01:01Z",
    "x-acs-signature-nonce": "d410180a5abf7fe235dd9b74aca91fc0",
    "x-acs-content-sha256": "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
}
DOC_CANONICAL_SHA256 = "29622f5feb1e9fcaaa2e276a72889c975f7b16f00e02be1ca34965b18cd85015"
DOC_SIGNATURE = "e521358f7776c97df52e6b2891a8bc73026794a071b50c3323388c4e0df64804"
EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

ENDPOINT = "https://devops.cn-hangzhou.aliyuncs.com"
KEY_ID = "LTAI5tTestKeyId"
SECRET = "s3cr3t-Value-That-Must-Not-Leak"
TOKEN = "CAIS-sts-token-that-must-not-leak=="
FIXED_NOW = 1698310861.0  # 2023-10-26T09:01:01Z


def sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def test_documented_example_canonical_request_hash_matches() -> None:
    parts = sign_parts(DOC_SECRET, "POST", "/", DOC_QUERY, DOC_HEADERS)

    assert sha256_hex(parts.canonical_request) == DOC_CANONICAL_SHA256


def test_documented_example_signature_matches() -> None:
    parts = sign_parts(DOC_SECRET, "POST", "/", DOC_QUERY, DOC_HEADERS)

    assert parts.signature == DOC_SIGNATURE


def test_documented_example_string_to_sign_and_signed_headers() -> None:
    parts = sign_parts(DOC_SECRET, "POST", "/", DOC_QUERY, DOC_HEADERS)

    assert parts.string_to_sign == f"ACS3-HMAC-SHA256\n{DOC_CANONICAL_SHA256}"
    assert parts.signed_headers == (
        "host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version"
    )


def test_documented_example_through_the_named_steps() -> None:
    canonical = canonical_request(
        "POST",
        canonical_uri("/"),
        canonical_query(DOC_QUERY),
        DOC_HEADERS,
        DOC_HEADERS["x-acs-content-sha256"],
    )
    to_sign = string_to_sign(canonical)

    assert sha256_hex(canonical) == DOC_CANONICAL_SHA256
    assert signature(DOC_SECRET, to_sign) == DOC_SIGNATURE


def test_signature_of_the_documented_string_to_sign() -> None:
    assert signature(DOC_SECRET, f"{ALGORITHM}\n{DOC_CANONICAL_SHA256}") == DOC_SIGNATURE


# --- percent-encoding -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("char", "encoded"),
    [
        ("/", "%2F"),
        ("?", "%3F"),
        ("#", "%23"),
        ("[", "%5B"),
        ("]", "%5D"),
        ("@", "%40"),
        ("!", "%21"),
        ("$", "%24"),
        ("&", "%26"),
        ("'", "%27"),
        ("(", "%28"),
        (")", "%29"),
        ("*", "%2A"),
        ("+", "%2B"),
        (",", "%2C"),
        (";", "%3B"),
        ("=", "%3D"),
        (" ", "%20"),
        ("%", "%25"),
        (":", "%3A"),
    ],
)
def test_percent_encode_escapes_reserved_characters(char: str, encoded: str) -> None:
    assert percent_encode(f"a{char}b") == f"a{encoded}b"


def test_percent_encode_keeps_unreserved_characters() -> None:
    unreserved = "ABCXYZabcxyz0189-_.~"

    assert percent_encode(unreserved) == unreserved


def test_percent_encode_writes_non_ascii_as_utf8_escapes() -> None:
    assert percent_encode("中文") == "%E4%B8%AD%E6%96%87"


def test_percent_encode_writes_emoji_as_utf8_escapes() -> None:
    assert percent_encode("😀") == "%F0%9F%98%80"


# --- canonical URI --------------------------------------------------------------------------


def test_canonical_uri_of_root_is_slash() -> None:
    assert canonical_uri("/") == "/"


def test_canonical_uri_of_empty_path_is_slash() -> None:
    assert canonical_uri("") == "/"


def test_canonical_uri_keeps_an_encoded_path_unchanged() -> None:
    path = "/organization/5ebbc0228123212b59xxxxx/pipeline/1111/pipelineRun/1"

    assert canonical_uri(path) == path


def test_canonical_uri_keeps_encoded_slash_inside_its_segment() -> None:
    assert canonical_uri("/a%2Fb/c") == "/a%2Fb/c"


def test_canonical_uri_encodes_reserved_characters_left_bare_by_the_sender() -> None:
    assert canonical_uri("/a*b/c!d/e'f(g)h") == "/a%2Ab/c%21d/e%27f%28g%29h"


def test_canonical_uri_encodes_space_as_percent_20() -> None:
    assert canonical_uri("/x y") == "/x%20y"


def test_canonical_uri_does_not_take_plus_for_space() -> None:
    assert canonical_uri("/a+b") == "/a%2Bb"


def test_canonical_uri_decodes_an_escaped_tilde() -> None:
    assert canonical_uri("/a%7Eb") == "/a~b"


def test_canonical_uri_upper_cases_escapes() -> None:
    assert canonical_uri("/a%2fb") == "/a%2Fb"


def test_canonical_uri_encodes_non_ascii_segment() -> None:
    assert canonical_uri("/org/中文") == "/org/%E4%B8%AD%E6%96%87"


def test_canonical_uri_encodes_emoji_segment() -> None:
    assert canonical_uri("/org/😀") == "/org/%F0%9F%98%80"


def test_canonical_uri_keeps_already_encoded_non_ascii() -> None:
    assert canonical_uri("/org/%E4%B8%AD%F0%9F%98%80") == "/org/%E4%B8%AD%F0%9F%98%80"


def test_canonical_uri_keeps_an_escape_that_is_not_utf8() -> None:
    assert canonical_uri("/org/%FF%FE") == "/org/%FF%FE"


# --- canonical query ------------------------------------------------------------------------


def test_canonical_query_of_no_parameters_is_empty() -> None:
    assert canonical_query([]) == ""


def test_canonical_query_sorts_parameters_by_name() -> None:
    assert canonical_query([("b", "1"), ("a", "2"), ("C", "3")]) == "C=3&a=2&b=1"


def test_canonical_query_sorts_repeated_names_by_value() -> None:
    assert canonical_query([("a", "2"), ("a", "1")]) == "a=1&a=2"


def test_canonical_query_keeps_an_empty_value() -> None:
    assert canonical_query([("a", "")]) == "a="


def test_canonical_query_encodes_names_and_values() -> None:
    assert canonical_query([("a b", "x*y+z/w~")]) == "a%20b=x%2Ay%2Bz%2Fw~"


def test_canonical_query_encodes_non_ascii_values() -> None:
    assert canonical_query([("name", "中文")]) == "name=%E4%B8%AD%E6%96%87"


def test_canonical_query_encodes_emoji_values() -> None:
    assert canonical_query([("name", "😀")]) == "name=%F0%9F%98%80"


# --- canonical headers and signed headers ---------------------------------------------------


def test_canonical_headers_lower_case_trim_sort_and_end_with_newline() -> None:
    headers = {"X-Acs-Version": " 2021-06-25 ", "Host": "example.com", "x-acs-action": "\tA\t"}

    assert canonical_headers(headers) == (
        "host:example.com\nx-acs-action:A\nx-acs-version:2021-06-25\n"
    )


def test_canonical_headers_of_no_headers_is_empty() -> None:
    assert canonical_headers({}) == ""


def test_signed_headers_are_lower_case_sorted_and_joined_by_semicolons() -> None:
    assert signed_headers(["X-Acs-Date", "host", "x-acs-action"]) == "host;x-acs-action;x-acs-date"


def test_signed_headers_name_each_header_once() -> None:
    assert signed_headers(["Host", "host"]) == "host"


# --- canonical request, string to sign ------------------------------------------------------


def test_canonical_request_is_six_parts_with_an_empty_line_after_the_headers() -> None:
    canonical = canonical_request(
        "post", "/p", "a=1", {"Host": "h", "x-acs-date": "d"}, EMPTY_SHA256
    )

    assert canonical == (f"POST\n/p\na=1\nhost:h\nx-acs-date:d\n\nhost;x-acs-date\n{EMPTY_SHA256}")


def test_canonical_request_with_no_query_has_an_empty_query_line() -> None:
    canonical = canonical_request("GET", "/", "", {"host": "h"}, EMPTY_SHA256)

    assert canonical.split("\n")[2] == ""


def test_string_to_sign_is_algorithm_and_hash_of_canonical_request() -> None:
    assert string_to_sign("abc") == (
        "ACS3-HMAC-SHA256\nba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    )


def test_sign_parts_hashes_the_payload_given_by_x_acs_content_sha256() -> None:
    headers = {"host": "h", "x-acs-content-sha256": sha256_hex("body")}

    parts = sign_parts("k", "POST", "/", [], headers)

    assert parts.canonical_request.endswith("\n" + sha256_hex("body"))


# --- the wire path of the generated request -------------------------------------------------

# Lone surrogates (category Cs) cannot be encoded as UTF-8: the generated quote() raises on
# them before httpx sees the URL. "." and ".." are removed by httpx as dot segments (the
# wrapper rejects them, see DESIGN.md), and empty segments change the path's shape. httpx
# mangles nothing else: the generated code percent-encodes every character but the unreserved
# ones, and httpx leaves existing escapes alone.
path_values = st.text(st.characters(exclude_categories=["Cs"]), min_size=1).filter(
    lambda value: value not in {".", ".."}
)


def wire_request(
    organization_id: str, pipeline_id: str, pipeline_run_id: str, job_id: str, md5: str
) -> httpx.Request:
    kwargs = _get_kwargs(
        organization_id,
        pipeline_id,  # type: ignore[arg-type]  # str() is all _get_kwargs does with it
        pipeline_run_id,  # type: ignore[arg-type]
        job_id,
        md5,
        service_connection_id=122,
    )
    return httpx.Request(kwargs["method"], ENDPOINT + kwargs["url"], params=kwargs["params"])


def raw_path_of(request: httpx.Request) -> str:
    return request.url.raw_path.split(b"?", 1)[0].decode("ascii")


@settings(max_examples=300, deadline=None)
@given(path_values, path_values, path_values, path_values, path_values)
def test_canonical_uri_of_the_generated_wire_path_is_the_wire_path(
    organization_id: str, pipeline_id: str, pipeline_run_id: str, job_id: str, md5: str
) -> None:
    request = wire_request(organization_id, pipeline_id, pipeline_run_id, job_id, md5)
    raw_path = raw_path_of(request)

    assert canonical_uri(raw_path) == raw_path


@settings(max_examples=300, deadline=None)
@given(path_values, path_values, path_values, path_values, path_values)
def test_generated_wire_path_carries_each_value_unchanged(
    organization_id: str, pipeline_id: str, pipeline_run_id: str, job_id: str, md5: str
) -> None:
    request = wire_request(organization_id, pipeline_id, pipeline_run_id, job_id, md5)

    segments = raw_path_of(request).split("/")

    decoded = [unquote_to_bytes(segments[i]).decode("utf-8") for i in (2, 4, 6, 9, 10)]
    assert decoded == [organization_id, pipeline_id, pipeline_run_id, job_id, md5]


# --- AcsV3Auth.sign -------------------------------------------------------------------------

PLAIN = AccessKeyCredentials(KEY_ID, SECRET)
STS = AccessKeyCredentials("STS.TestKeyId", SECRET, TOKEN)
AUTHORIZATION = re.compile(
    r"ACS3-HMAC-SHA256 Credential=(?P<id>[^,]+),SignedHeaders=(?P<signed>[^,]+),"
    r"Signature=(?P<signature>[0-9a-f]{64})"
)


class SwitchableProvider:
    """A provider whose answer the test changes, counting how often it is asked."""

    def __init__(self, credentials: AccessKeyCredentials) -> None:
        self.credentials = credentials
        self.calls = 0

    def get_credentials(self) -> AccessKeyCredentials:
        self.calls += 1
        return self.credentials


def new_request(
    content: bytes | None = None, headers: dict[str, str] | None = None
) -> httpx.Request:
    return httpx.Request(
        "POST", ENDPOINT + "/organization/o/pipeline/1", content=content, headers=headers
    )


def signed_names(request: httpx.Request) -> list[str]:
    match = AUTHORIZATION.fullmatch(request.headers["authorization"])
    assert match is not None
    return match["signed"].split(";")


def verify(request: httpx.Request, secret: str) -> bool:
    """Check the signature the way the service does: from the request as it arrives."""
    match = AUTHORIZATION.fullmatch(request.headers["authorization"])
    assert match is not None
    names = match["signed"].split(";")
    parts = sign_parts(
        secret,
        request.method,
        raw_path_of(request),
        request.url.params.multi_items(),
        {name: request.headers[name] for name in names},
    )
    return parts.signature == match["signature"]


def test_sign_adds_exactly_the_v3_headers() -> None:
    request = new_request()
    before = set(request.headers)

    AcsV3Auth(PLAIN).sign(request)

    assert set(request.headers) - before == {
        "authorization",
        "x-acs-action",
        "x-acs-content-sha256",
        "x-acs-date",
        "x-acs-signature-nonce",
        "x-acs-version",
    }


def test_sign_writes_action_version_and_date_from_the_clock() -> None:
    request = new_request()

    AcsV3Auth(PLAIN, clock=lambda: FIXED_NOW).sign(request)

    assert request.headers["x-acs-action"] == "GetPipelineEmasArtifactUrl"
    assert request.headers["x-acs-version"] == "2021-06-25"
    assert request.headers["x-acs-date"] == "2023-10-26T09:01:01Z"


def test_sign_hashes_the_empty_body() -> None:
    request = new_request()

    AcsV3Auth(PLAIN).sign(request)

    assert request.headers["x-acs-content-sha256"] == EMPTY_SHA256


def test_sign_hashes_the_body() -> None:
    request = new_request(content=b'{"a": 1}')

    AcsV3Auth(PLAIN).sign(request)

    assert request.headers["x-acs-content-sha256"] == hashlib.sha256(b'{"a": 1}').hexdigest()


def test_sign_signs_host_and_every_x_acs_header() -> None:
    request = new_request()

    AcsV3Auth(PLAIN).sign(request)

    assert signed_names(request) == [
        "host",
        "x-acs-action",
        "x-acs-content-sha256",
        "x-acs-date",
        "x-acs-signature-nonce",
        "x-acs-version",
    ]


def test_sign_writes_a_signature_the_service_can_verify() -> None:
    request = new_request()

    AcsV3Auth(PLAIN).sign(request)

    assert verify(request, SECRET)


def test_sign_names_the_access_key_id_in_authorization() -> None:
    request = new_request()

    AcsV3Auth(PLAIN).sign(request)

    assert request.headers["authorization"].startswith(f"ACS3-HMAC-SHA256 Credential={KEY_ID},")


def test_sts_credentials_add_token_and_access_key_id_headers() -> None:
    request = new_request()

    AcsV3Auth(STS).sign(request)

    assert request.headers["x-acs-security-token"] == TOKEN
    assert request.headers["x-acs-accesskey-id"] == "STS.TestKeyId"


def test_sts_token_and_access_key_id_headers_are_signed() -> None:
    request = new_request()

    AcsV3Auth(STS).sign(request)

    assert {"x-acs-security-token", "x-acs-accesskey-id"} <= set(signed_names(request))
    assert verify(request, SECRET)


def test_switching_from_sts_to_plain_credentials_removes_the_token_headers() -> None:
    provider = SwitchableProvider(STS)
    auth = AcsV3Auth(provider)
    request = new_request()
    auth.sign(request)

    provider.credentials = PLAIN
    auth.sign(request)

    assert "x-acs-security-token" not in request.headers
    assert "x-acs-accesskey-id" not in request.headers
    assert "x-acs-security-token" not in signed_names(request)
    assert verify(request, SECRET)


def test_a_body_adds_content_type_to_the_signed_headers() -> None:
    request = new_request(content=b"{}", headers={"Content-Type": "application/json"})

    AcsV3Auth(PLAIN).sign(request)

    assert "content-type" in signed_names(request)
    assert verify(request, SECRET)


def test_content_type_without_a_body_is_not_signed() -> None:
    request = new_request(headers={"Content-Type": "application/json"})

    AcsV3Auth(PLAIN).sign(request)

    assert "content-type" not in signed_names(request)


def test_headers_httpx_adds_on_its_own_are_not_signed() -> None:
    with httpx.Client() as client:
        request = client.build_request("POST", ENDPOINT + "/x")
    assert {"user-agent", "accept-encoding", "connection"} <= set(request.headers)

    AcsV3Auth(PLAIN).sign(request)

    assert not {"user-agent", "accept-encoding", "connection", "accept", "content-length"} & set(
        signed_names(request)
    )


def test_a_user_set_x_acs_header_is_signed() -> None:
    request = new_request(headers={"x-acs-custom": "v"})

    AcsV3Auth(PLAIN).sign(request)

    assert "x-acs-custom" in signed_names(request)


def test_the_credentials_provider_is_asked_at_every_signature() -> None:
    provider = SwitchableProvider(PLAIN)
    auth = AcsV3Auth(provider)

    for _ in range(3):
        auth.sign(new_request())

    assert provider.calls == 3


def test_rotated_credentials_are_used_for_the_next_signature() -> None:
    provider = SwitchableProvider(PLAIN)
    auth = AcsV3Auth(provider)
    auth.sign(new_request())
    provider.credentials = AccessKeyCredentials("LTAI5tRotated", "rotated-secret")
    request = new_request()

    auth.sign(request)

    assert "Credential=LTAI5tRotated," in request.headers["authorization"]
    assert verify(request, "rotated-secret")


def test_nonces_never_repeat_across_10000_signatures() -> None:
    auth = AcsV3Auth(PLAIN)
    nonces = set()

    for _ in range(10_000):
        request = new_request()
        auth.sign(request)
        nonces.add(request.headers["x-acs-signature-nonce"])

    assert len(nonces) == 10_000


def test_re_signing_a_request_gives_it_a_new_nonce() -> None:
    auth = AcsV3Auth(PLAIN)
    request = new_request()
    auth.sign(request)
    first = request.headers["x-acs-signature-nonce"]

    auth.sign(request)

    assert request.headers["x-acs-signature-nonce"] != first


def test_repr_of_the_auth_shows_no_credentials() -> None:
    assert SECRET not in repr(AcsV3Auth(STS))
    assert TOKEN not in repr(AcsV3Auth(STS))


def test_a_provider_handing_out_a_token_is_refused_by_the_signer() -> None:
    auth = AcsV3Auth(PersonalAccessToken("pt-token-that-must-not-leak"))

    with pytest.raises(CredentialsError) as caught:
        auth.sign(new_request())

    assert "PersonalAccessToken" in str(caught.value)
    assert "pt-token-that-must-not-leak" not in str(caught.value)


# --- the clock, and its correction after a skew rejection -----------------------------------


def test_each_signature_reads_the_clock_again() -> None:
    now = [FIXED_NOW]
    auth = AcsV3Auth(PLAIN, clock=lambda: now[0])
    dates = []
    for _ in range(3):
        request = new_request()
        auth.sign(request)
        dates.append(request.headers["x-acs-date"])
        now[0] += 5

    assert dates == ["2023-10-26T09:01:01Z", "2023-10-26T09:01:06Z", "2023-10-26T09:01:11Z"]


def test_auth_flow_signs_every_request_it_is_given_afresh() -> None:
    # The call flow sends the same kwargs again: httpx builds a new Request each time.
    auth = AcsV3Auth(PLAIN, clock=lambda: FIXED_NOW)
    sent = [next(auth.auth_flow(new_request())) for _ in range(2)]

    assert sent[0].headers["x-acs-signature-nonce"] != sent[1].headers["x-acs-signature-nonce"]
    assert all(verify(request, SECRET) for request in sent)


def skew_error(
    server_time: float | None,
    *,
    code: str = "InvalidTimeStamp.Expired",
    date: str | None = None,
) -> ApiError:
    """The ApiError the signed API's parser makes of a gateway rejection with a ``Date``."""
    headers = {}
    if date is not None:
        headers["Date"] = date
    elif server_time is not None:
        headers["Date"] = email.utils.formatdate(server_time, usegmt=True)
    body = {
        "RequestId": "REQ-SKEW",
        "HostId": "devops.cn-hangzhou.aliyuncs.com",
        "Code": code,
        "Message": "Specified time stamp or date value is expired.",
    }
    return error_of(httpx.Response(400, json=body, headers=headers))


def error_of(response: httpx.Response) -> ApiError:
    with pytest.raises(ApiError) as caught:
        signed_answer(response, time.time)
    return caught.value


def _format_acs_date(timestamp: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(timestamp))


def signed_date(auth: AcsV3Auth) -> str:
    request = new_request()
    auth.sign(request)
    return request.headers["x-acs-date"]


def test_skew_rejection_asks_for_a_resend_and_corrects_the_date() -> None:
    auth = AcsV3Auth(PLAIN, clock=lambda: FIXED_NOW)

    assert auth.recover(skew_error(FIXED_NOW + 20 * 60)) is True

    assert auth.clock_offset == pytest.approx(20 * 60)
    assert signed_date(auth) == _format_acs_date(FIXED_NOW + 20 * 60)


def test_a_clock_ahead_of_the_server_is_corrected_backwards() -> None:
    auth = AcsV3Auth(PLAIN, clock=lambda: FIXED_NOW)

    assert auth.recover(skew_error(FIXED_NOW - 30 * 60)) is True

    assert signed_date(auth) == _format_acs_date(FIXED_NOW - 30 * 60)


def test_the_resend_after_a_skew_rejection_is_signed_with_a_new_nonce() -> None:
    auth = AcsV3Auth(PLAIN, clock=lambda: FIXED_NOW)
    first = next(auth.auth_flow(new_request()))
    auth.recover(skew_error(FIXED_NOW + 20 * 60))

    resend = next(auth.auth_flow(new_request()))

    assert resend.headers["x-acs-signature-nonce"] != first.headers["x-acs-signature-nonce"]
    assert resend.headers["x-acs-date"] == _format_acs_date(FIXED_NOW + 20 * 60)
    assert verify(resend, SECRET)


def test_corrected_clock_offset_is_kept_for_later_requests() -> None:
    now = [FIXED_NOW]
    auth = AcsV3Auth(PLAIN, clock=lambda: now[0])
    auth.recover(skew_error(FIXED_NOW + 20 * 60))
    now[0] += 100

    assert signed_date(auth) == _format_acs_date(FIXED_NOW + 100 + 20 * 60)
    assert signed_date(auth) == _format_acs_date(FIXED_NOW + 100 + 20 * 60)


def test_a_second_rejection_at_the_corrected_time_is_not_resent() -> None:
    auth = AcsV3Auth(PLAIN, clock=lambda: FIXED_NOW)
    auth.recover(skew_error(FIXED_NOW + 20 * 60))

    # The server says the same time again: correcting again would change nothing.
    assert auth.recover(skew_error(FIXED_NOW + 20 * 60)) is False
    assert auth.clock_offset == pytest.approx(20 * 60)


def test_a_server_clock_that_jumps_again_is_corrected_again() -> None:
    auth = AcsV3Auth(PLAIN, clock=lambda: FIXED_NOW)
    auth.recover(skew_error(FIXED_NOW + 20 * 60))

    assert auth.recover(skew_error(FIXED_NOW + 60 * 60)) is True
    assert auth.clock_offset == pytest.approx(60 * 60)


def test_clock_skew_warning_is_logged_the_first_time_only(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING, logger="yunxiao_emas")
    auth = AcsV3Auth(PLAIN, clock=lambda: FIXED_NOW)

    auth.recover(skew_error(FIXED_NOW + 20 * 60))
    auth.recover(skew_error(FIXED_NOW + 60 * 60))

    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert "1200 s behind" in warnings[0].getMessage()


def test_skew_rejection_without_a_date_header_is_not_resent() -> None:
    auth = AcsV3Auth(PLAIN, clock=lambda: FIXED_NOW)

    assert auth.recover(skew_error(None)) is False
    assert auth.clock_offset == 0.0


@pytest.mark.parametrize("date", ["yesterday", "", "Mon, 99 Foo 2023 99:99:99 GMT"])
def test_skew_rejection_with_an_unreadable_date_is_not_resent(date: str) -> None:
    auth = AcsV3Auth(PLAIN, clock=lambda: FIXED_NOW)

    assert auth.recover(skew_error(None, date=date)) is False
    assert auth.clock_offset == 0.0


def test_a_server_date_decades_away_is_not_followed() -> None:
    auth = AcsV3Auth(PLAIN, clock=lambda: FIXED_NOW)

    assert auth.recover(skew_error(FIXED_NOW + 40 * 365 * 86400)) is False
    assert auth.clock_offset == 0.0


def test_other_gateway_errors_are_not_resent() -> None:
    auth = AcsV3Auth(PLAIN, clock=lambda: FIXED_NOW)

    assert auth.recover(skew_error(FIXED_NOW + 3600, code="SignatureDoesNotMatch")) is False
    assert auth.clock_offset == 0.0


def test_an_error_without_a_response_is_not_resent() -> None:
    auth = AcsV3Auth(PLAIN, clock=lambda: FIXED_NOW)
    error = ApiError(code="InvalidTimeStamp.Expired", message="m", request_id="R", status_code=400)

    assert auth.recover(error) is False


@pytest.fixture
def local_time_zone_utc_plus_8(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A local time zone other than UTC, so that "local time taken for UTC" shows."""
    monkeypatch.setenv("TZ", "CST-8")  # POSIX spelling of UTC+8, needs no tz database
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.mark.usefixtures("local_time_zone_utc_plus_8")
def test_skew_date_in_minus_0000_zone_is_read_as_utc() -> None:
    auth = AcsV3Auth(PLAIN, clock=lambda: FIXED_NOW)
    # formatdate() without usegmt writes "-0000", which parses to a naive datetime.
    date = email.utils.formatdate(FIXED_NOW + 1200)

    assert auth.recover(skew_error(None, date=date)) is True
    assert auth.clock_offset == pytest.approx(1200)


def test_skew_code_outside_a_json_body_is_not_resent() -> None:
    auth = AcsV3Auth(PLAIN, clock=lambda: FIXED_NOW)
    headers = {"Date": email.utils.formatdate(FIXED_NOW + 3600, usegmt=True)}
    error = error_of(httpx.Response(400, text="InvalidTimeStamp.Expired", headers=headers))

    assert auth.recover(error) is False


# --- logging --------------------------------------------------------------------------------


def test_debug_log_of_a_signed_call_shows_the_canonical_request_but_no_secret(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)  # everything, httpx's own loggers included
    caplog.set_level(logging.DEBUG, logger="yunxiao_emas")
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"requestId": "R", "success": True})

    auth = AcsV3Auth(STS)
    with httpx.Client(auth=auth, transport=httpx.MockTransport(handler)) as client:
        client.post(ENDPOINT + "/organization/o/pipeline/1", params={"serviceConnectionId": 122})

    (request,) = seen
    names = signed_names(request)
    expected = sign_parts(
        SECRET,
        request.method,
        raw_path_of(request),
        request.url.params.multi_items(),
        {name: request.headers[name] for name in names},
    ).canonical_request.replace(TOKEN, "<redacted>")
    logged = caplog.text + "".join(record.getMessage() for record in caplog.records)
    assert expected in logged
    assert SECRET not in logged
    assert TOKEN not in logged


def test_debug_log_redacts_a_token_with_surrounding_spaces(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG, logger="yunxiao_emas")
    credentials = AccessKeyCredentials(KEY_ID, SECRET, f"  {TOKEN}  ")

    AcsV3Auth(credentials).sign(new_request())

    assert "canonical request" in caplog.text
    assert TOKEN not in caplog.text
