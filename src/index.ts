/**
 * lwm2m-ts: an OMA LwM2M client engine, companion server and bootstrap server for Node.js.
 * The client facade, the server and the model are exported at the top level; the lower layers as
 * namespaces (`coap`, `codec`, `dtls`, `dm`, `server`).
 */
export * from './errors.ts';
export * from './model/path.ts';
export * from './model/resource-type.ts';
export type * from './model/object-definition.ts';
export type * from './model/record.ts';
export { defineObject, type DefinedObject, type ObjectSpec, type ResourceSpec, type InstanceValues, type ValueOf } from './model/define-object.ts';
export { ObjectCatalogue, DEFAULT_CATALOGUE } from './model/catalogue.ts';
export { parseDdf, loadDdfFile } from './model/ddf.ts';
export type * from './transport/transport.ts';
export { UdpTransport } from './transport/udp.ts';

export { LwM2mClient, ConfigurationError, type LwM2mClientOptions, type StartOptions, type ClientEvents } from './client/client.ts';
export { ObjectHandle, InstanceHandle } from './client/handles.ts';
export { RD_EVENT_TYPES, type RdEvent, type RdEventType } from './client/rd/events.ts';
export { DEFAULT_COMMUNICATION_RETRY, resolveTiming, type CommunicationRetry, type RdTiming } from './client/rd/state.ts';
export type { ObserverEvent } from './dm/engine.ts';
export type { ObservationEndReason } from './dm/observe.ts';
export { LwM2mServer, BootstrapServer, parseBootstrapConfig, loadBootstrapConfig, SecurityRegistry } from './server/index.ts';

export * as coap from './coap/index.ts';
export * as codec from './codec/index.ts';
export * as dm from './dm/index.ts';
export * as dtls from './transport/dtls/index.ts';
export * as server from './server/index.ts';
