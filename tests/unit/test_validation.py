"""The ids are normalised before they are checked: what is checked is what is sent.

A caller's object that is a ``str`` or an ``int`` but says something else when made into text
(an ``(str, Enum)`` member, a ``str`` subclass whose ``__str__`` says ``..``, an ``int``
subclass whose ``__str__`` adds a query parameter) is sent as its underlying value, on both
APIs, or refused before any I/O. The request respx receives is the proof.
"""

from __future__ import annotations

import enum
from typing import Any

import pytest
import respx
from _ids import CONNECTION, IDS, JOB, MD5, ORG, PIPELINE, RUN
from conftest_client import (
    API_PATH,
    CREDENTIALS,
    FLAVOURS,
    TOKEN_CREDENTIALS,
    TOKEN_PATH,
    drivers,
    ok,
    token_ok,
)
from yunxiao_emas import InvalidArgumentError
from yunxiao_emas._call.operations import Ids
from yunxiao_emas._call.validation import check_id, check_segment


# (str, Enum), not StrEnum: its str() is "Organization.EXAMPLE", the case to guard against.
class Organization(str, enum.Enum):  # noqa: UP042
    EXAMPLE = ORG


class Md5(str, enum.Enum):  # noqa: UP042
    EXAMPLE = MD5


class DotDot(str):
    """A str whose text is one thing and whose ``str()`` is a dot segment."""

    def __str__(self) -> str:
        return ".."

    __format__ = None  # type: ignore[assignment]  # f-strings must not be the way in either


class LooksFine(str):
    """A str that is ``..`` but says otherwise when made into text."""

    def __str__(self) -> str:
        return "fine"

    def __repr__(self) -> str:
        return "'fine'"


class Injecting(int):
    """An int whose text adds a query parameter."""

    def __str__(self) -> str:
        return f"{int(self)}&serviceConnectionId=2"

    __repr__ = __str__

    def __format__(self, spec: str) -> str:
        return str(self)


class IndexLies(int):
    """An int whose ``__index__`` and ``__int__`` say another number."""

    def __index__(self) -> int:
        return 2

    def __int__(self) -> int:
        return 2


@pytest.fixture(params=FLAVOURS)
def make(request: pytest.FixtureRequest) -> Any:
    yield from drivers(request.param)


@pytest.fixture
def api() -> Any:
    with respx.mock(assert_all_called=False) as mock:
        mock.route(path__startswith="/organization/").mock(return_value=ok())
        mock.route(path__startswith="/oapi/").mock(return_value=token_ok())
        yield mock


@pytest.fixture(params=["signed", "token"])
def credentials(request: pytest.FixtureRequest) -> Any:
    return CREDENTIALS if request.param == "signed" else TOKEN_CREDENTIALS


def sent(api: respx.MockRouter) -> Any:
    [call] = api.calls
    return call.request


def expected_target(credentials: Any, **values: Any) -> tuple[str, dict[str, str]]:
    """The path and query the example ids give, with ``values`` in place of some of them."""
    ids = {**IDS, **values}
    if credentials is CREDENTIALS:
        path = (
            f"/organization/{ids['organization_id']}/pipeline/{ids['pipeline_id']}"
            f"/pipelineRun/{ids['pipeline_run_id']}/emas/artifact/"
            f"{ids['emas_job_instance_id']}/{ids['md5']}"
        )
        return path, {"serviceConnectionId": str(ids["service_connection_id"])}
    path = (
        f"/oapi/v1/flow/organizations/{ids['organization_id']}/pipelines/getEmasArtifactDownloadUrl"
    )
    query = {
        "pipelineId": str(ids["pipeline_id"]),
        "pipelineRunId": str(ids["pipeline_run_id"]),
        "emasJobInstanceId": ids["emas_job_instance_id"],
        "md5": ids["md5"],
        "serviceConnectionId": str(ids["service_connection_id"]),
    }
    return path, query


def assert_sent_exactly(api: respx.MockRouter, credentials: Any, **values: Any) -> None:
    request = sent(api)
    path, query = expected_target(credentials, **values)
    assert request.url.path == path
    assert sorted(request.url.params.multi_items()) == sorted(query.items())


def test_the_example_ids_are_sent_as_they_are(make: Any, api: Any, credentials: Any) -> None:
    make(credentials=credentials).call()
    assert_sent_exactly(api, credentials)


def test_expected_targets_are_the_documented_paths() -> None:
    assert expected_target(CREDENTIALS)[0] == API_PATH
    assert expected_target(TOKEN_CREDENTIALS)[0] == TOKEN_PATH


