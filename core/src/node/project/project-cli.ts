import { inject, injectable } from '@cairn/sdk/inversify';
import { CairnError, ErrorCodes, timeoutMsFrom, type AttachmentVariant, type CommandContribution, type CommandsApi, type JoinResult, type Observation, type ObservationFilter, type TagValue, type Track } from '@cairn/sdk';
import type { CliCommand, CliContribution } from '../cli/cli-command.js';
import { table } from '../cli/format.js';
import { writeFileAtomic } from '../fs-util.js';
import { SyncTransportRegistry } from '../sync/sync-transport-registry.js';
import { ProjectService } from './project-service.js';

/** The project's commands for the palette and `cairn run`. */
@injectable()
export class ProjectCommands implements CommandContribution {
  constructor(@inject(ProjectService) private readonly projects: ProjectService) {}

  registerCommands(commands: CommandsApi): void {
    commands.register('cairn.project.loadSampleData', async (count: unknown = 2000) => {
      if (typeof count !== 'number' || !Number.isInteger(count) || count < 1) {
        throw new CairnError(ErrorCodes.INVALID_INPUT, `The number of sample observations must be a whole number ≥ 1; got ${JSON.stringify(count)}.`);
      }
      const project = await this.projects.loadSampleData(count);
      return { ...project.info(), observations: project.countObservations() };
    });
  }
}

/** `cairn init`, `cairn project` and `cairn obs …` (DESIGN §7). */
@injectable()
export class ProjectCliContribution implements CliContribution {
  constructor(
    @inject(ProjectService) private readonly projects: ProjectService,
    @inject(SyncTransportRegistry) private readonly transports: SyncTransportRegistry,
  ) {}

  /** `cairn init --join-code CODE`. */
  private async joinByCode(input: Record<string, unknown>): Promise<JoinResult> {
    if (input.name !== undefined || input.key !== undefined) throw new CairnError(ErrorCodes.INVALID_INPUT, '--join-code goes alone: not with --name or --join.');
    const timeoutMs = timeoutMsFrom(input.timeout, 120, '--timeout');
    const { joinByCode } = await import('../sync/code-join.js');
    return joinByCode(this.transports, this.projects, {
      code: String(input.joinCode),
      timeoutMs,
      connect: ((input.connect as string[] | undefined) ?? []).map(String),
      ...(input.deviceName !== undefined && { deviceName: String(input.deviceName) }),
    });
  }

