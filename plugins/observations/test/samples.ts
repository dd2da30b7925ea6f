import type { Observation } from '@cairn/sdk';

/** An observation as the host prints it, for the writers and readers to work on; override any field. */
export function observation(overrides: Partial<Observation> = {}): Observation {
  return {
    id: 'a1',
    version: 'dev/1.0',
    lat: -3.46,
    lon: -62.21,
    category: 'animal',
    notes: 'Tapir tracks',
    tags: {},
    attachments: [],
    createdAt: '2024-05-01T10:00:00.000Z',
    updatedAt: '2024-05-02T10:00:00.000Z',
    createdBy: 'dev',
    forks: [],
    ...overrides,
  };
}
