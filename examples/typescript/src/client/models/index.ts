/* tslint:disable */
/* eslint-disable */
export * from './ArtifactUrlResponse';
export * from './ErrorResponse';
export * from './GatewayError';
export * from './GatewayErrorLowerCase';
export * from './PipelineRun';
export * from './PipelineRunGlobalParam';
export * from './PipelineRunGroup';
export * from './PipelineRunJob';
export * from './PipelineRunJobAction';
export * from './PipelineRunResponse';
export * from './PipelineRunSource';
export * from './PipelineRunSourceData';
export * from './PipelineRunStage';
export * from './PipelineRunStageInfo';
export * from './PipelineRunSummary';
export * from './PipelineRunsResponse';
export * from './ServiceConnection';
export * from './ServiceConnectionsResponse';
export * from './ServiceError';
export * from './TokenApiError';