  commands(): CliCommand[] {
    const projects = this.projects;
    const open = () => projects.open();
    const id = [{ name: 'id', description: 'the observation id' }];
    const editable = [
      { name: 'lat', type: 'number' as const, valueName: 'degrees', description: 'latitude, -90 to 90' },
      { name: 'lon', type: 'number' as const, valueName: 'degrees', description: 'longitude, -180 to 180' },
      { name: 'category', valueName: 'id', description: 'the category (preset) id' },
      { name: 'notes', valueName: 'text', description: 'free text' },
      { name: 'tag', repeatable: true, valueName: 'key=value', description: 'set a tag (repeatable)' },
    ];
    return [
      {
        path: ['init'],
        description: 'Create a project in the data dir (--name), or join one by an invite code (--join-code) or its key (--join)',
        options: [
          { name: 'name', valueName: 'name', description: 'name of a new project' },
          { name: 'join-code', valueName: 'code', description: 'join with the invite code a coordinator sent (`cairn invite --code`), through their device when it is in reach' },
          { name: 'join', valueName: 'project-key', description: 'key of the project to join (64 hex characters)' },
          { name: 'device-name', valueName: 'name', description: "this device's name (default: the computer's name)" },
          { name: 'connect', repeatable: true, valueName: 'host:port', description: "with --join-code: reach the coordinator's device at this address (its Sync view shows it) instead of looking for it" },
          { name: 'timeout', type: 'number', valueName: 'seconds', description: 'with --join-code: give up with ERR_TIMEOUT after this long (default 120)' },
        ],
        host: 'bare',
        run: async ({ name, join: key, joinCode, deviceName, connect, timeout }) => {
          if (joinCode !== undefined) return this.joinByCode({ name, key, joinCode, deviceName, connect, timeout });
          if (connect !== undefined || timeout !== undefined) throw new CairnError(ErrorCodes.INVALID_INPUT, '--connect and --timeout go with --join-code.');
          const project = await projects.create({
            ...(name !== undefined && { name: String(name) }),
            ...(key !== undefined && { join: String(key) }),
            ...(deviceName !== undefined && { deviceName: String(deviceName) }),
          });
          return project.info();
        },
      },
      {
        path: ['project'],
        description: 'Show the project of the data dir: key, name, this device, observation count',
        host: 'bare',
        run: async () => {
          const project = await open();
          return { ...project.info(), observations: project.countObservations() };
        },
      },
      {
        path: ['obs', 'add'],
        description: 'Add an observation',
        options: [
          { ...editable[0]!, required: true },
          { ...editable[1]!, required: true },
          ...editable.slice(2),
          { name: 'photo', type: 'path', repeatable: true, description: 'attach a file (repeatable)' },
        ],
        host: 'bare',
        run: async ({ lat, lon, category, notes, tag, photo }) => {
          const [observation] = await (await open()).createObservations([
            {
              lat: lat as number,
              lon: lon as number,
              ...(category !== undefined && { category: String(category) }),
              ...(notes !== undefined && { notes: String(notes) }),
              ...(tag !== undefined && { tags: parseTags(tag as string[]) }),
              ...(photo !== undefined && { attachments: (photo as string[]).map((path) => ({ path })) }),
            },
          ]);
          return { id: observation!.id, version: observation!.version };
        },
      },
      {
        path: ['obs', 'list'],
        description: 'List observations, newest first',
        options: [
          { name: 'bbox', valueName: 'w,s,e,n', description: 'only inside this box (degrees)' },
          { name: 'category', valueName: 'id', description: 'only of this category' },
          { name: 'text', valueName: 'words', description: 'only those whose notes contain these words' },
          { name: 'from', valueName: 'iso-date', description: 'created at or after' },
          { name: 'to', valueName: 'iso-date', description: 'created at or before' },
          { name: 'limit', type: 'number', valueName: 'n', description: 'at most this many' },
          { name: 'offset', type: 'number', valueName: 'n', description: 'skip this many' },
        ],
        host: 'bare',
        run: async (input) => (await open()).queryObservations(parseFilter(input)),
        format: (result) => formatObservations(result as Observation[]),
      },
      {
        path: ['obs', 'get'],
        description: 'Show one observation, with its forks',
        arguments: id,
        host: 'bare',
        run: async ({ id: observationId }) => (await open()).getObservation(String(observationId)),
      },
      {
        path: ['obs', 'edit'],
        description: 'Edit an observation (a new version)',
        arguments: id,
        options: [
          ...editable,
          { name: 'untag', repeatable: true, valueName: 'key', description: 'remove a tag (repeatable)' },
          {
            name: 'resolve',
            valueName: 'version',
            description: 'resolve a fork: build on this version (the current one or one of its forks) and replace them all',
          },
        ],
        host: 'bare',
        run: async ({ id: observationId, lat, lon, category, notes, tag, untag, resolve: base }) =>
          (await open()).updateObservation(
            String(observationId),
            {
              ...(lat !== undefined && { lat: lat as number }),
              ...(lon !== undefined && { lon: lon as number }),
              ...(category !== undefined && { category: String(category) }),
              ...(notes !== undefined && { notes: String(notes) }),
              ...(tag !== undefined && { tags: parseTags(tag as string[]) }),
              ...(untag !== undefined && { untag: untag as string[] }),
            },
            base === undefined ? {} : { base: String(base) },
          ),
      },
      {
        path: ['obs', 'delete'],
        description: 'Delete an observation (on every device, once synced)',
        arguments: id,
        host: 'bare',
        run: async ({ id: observationId }) => {
          await (await open()).deleteDocument('observation', String(observationId));
          return { id: String(observationId), deleted: true };
        },
      },
      {
        path: ['tracks', 'list'],
        description: 'List the tracks (recorded by phones): their GPS fixes, category and tags',
        host: 'bare',
        run: async () => (await open()).listTracks(),
        format: (result) =>
          table(
            ['id', 'points', 'from', 'to', 'category'],
            (result as Track[]).map((track) => [track.id, String(track.locations.length), track.locations[0]?.timestamp ?? '', track.locations.at(-1)?.timestamp ?? '', track.category ?? '']),
          ),
      },
      {
        path: ['obs', 'attachment'],
        description: "Write an attachment's bytes to a file",
        arguments: [...id, { name: 'name', description: 'the attachment name (see `cairn obs get`)' }],
        options: [
          { name: 'out', type: 'path', required: true, description: 'the file to write' },
          { name: 'variant', valueName: 'original|preview|thumbnail', description: "a photo's smaller copy instead of its original" },
        ],
        host: 'bare',
        run: async ({ id: observationId, name, out, variant }) => {
          const source = await (await open()).readAttachment(String(observationId), String(name), attachmentVariant(variant));
          const target = String(out);
          return { file: target, bytes: await writeFileAtomic(target, source) };
        },
      },
    ];
  }
}

