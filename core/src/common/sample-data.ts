import { seededRandom, type ObservationInput } from '@cairn/sdk/common';

/**
 * Seeded, reproducible sample observations: for benchmarks, tests, and the sample data a newcomer
 * can load to see a living workbench. The same seed always gives the same observations.
 */

export interface SampleOptions {
  /** Where the points fall: west, south, east, north. Default: a stretch of the Amazon basin. */
  bbox?: [number, number, number, number];
  /** Category ids to spread the observations over. */
  categories?: readonly string[];
}

export const sampleCategories = ['animal', 'plant', 'water', 'camp', 'threat', 'path', 'fishing', 'hunting', 'community', 'other'] as const;

const subjects = ['jaguar tracks', 'tapir trail', 'fresh water spring', 'old camp', 'illegal logging', 'river crossing',
  'fishing spot', 'medicinal plant', 'nesting birds', 'flooded path', 'sacred site', 'burned area', 'fruit trees',
  'mining pit', 'clay lick', 'hunting blind', 'cleared land', 'boundary marker', 'canoe landing', 'caiman pool'];
const details = ['seen at dawn', 'near the river bend', 'recent', 'several days old', 'reported by the elders',
  'second visit', 'needs follow-up', 'photographed', 'large area', 'small patch', 'along the ridge', 'by the trail'];
const weathers = ['dry', 'rain', 'cloudy', 'sunny'];

// Re-exported: the benchmarks and older callers import it from here.
export { seededRandom };

export function generateObservations(count: number, seed: number, options: SampleOptions = {}): ObservationInput[] {
  const random = seededRandom(seed);
  const [west, south, east, north] = options.bbox ?? [-70, -8, -55, 2];
  const categories = options.categories ?? sampleCategories;
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const observations: ObservationInput[] = [];
  for (let index = 0; index < count; index += 1) {
    const category = pick(categories);
    observations.push({
      lat: round(south + random() * (north - south)),
      lon: round(west + random() * (east - west)),
      category,
      notes: `${capitalize(pick(subjects))}, ${pick(details)}.`,
      tags: {
        weather: pick(weathers),
        count: 1 + Math.floor(random() * 12),
        surveyor: `team-${1 + Math.floor(random() * 6)}`,
      },
    });
  }
  return observations;
}

function round(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
