/** A place as the forms hold it. */
export interface Place {
  lat: number;
  lon: number;
}

/** The last place an observation was given here, kept by the browser (per workbench origin). */
const LAST_PLACE_KEY = 'cairn.observations.lastPlace';

export function lastPlace(): Place | null {
  try {
    const stored = JSON.parse(localStorage.getItem(LAST_PLACE_KEY) ?? 'null') as Partial<Place> | null;
    if (stored !== null && Number.isFinite(stored.lat) && Number.isFinite(stored.lon)) return { lat: stored.lat!, lon: stored.lon! };
  } catch {
    // A damaged entry is no place.
  }
  return null;
}

export function rememberPlace(place: Place): void {
  localStorage.setItem(LAST_PLACE_KEY, JSON.stringify({ lat: place.lat, lon: place.lon }));
}
