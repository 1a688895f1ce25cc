"""The ids the tests use: the examples of openapi.yaml, which are the API reference page's own.

Both operations take the same ids with the same examples (tests/unit/test_spec.py pins it), so
one set serves every test folder. Tests import it after their conftest has put tests/ on
``sys.path``.
"""

from __future__ import annotations

from typing import Any

from yunxiao_emas.cli.spec import example_ids

IDS: dict[str, Any] = example_ids()
"""``organization_id``, ``pipeline_id``, ``pipeline_run_id``, ``emas_job_instance_id``, ``md5``,
``service_connection_id`` -> the example value."""

ORG: str = IDS["organization_id"]
PIPELINE: int = IDS["pipeline_id"]
RUN: int = IDS["pipeline_run_id"]
JOB: str = IDS["emas_job_instance_id"]
MD5: str = IDS["md5"]
CONNECTION: int = IDS["service_connection_id"]
ARTIFACT_IDS = (ORG, PIPELINE, RUN, JOB)
"""The positional ids of ``EmulatedService.add_artifact``."""
