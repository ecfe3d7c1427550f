/**
 * The data-model runtime's public surface: the engine the client facade and the RD runner use, the
 * registry the application fills, and the types around them.
 */
export { LwM2mEngine, type EngineEvents, type LwM2mEngineOptions, type ObserverEvent, type SendOptions, type ServerSession } from './engine.ts';
export type { ObservationEndReason } from './observe.ts';
export {
  Registry,
  isInstances,
  type BlockContext,
  type CacheFilter,
  type ExecuteCallback,
  type ExecuteContext,
  type InstanceCallback,
  type InstanceContext,
  type InstancesChange,
  type PostWriteCallback,
  type PreWriteCallback,
  type ReadCallback,
  type RegistryEvents,
  type ResourceData,
  type ResourceDataInput,
  type ValidateCallback,
  type WriteContext,
  type WriteSource,
} from './registry.ts';
export { ExecuteArguments, parseExecuteArguments, type ExecuteArgument } from './execute-args.ts';
export { AccessControl, AclBit, CREATE_INSTANCE_ID } from './access-control.ts';
export { ATTRIBUTE_NAMES, AttributeStore, type AttributeName, type Attributes } from './attributes.ts';
export { formatProfile, FormatProfile, type EngineVersion } from './formats.ts';
export { InstanceExistsError, SendError, type SendFailure } from './errors.ts';
export { configurationProblem } from './operations/bootstrap.ts';
export type { Observation } from './observe.ts';
export { CacheError, DataCache, MAX_CACHE_SIZE, TimeSeriesRing, type CacheOptions, type CacheOverflow, type CacheValue, type CacheValueType } from './cache.ts';
