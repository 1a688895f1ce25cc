/* tslint:disable */
/* eslint-disable */
export * from './PipelineApi';
