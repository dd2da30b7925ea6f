import { CairnError, ErrorCodes, isCairnError, type JoinResult, type SyncTransport } from '@cairn/sdk';
import type { ProjectService } from '../project/project-service.js';
import type { SyncTransportRegistry } from './sync-transport-registry.js';

export interface CodeJoinInput {
  code: string;
  deviceName?: string;
  timeoutMs: number;
  connect: string[];
  /** The user gave up (the workbench's Cancel). */
  signal?: AbortSignal;
}

/** Errors that say more than "no one answered": one of them is what the user reads when every transport failed. */
const telling = new Set<string>([ErrorCodes.INVITE_USED, ErrorCodes.INVITE_EXPIRED, ErrorCodes.NOT_FOUND, ErrorCodes.NOT_PERMITTED, ErrorCodes.PROTOCOL_VERSION]);

/**
 * `cairn init --join-code`: every enabled transport that can reach coordinators (the local
 * network, the internet…) looks for one holding the code at once; the first to join wins and the
 * others are stopped.
 */
export async function joinByCode(registry: SyncTransportRegistry, projects: ProjectService, input: CodeJoinInput): Promise<JoinResult> {
  // Checked before any transport starts looking: a code that is no code, a data dir that is taken.
  await projects.inviteCodeId(input.code);
  await projects.mustHoldNoProject();
  const able: Array<SyncTransport & Required<Pick<SyncTransport, 'joinByCode'>>> = [];
  for (const { id } of registry.list()) {
    const transport = await registry.get(id).catch(() => null);
    if (typeof transport?.joinByCode === 'function') able.push(transport as (typeof able)[number]);
  }
  if (able.length === 0) {
    throw new CairnError(ErrorCodes.NOT_FOUND, 'No enabled plugin can reach a coordinator to join with a code: enable one (`cairn plugins enable sync-wifi`).');
  }
  const stop = new AbortController();
  const giveUp = () => stop.abort();
  input.signal?.addEventListener('abort', giveUp);
  const attempts = able.map((transport) =>
    transport.joinByCode({ code: input.code, timeoutMs: input.timeoutMs, connect: input.connect, signal: stop.signal, ...(input.deviceName !== undefined && { deviceName: input.deviceName }) }),
  );
  try {
    return await Promise.any(attempts);
  } catch (error) {
    const errors = error instanceof AggregateError ? (error.errors as unknown[]) : [error];
    throw errors.find((each) => isCairnError(each) && telling.has(each.code)) ?? errors.find((each) => isCairnError(each)) ?? errors[0];
  } finally {
    stop.abort();
    input.signal?.removeEventListener('abort', giveUp);
    await Promise.allSettled(attempts);
  }
}
