/* tslint:disable */
/* eslint-disable */
export * from './ArtifactUrlResponse';
export * from './ErrorResponse';
export * from './GatewayError';
export * from './GatewayErrorLowerCase';
export * from './ServiceError';
export * from './TokenApiError';
