/**
 * Host services: a plugin's host side registers an object under a name; its workbench side calls
 * it through a typed proxy over the RPC. Arguments and results travel as JSON.
 */

/** Passed to a host service method as its last argument, after the caller's own. */
export interface InvocationContext {
  /** Aborted when the caller cancels (or its window goes away). */
  readonly signal: AbortSignal;
  /** Reports progress of long work to the caller. */
  progress(report: ProgressReport): void;
}

export interface ProgressReport {
  message?: string;
  /** 0–100. */
  percent?: number;
}

/** Optional last argument of a call through a `Remote`: cancel it, or follow its progress. */
/** An event a host service sent to the workbench (see `ctx.services.emit`). */
export interface ServiceEvent {
  service: string;
  event: string;
  data: unknown;
}

export interface CallOptions {
  signal?: AbortSignal;
  onProgress?: (report: ProgressReport) => void;
}

/**
 * How a host service looks from the workbench: every method returns a promise, and takes the
 * service's arguments without the trailing `InvocationContext`, plus optional `CallOptions`.
 */
export type Remote<T> = {
  [K in keyof T as T[K] extends (...args: never[]) => unknown ? K : never]: T[K] extends (...args: infer A) => infer R
    ? (...args: [...DropInvocation<A>, CallOptions?]) => Promise<Awaited<R>>
    : never;
};

type DropInvocation<A extends unknown[]> = A extends [...infer Rest, InvocationContext]
  ? Rest
  : A extends [...infer Rest, InvocationContext?]
    ? Rest
    : A;
