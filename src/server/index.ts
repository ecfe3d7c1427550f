/** Public surface of the companion LwM2M server and bootstrap server. */
export { LwM2mServer } from './server.ts';
export type {
  CompositeContent,
  CompositeOptions,
  CreateOptions,
  DiscoverOptions,
  DmOptions,
  FormatOptions,
  LwM2mServerEvents,
  LwM2mServerOptions,
  ObserveOptions,
  WriteOptions,
} from './server.ts';
export { BootstrapServer, type BootstrapResult, type BootstrapServerEvents, type BootstrapServerOptions } from './bootstrap-server.ts';
export { loadBootstrapConfig, parseBootstrapConfig, planFor, type BootstrapConfig, type BootstrapPlan, type BootstrapWrite } from './bootstrap-config.ts';
export { InMemoryRegistrationStore, addressKey, type RegistrationStore } from './store.ts';
export { FileRegistrationStore, RegistrationStoreError, type FileRegistrationStoreOptions } from './file-store.ts';
export { SecurityRegistry, type EndpointCredentials, type SecurityRegistryOptions } from './security.ts';
export { Observation, type Notification, type ObservationEnd } from './observation.ts';
export type { ClientIdentity, ListenerKind, Registration } from './registration.ts';
export type { CreateResult, DiscoverResult, DmResult } from './dm.ts';
export type { AttributesInput, ExecuteArgument, ValueTree, WriteContent } from './content.ts';
export type { DtlsListenerOptions, ListenerOptions } from './listeners.ts';
export { BootstrapConfigError, ClientNotRegisteredError } from './errors.ts';
export { prefixedTarget, type GatewayDevice } from './gateway.ts';
