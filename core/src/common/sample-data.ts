import { seededRandom, type FieldInput, type ObservationInput, type PresetInput } from '@cairn/sdk/common';
import { sampleIcon } from './sample-icons.js';

/**
 * Seeded, reproducible sample observations: for benchmarks, tests, and the sample data a newcomer
 * can load to see a living workbench — a survey of six months in the Amazon basin, in ten
 * categories with names, colours, icons and a form, notes that fit each. The same seed always
 * gives the same observations.
 */

export interface SampleOptions {
  /** Where the points fall: west, south, east, north. Default: a stretch of the Amazon basin. */
  bbox?: [number, number, number, number];
  /** Category ids to spread the observations over. */
  categories?: readonly string[];
  /** The days the observations are spread over, first and last (ISO dates). Default: January to June 2025. */
  period?: [string, string];
}

interface SampleCategory {
  id: string;
  name: string;
  color: string;
  /** What is seen, for the notes. */
  subjects: readonly string[];
}

const categories: readonly SampleCategory[] = [
  { id: 'animal', name: 'Animal', color: '#d35400', subjects: ['Jaguar tracks', 'Tapir trail', 'Nesting birds', 'Giant otters fishing', 'Howler monkeys calling', 'Caiman pool', 'Peccary herd crossing'] },
  { id: 'plant', name: 'Plant', color: '#2e8b3a', subjects: ['Medicinal plant', 'Brazil nut trees in fruit', 'Açaí palms', 'Rubber trees', 'Orchids on an old tree', 'Seedlings for the nursery'] },
  { id: 'water', name: 'Water', color: '#1f6fb2', subjects: ['Fresh water spring', 'Clear stream', 'Muddy water after the rain', 'Dry creek bed', 'Flooded forest', 'Water sample taken'] },
  { id: 'camp', name: 'Camp', color: '#b8860b', subjects: ['Old camp', 'Hunters’ shelter', 'Good place to camp', 'Abandoned camp with rubbish', 'Night camp of the patrol'] },
  { id: 'threat', name: 'Threat', color: '#c0392b', subjects: ['Illegal logging', 'Mining pit', 'Burned area', 'Cleared land', 'Fresh tyre tracks', 'Shotgun cartridges', 'Oily film on the stream'] },
  { id: 'path', name: 'Path', color: '#7a5230', subjects: ['River crossing', 'Flooded path', 'Trail blocked by a fallen tree', 'Boundary marker', 'New trail opened', 'Canoe landing'] },
  { id: 'fishing', name: 'Fishing', color: '#138d8d', subjects: ['Fishing spot', 'Fish traps', 'Spawning ground', 'Nets left in the river', 'Good catch of pacu'] },
  { id: 'hunting', name: 'Hunting', color: '#7d3c98', subjects: ['Hunting blind', 'Clay lick', 'Snares found', 'Game trail', 'Hunting ground of the village'] },
  { id: 'community', name: 'Community', color: '#c2185b', subjects: ['Sacred site', 'School', 'Meeting house', 'Old village site', 'Health post', 'Family garden'] },
  { id: 'other', name: 'Other', color: '#5d6d7e', subjects: ['Something to check again', 'Photo point', 'Landmark tree', 'View over the valley', 'Radio signal here'] },
];

/** The ids of the sample categories, in order. */
export const sampleCategories = ['animal', 'plant', 'water', 'camp', 'threat', 'path', 'fishing', 'hunting', 'community', 'other'] as const;

/** The form every sample category has: the tags its observations carry. */
export const sampleFields: readonly FieldInput[] = [
  {
    id: 'weather',
    key: 'weather',
    type: 'select_one',
    label: 'Weather',
    options: ['dry', 'rain', 'cloudy', 'sunny'].map((value) => ({ label: value[0]!.toUpperCase() + value.slice(1), value })),
  },
  { id: 'count', key: 'count', type: 'number', label: 'How many', helperText: 'Animals, trees, traps… as many as were seen' },
  { id: 'surveyor', key: 'surveyor', type: 'text', label: 'Team', placeholder: 'team-1' },
];

/** The sample categories as presets: a name, a colour (`#rrggbb`, each its own) and an icon. */
export const samplePresets: readonly PresetInput[] = categories.map((category, index) => ({
  id: category.id,
  name: category.name,
  color: category.color,
  iconSvg: sampleIcon(category.id, category.color),
  fields: sampleFields.map((field) => field.id!),
  sort: index,
}));

const details = ['seen at dawn', 'near the river bend', 'recent', 'several days old', 'reported by the elders',
  'second visit', 'needs follow-up', 'photographed', 'large area', 'small patch', 'along the ridge', 'by the trail'];
const weathers = ['dry', 'rain', 'cloudy', 'sunny'];
const subjectsOf = new Map(categories.map((category) => [category.id, category.subjects]));
const anySubject = categories.flatMap((category) => category.subjects);

const DAY = 86_400_000;
/** Field work happens by day: 06:00 to 18:00 in the Amazon (UTC−4), as UTC. */
const FIRST_HOUR = 10;
const HOURS = 12;

// Re-exported: the benchmarks and older callers import it from here.
export { seededRandom };

export function generateObservations(count: number, seed: number, options: SampleOptions = {}): ObservationInput[] {
  const random = seededRandom(seed);
  const [west, south, east, north] = options.bbox ?? [-70, -8, -55, 2];
  const ids = options.categories ?? sampleCategories;
  const [first, last] = (options.period ?? ['2025-01-06', '2025-06-28']).map((day) => Date.parse(`${day.slice(0, 10)}T00:00:00Z`)) as [number, number];
  const days = Math.max(1, Math.round((last - first) / DAY) + 1);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const observations: ObservationInput[] = [];
  for (let index = 0; index < count; index += 1) {
    const category = pick(ids);
    const day = first + Math.floor(random() * days) * DAY;
    const time = day + FIRST_HOUR * 3_600_000 + Math.floor(random() * HOURS * 3_600_000);
    observations.push({
      lat: round(south + random() * (north - south)),
      lon: round(west + random() * (east - west)),
      category,
      notes: `${pick(subjectsOf.get(category) ?? anySubject)}, ${pick(details)}.`,
      tags: {
        weather: pick(weathers),
        count: 1 + Math.floor(random() * 12),
        surveyor: `team-${1 + Math.floor(random() * 6)}`,
      },
      createdAt: new Date(time - (time % 1000)).toISOString(),
    });
  }
  return observations;
}

function round(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}