function attachmentVariant(given: unknown): AttachmentVariant | undefined {
  if (given === undefined || given === 'original') return undefined;
  if (given === 'preview' || given === 'thumbnail') return given;
  throw new CairnError(ErrorCodes.INVALID_INPUT, `--variant must be original, preview or thumbnail; got '${String(given)}'.`);
}

/** `--tag key=value` → `{ key: "value" }`. Values stay text; the first `=` splits. */
function parseTags(pairs: readonly string[]): Record<string, TagValue> {
  const tags: Record<string, TagValue> = {};
  for (const pair of pairs) {
    const split = pair.indexOf('=');
    if (split <= 0) throw new CairnError(ErrorCodes.INVALID_INPUT, `--tag must be KEY=VALUE; got '${pair}'.`);
    tags[pair.slice(0, split)] = pair.slice(split + 1);
  }
  return tags;
}

function parseFilter(input: Record<string, unknown>): ObservationFilter {
  const filter: ObservationFilter = {};
  if (input.bbox !== undefined) {
    const parts = String(input.bbox).split(',').map((part) => Number(part.trim()));
    if (parts.length !== 4 || parts.some((part) => !Number.isFinite(part))) {
      throw new CairnError(ErrorCodes.INVALID_INPUT, `--bbox must be four numbers WEST,SOUTH,EAST,NORTH; got '${String(input.bbox)}'.`);
    }
    const [west, south, east, north] = parts as [number, number, number, number];
    if (south > north || south < -90 || north > 90 || west < -180 || east > 180) {
      throw new CairnError(ErrorCodes.INVALID_INPUT, '--bbox must have south ≤ north within -90..90 and west, east within -180..180.');
    }
    filter.bbox = [west, south, east, north];
  }
  for (const key of ['category', 'text', 'from', 'to'] as const) {
    if (input[key] !== undefined) filter[key] = String(input[key]);
  }
  for (const key of ['limit', 'offset'] as const) {
    const value = input[key];
    if (value === undefined) continue;
    if (!Number.isInteger(value) || (value as number) < 0) {
      throw new CairnError(ErrorCodes.INVALID_INPUT, `--${key} must be a whole number ≥ 0; got ${String(value)}.`);
    }
    filter[key] = value as number;
  }
  return filter;
}

function formatObservations(observations: Observation[]): string {
  if (observations.length === 0) return 'No observations.';
  return table(
    ['ID', 'CREATED', 'CATEGORY', 'LAT', 'LON', 'NOTES'],
    observations.map((observation) => [
      observation.id,
      observation.createdAt.slice(0, 16).replace('T', ' '),
      observation.category ?? '',
      observation.lat.toFixed(5),
      observation.lon.toFixed(5),
      (observation.notes.split('\n')[0] ?? '').slice(0, 60),
    ]),
  );
}
