/** Public surface of the CoAP stack. */
export * from './message.ts';
export * from './options.ts';
export { parse, peekHeader, type CoapHeader } from './parse.ts';
export { serialize, serializeEmpty } from './serialize.ts';
export * from './params.ts';
export { cryptoRandom, type RandomSource } from './random.ts';
export type { CoapCounters } from './counters.ts';
export { CoapBlockError, sliceBlock } from './block.ts';
export { isNewerNotification, OBSERVE_MODULO } from './observe.ts';
export { IncomingRequest, type IncomingResponse, type Block1Info } from './incoming.ts';
export { ServerObservation, type NotifyOptions, type NotifyResult, type ObservationCancelReason } from './server-observe.ts';
export { ClientObservation, type ClientObservationEnd, type ObserveOptions } from './client-observe.ts';
export type { RequestOptions } from './client-role.ts';
export { SUPPORTED_CRITICAL_OPTIONS, type RequestHandler } from './server-role.ts';
export { CoapEndpoint, type CoapEndpointEvents, type CoapEndpointOptions } from './endpoint.ts';
