// Decorator-based injection needs the Reflect metadata API; load it once for every plugin.
import 'reflect-metadata';

export * from '../common/index.js';
export * from './context.js';
export * from './contributions.js';
export * from './files.js';
export * from './formats.js';
export * from './map-layers.js';
export * from './network.js';
export * from './streams.js';
export type * from './plugin-module.js';

// The DI vocabulary plugins need, so that `@cairn/sdk` stays the only import a plugin uses.
export {
  ContainerModule,
  decorate,
  inject,
  injectable,
  multiInject,
  named,
  optional,
  type Bind,
  type ContainerModuleLoadOptions,
  type Newable,
  type ServiceIdentifier,
} from './inversify.js';
