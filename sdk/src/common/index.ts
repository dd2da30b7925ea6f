export * from './disposable.js';
export * from './event.js';
export * from './errors.js';
export * from './manifest.js';
export * from './plugin-info.js';
export * from './observation.js';
export * from './categories.js';
export * from './sync.js';
export { SDK_VERSION } from './version.js';
