// The DI container library, re-exported so that the host and every plugin share one copy of it.
// `npm run build` replaces the compiled file with a single-file bundle of inversify: the library
// is hundreds of small modules, and loading them one by one cost a quarter of a second at every
// start of the CLI.
export * from 'inversify';
