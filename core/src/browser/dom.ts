// The workbench's DOM helpers are the SDK's, which plugins use too.
export { append, clear, h, listen, uid, type Child } from '@cairn/sdk/browser';
