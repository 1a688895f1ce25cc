"""Contains all the data models used in inputs/outputs"""

from .artifact_url_response import ArtifactUrlResponse
from .gateway_error import GatewayError
from .gateway_error_lower_case import GatewayErrorLowerCase
from .pipeline_run import PipelineRun
from .pipeline_run_global_param import PipelineRunGlobalParam
from .pipeline_run_group import PipelineRunGroup
from .pipeline_run_job import PipelineRunJob
from .pipeline_run_job_action import PipelineRunJobAction
from .pipeline_run_job_action_params import PipelineRunJobActionParams
from .pipeline_run_response import PipelineRunResponse
from .pipeline_run_source import PipelineRunSource
from .pipeline_run_source_data import PipelineRunSourceData
from .pipeline_run_stage import PipelineRunStage
from .pipeline_run_stage_info import PipelineRunStageInfo
from .pipeline_run_summary import PipelineRunSummary
from .pipeline_runs_response import PipelineRunsResponse
from .service_connection import ServiceConnection
from .service_connections_response import ServiceConnectionsResponse
from .service_error import ServiceError
from .token_api_error import TokenApiError

__all__ = (
    "ArtifactUrlResponse",
    "GatewayError",
    "GatewayErrorLowerCase",
    "PipelineRun",
    "PipelineRunGlobalParam",
    "PipelineRunGroup",
    "PipelineRunJob",
    "PipelineRunJobAction",
    "PipelineRunJobActionParams",
    "PipelineRunResponse",
    "PipelineRunSource",
    "PipelineRunSourceData",
    "PipelineRunStage",
    "PipelineRunStageInfo",
    "PipelineRunSummary",
    "PipelineRunsResponse",
    "ServiceConnection",
    "ServiceConnectionsResponse",
    "ServiceError",
    "TokenApiError",
)
