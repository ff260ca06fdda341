// The verification API the engine, relay wiring and CLI use.
export { answerChallenge, inspectRequest, resignRequest, signRequest, signWebhook } from './inspect';
export { detectProvider, getScheme, requireProviderId, resolveProviderId, SCHEMES } from './registry';
export { fetchPaypalCertificate, isPaypalCertUrl } from './providers/paypal';
export { listSampleEvents, sampleEvent } from './samples';
export * from './types';
