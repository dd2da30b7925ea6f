import { inject, injectable } from 'inversify';
import {
  CairnError,
  Emitter,
  ErrorCodes,
  type DuplexStream,
  type ObservationChange,
  type ObservationsApi,
  type ProjectInfo,
  type ReplicateOptions,
  type SyncSession,
} from '@cairn/sdk';
import { HostConfig } from '../host-config.js';

/** What an open project offers the rest of the host. */
export interface OpenProject {
  info(): Promise<ProjectInfo>;
  readonly observations: Omit<ObservationsApi, 'onDidChange'>;
  replicate(stream: DuplexStream, options: ReplicateOptions): SyncSession;
}

/**
 * The project of the data dir, the one the plugins' `ctx.project` and `ctx.sync.replicate`
 * reach.
 */
@injectable()
export class ProjectService {
  private readonly onDidChangeObservationsEmitter = new Emitter<ObservationChange>();
  readonly onDidChangeObservations = this.onDidChangeObservationsEmitter.event;

  constructor(@inject(HostConfig) private readonly config: HostConfig) {}

  /** The open project; `ERR_NO_PROJECT` while the data dir holds none. */
  current(): OpenProject {
    throw new CairnError(
      ErrorCodes.NO_PROJECT,
      `There is no project in ${this.config.dataDir}. Create one with \`cairn init --name NAME\`, or join one with \`cairn init --join PROJECT_KEY\`.`,
    );
  }

  dispose(): void {
    this.onDidChangeObservationsEmitter.dispose();
  }
}
