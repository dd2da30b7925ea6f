import {
  CairnError,
  ErrorCodes,
  type AttachmentInput,
  type DocumentType,
  type FieldInput,
  type ObservationInput,
  type ObservationPatch,
  type PresetInput,
  type ProjectSettings,
  type TrackInput,
  type TrackPatch,
} from '@cairn/sdk';
import {
  fieldInputSchema,
  fieldPatchSchema,
  observationInputSchema,
  observationPatchSchema,
  presetInputSchema,
  presetPatchSchema,
  projectSettingsPatchSchema,
  trackInputSchema,
  trackPatchSchema,
  ISO_TIME_PATTERN,
} from '../../common/schemas.js';
import { InvalidInput, validator } from './validation.js';

/** The checks of what users and plugins write to a project, and the errors they cause. */

const checkObservation = validator<ObservationInput>(observationInputSchema, 'observation');
const checkPatch = validator<ObservationPatch>(observationPatchSchema, 'observation edit');
export const checkPreset = validator<PresetInput>(presetInputSchema, 'category');
export const checkPresetPatch = validator<Partial<PresetInput>>(presetPatchSchema, 'category edit');
export const checkField = validator<FieldInput>(fieldInputSchema, 'field');
export const checkFieldPatch = validator<Partial<FieldInput>>(fieldPatchSchema, 'field edit');
export const checkTrack = validator<TrackInput>(trackInputSchema, 'track');
export const checkTrackPatch = validator<TrackPatch>(trackPatchSchema, 'track edit');
export const checkSettingsPatch = validator<Partial<ProjectSettings>>(projectSettingsPatchSchema, 'project settings');

/**
 * The schema's checks, and a `createdAt` that is a real day (the pattern lets 2024-02-31 through).
 * `label` names the input in an error (`observation [3]`).
 */
export function checkObservationInput(input: ObservationInput, label = 'observation'): ObservationInput {
  const checked = checkObservation(input, label);
  checkTime(checked.createdAt, label, 'createdAt');
  checkTime(checked.updatedAt, label, 'updatedAt');
  checkAttachmentSources(checked.attachments, label);
  return checked;
}

/** A time the schema's pattern lets through must also be a real one (not 2024-02-31). */
export function checkTime(time: string | undefined, label: string, name: string): void {
  if (time === undefined) return;
  const day = typeof time === 'string' ? time.slice(0, 10) : '';
  // Date.parse rolls 2024-02-31 over to March: the day must read back as it was written.
  const realDay = !Number.isNaN(Date.parse(`${day}T00:00:00Z`)) && new Date(`${day}T00:00:00Z`).toISOString().startsWith(day);
  if (typeof time !== 'string' || !new RegExp(ISO_TIME_PATTERN).test(time) || Number.isNaN(Date.parse(time)) || !realDay) {
    throw new InvalidInput(label, `${name} '${String(time)}' is not a real time (ISO 8601, e.g. 2024-05-01T10:00:00Z).`);
  }
}

export function checkObservationPatch(patch: ObservationPatch): ObservationPatch {
  const checked = checkPatch(patch);
  checkAttachmentSources(checked.attachments, 'observation edit');
  return checked;
}

/** Every input checked; an error names the input's position when there are several. */
export function checkObservationInputs(inputs: readonly ObservationInput[]): ObservationInput[] {
  return inputs.map((input, index) => checkObservationInput(input, inputs.length === 1 ? 'observation' : `observation [${index}]`));
}

/** What the schema cannot say of an attachment given as bytes: that `open` is a function. */
function checkAttachmentSources(attachments: readonly AttachmentInput[] | undefined, label: string): void {
  attachments?.forEach((attachment, index) => {
    checkSource(attachment, label, `attachments[${index}]`);
    for (const [variant, source] of Object.entries(attachment.variants ?? {})) checkSource(source, label, `attachments[${index}].variants.${variant}`);
  });
}

function checkSource(source: unknown, label: string, at: string): void {
  const { open, path } = source as { open?: unknown; path?: unknown };
  if (open === undefined) return;
  if (typeof open !== 'function') throw new InvalidInput(label, `${at}.open must be a function that opens the bytes.`);
  if (path !== undefined) throw new InvalidInput(label, `${at} has both a path and open; give one.`);
}

/**
 * The inputs to write, in their order: an input with an `id` that `known` says this device holds
 * (or held: a deleted observation keeps its id), or that an earlier input gave, is left out with
 * `skip`, and is an error without it.
 */
export function withoutKnownIds(inputs: readonly ObservationInput[], known: (ids: string[]) => Set<string>, skip: boolean): ObservationInput[] {
  const ids = inputs.flatMap((input) => (input.id === undefined ? [] : [input.id]));
  if (ids.length === 0) return [...inputs];
  const taken = known(ids);
  const seen = new Set<string>();
  return inputs.filter((input, index) => {
    const id = input.id;
    if (id === undefined) return true;
    const repeated = seen.has(id);
    seen.add(id);
    if (!repeated && !taken.has(id)) return true;
    if (skip) return false;
    const at = inputs.length === 1 ? '' : ` [${index}]`;
    throw new InvalidInput(
      `observation${at}`,
      repeated
        ? `id '${id}' is given to an earlier observation of the same call; give each its own id.`
        : `id '${id}' is taken by an observation of this project (deleted ones keep their id); leave id out for a new one.`,
    );
  });
}

export function describe(type: DocumentType): string {
  return { observation: 'observation', preset: 'category', field: 'field', track: 'track', projectSettings: 'project settings', deviceInfo: 'device', member: 'member', epochKey: 'key' }[type];
}

export function notFound(what: string, id: string): CairnError {
  return new CairnError(ErrorCodes.NOT_FOUND, `There is no ${what} '${id}' (it may have been deleted).`);
}
