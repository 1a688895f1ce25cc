"""The EMAS rule (an assumption, yunxiao_emas.emas_rule): which objects in a job of a run's
answer count as the EMAS artifact it built, and what it reports when none does."""

from __future__ import annotations

import json
from typing import Any

from yunxiao_emas.emas_rule import EMAS_RULE, Found, find, keys_of

MD5 = "0cc175b9c0f1b6a831c399e269772661"


def job(**fields: Any) -> dict[str, Any]:
    return {"id": 100, "name": "EMAS build", "status": "SUCCESS", **fields}


def test_params_json_string_with_both_keys_is_an_artifact() -> None:
    params = json.dumps({"emasJobInstanceId": "Psaxsa", "md5": MD5})
    assert find(job(params=params)) == [Found("Psaxsa", MD5, None)]


def test_service_connection_id_beside_them_is_taken() -> None:
    params = json.dumps({"emasJobInstanceId": "Psaxsa", "md5": MD5, "serviceConnectionId": 122})
    assert find(job(params=params)) == [Found("Psaxsa", MD5, 122)]


def test_service_connection_id_as_a_digit_string_is_taken() -> None:
    params = json.dumps({"emasJobInstanceId": "J", "md5": MD5, "serviceConnectionId": "122"})
    assert find(job(params=params))[0].service_connection_id == 122


def test_keys_match_whatever_their_case() -> None:
    params = json.dumps({"EMASJOBINSTANCEID": "J", "MD5": MD5})
    assert find(job(params=params)) == [Found("J", MD5, None)]


def test_the_snake_case_name_of_the_instance_id_is_accepted() -> None:
    params = json.dumps({"emas_job_instance_id": "J", "md5": MD5})
    assert find(job(params=params)) == [Found("J", MD5, None)]


def test_result_data_of_the_token_api_is_searched() -> None:
    result = json.dumps({"data": {"emasJobInstanceId": "J", "md5": MD5}})
    assert find(job(result=result)) == [Found("J", MD5, None)]


def test_action_params_object_is_searched() -> None:
    action = {"type": "EMAS", "params": {"emasJobInstanceId": "J", "md5": MD5}}
    assert find(job(actions=[action])) == [Found("J", MD5, None)]


def test_action_data_json_string_is_searched() -> None:
    action = {"type": "EMAS", "data": json.dumps({"emasJobInstanceId": "J", "md5": MD5})}
    assert find(job(actions=[action])) == [Found("J", MD5, None)]


def test_json_strings_nested_inside_objects_are_parsed() -> None:
    inner = json.dumps({"artifact": {"emasJobInstanceId": "J", "md5": MD5}})
    assert find(job(params=json.dumps({"output": inner}))) == [Found("J", MD5, None)]


def test_the_same_artifact_reported_in_several_places_is_found_once() -> None:
    ids = {"emasJobInstanceId": "J", "md5": MD5}
    found = find(
        job(
            params=json.dumps({**ids, "serviceConnectionId": 122}),
            result=json.dumps({"data": ids}),
            actions=[{"type": "EMAS", "params": ids}],
        )
    )
    assert found == [Found("J", MD5, 122)]


def test_a_connection_id_from_another_place_of_the_same_artifact_completes_it() -> None:
    ids = {"emasJobInstanceId": "J", "md5": MD5}
    found = find(
        job(result=json.dumps({"data": ids}), params=json.dumps({**ids, "serviceConnectionId": 7}))
    )
    assert found == [Found("J", MD5, 7)]


def test_two_artifacts_of_one_job_are_both_found_in_order() -> None:
    params = json.dumps(
        {"builds": [{"emasJobInstanceId": "A", "md5": MD5}, {"emasJobInstanceId": "B", "md5": MD5}]}
    )
    assert [f.emas_job_instance_id for f in find(job(params=params))] == ["A", "B"]


def test_md5_alone_is_not_an_artifact() -> None:
    assert find(job(params=json.dumps({"md5": MD5}))) == []


def test_empty_values_are_not_an_artifact() -> None:
    assert find(job(params=json.dumps({"emasJobInstanceId": "", "md5": MD5}))) == []


def test_keys_in_different_objects_do_not_make_an_artifact() -> None:
    params = json.dumps({"a": {"emasJobInstanceId": "J"}, "b": {"md5": MD5}})
    assert find(job(params=params)) == []


def test_params_that_are_not_json_are_ignored() -> None:
    assert find(job(params="{not json", result="plain text")) == []


def test_a_job_name_alone_does_not_make_an_artifact() -> None:
    assert find({"name": "EMAS build", "params": "{}"}) == []


def test_objects_deeper_than_the_rule_looks_are_not_searched() -> None:
    value: Any = {"emasJobInstanceId": "J", "md5": MD5}
    for _ in range(EMAS_RULE.max_depth + 2):
        value = {"nested": value}
    assert find(job(params=json.dumps(value))) == []


def test_keys_of_lists_what_a_job_reports_for_a_no_match_message() -> None:
    params = json.dumps({"buildType": "release", "output": {"apk": "app.apk"}})
    assert keys_of(job(params=params)) == ["apk", "buildType", "output"]
