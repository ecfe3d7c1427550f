export * from './errors.ts';
export * from './model/path.ts';
export type * from './model/resource-type.ts';
export type * from './model/object-definition.ts';
export type * from './model/record.ts';
export type * from './transport/transport.ts';
export * as coap from './coap/index.ts';