# --- str and int subclasses -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("parameter", "member"),
    [("organization_id", Organization.EXAMPLE), ("md5", Md5.EXAMPLE)],
    ids=["organization_id", "md5"],
)
def test_a_str_enum_member_is_sent_as_its_value(
    make: Any, api: Any, credentials: Any, parameter: str, member: enum.Enum
) -> None:
    assert str(member) != member.value  # what str() says is not what must be sent
    make(credentials=credentials).call(**{parameter: member})
    assert_sent_exactly(api, credentials)


@pytest.mark.parametrize("parameter", ["organization_id", "emas_job_instance_id", "md5"])
def test_a_str_subclass_saying_dot_dot_is_sent_as_its_characters(
    make: Any, api: Any, credentials: Any, parameter: str
) -> None:
    value = DotDot(IDS[parameter])
    assert str(value) == ".."
    make(credentials=credentials).call(**{parameter: value})
    assert_sent_exactly(api, credentials)


@pytest.mark.parametrize("parameter", ["organization_id", "emas_job_instance_id", "md5"])
def test_a_str_subclass_that_is_dot_dot_is_refused_whatever_it_says(
    make: Any, api: Any, credentials: Any, parameter: str
) -> None:
    with pytest.raises(InvalidArgumentError) as caught:
        make(credentials=credentials).call(**{parameter: LooksFine("..")})
    assert caught.value.parameter == parameter
    assert not api.calls


@pytest.mark.parametrize("parameter", ["pipeline_id", "pipeline_run_id", "service_connection_id"])
def test_an_int_subclass_injecting_a_parameter_is_sent_as_its_number(
    make: Any, api: Any, credentials: Any, parameter: str
) -> None:
    value = Injecting(IDS[parameter])
    assert "&" in str(value)
    make(credentials=credentials).call(**{parameter: value})
    assert_sent_exactly(api, credentials)
    assert sent(api).url.params.get_list("serviceConnectionId") == [str(CONNECTION)]


@pytest.mark.parametrize("parameter", ["pipeline_id", "pipeline_run_id", "service_connection_id"])
def test_an_int_subclass_whose_index_lies_is_sent_as_its_own_value(
    make: Any, api: Any, credentials: Any, parameter: str
) -> None:
    make(credentials=credentials).call(**{parameter: IndexLies(IDS[parameter])})
    assert_sent_exactly(api, credentials)


# --- characters that cannot be sent ---------------------------------------------------------


@pytest.mark.parametrize("parameter", ["organization_id", "emas_job_instance_id", "md5"])
@pytest.mark.parametrize(
    "surrogate",
    [chr(0xD800), chr(0xDFFF), f"ab{chr(0xDC80)}cd"],
    ids=["high", "low", "inside"],
)
def test_a_lone_surrogate_is_refused_before_any_request(
    make: Any, api: Any, credentials: Any, parameter: str, surrogate: str
) -> None:
    with pytest.raises(InvalidArgumentError) as caught:
        make(credentials=credentials).call(**{parameter: surrogate})
    assert caught.value.parameter == parameter
    assert "surrogate" in str(caught.value)
    assert not api.calls


def test_a_str_subclass_holding_a_surrogate_is_refused_whatever_it_says(
    make: Any, api: Any, credentials: Any
) -> None:
    with pytest.raises(InvalidArgumentError, match="md5"):
        make(credentials=credentials).call(md5=LooksFine("a\ud800"))
    assert not api.calls


def test_a_surrogate_pair_written_as_one_character_is_sent(
    make: Any, api: Any, credentials: Any
) -> None:
    make(credentials=credentials).call(md5="\U0001f680")
    assert_sent_exactly(api, credentials, md5="\U0001f680")


# --- the checks themselves return exact types ------------------------------------------------


def test_check_segment_returns_an_exact_str() -> None:
    for value in (Organization.EXAMPLE, DotDot(ORG)):
        checked = check_segment("organization_id", value)
        assert type(checked) is str
        assert checked == ORG


def test_check_id_returns_an_exact_int() -> None:
    for value in (Injecting(PIPELINE), IndexLies(PIPELINE)):
        checked = check_id("pipeline_id", value)
        assert type(checked) is int
        assert checked == PIPELINE


def test_ids_check_normalises_every_field() -> None:
    ids = Ids.check(
        Organization.EXAMPLE,
        Injecting(PIPELINE),
        IndexLies(RUN),
        DotDot(JOB),
        Md5.EXAMPLE,
        Injecting(CONNECTION),
    )
    assert ids.as_kwargs() == IDS
    assert [type(value) for value in ids.as_kwargs().values()] == [str, int, int, str, str, int]
