import type { GeoJsonGeometry } from './model';
import { SensorThingsError } from './messages';

/** How deep each geometry's coordinates nest down to a position (RFC 7946 §3.1). */
const DEPTH: Readonly<Record<string, number>> = {
  Point: 0,
  MultiPoint: 1,
  LineString: 1,
  MultiLineString: 2,
  Polygon: 2,
  MultiPolygon: 3,
};

/** The fewest positions a list holds, by depth from the position up (a line 2, a ring 4). */
const MIN_POSITIONS: Readonly<Record<string, number>> = { LineString: 2, MultiLineString: 2 };

/**
 * A Location's geometry as STA takes it (`application/geo+json`): a GeoJSON
 * geometry in longitude, latitude order (RFC 7946 §3.1.1), or a Feature whose
 * geometry is taken. Points get the full check: two or three finite numbers,
 * longitude within -180..180 and latitude within -90..90, the usual mistake
 * being latitude first. Other types are checked for their nesting and each of
 * their positions likewise; a GeometryCollection is refused (STA Locations
 * carry one geometry, and FROST derives a FeatureOfInterest from it).
 */
export function checkLocation(value: unknown): GeoJsonGeometry {
  const geometry = isObject(value) && value.type === 'Feature' ? value.geometry : value;
  if (!isObject(geometry) || typeof geometry.type !== 'string' || !(geometry.type in DEPTH))
    throw new SensorThingsError('STA_LOCATION_TYPE', { got: describe(geometry) });
  const type = geometry.type;
  checkNested(geometry.coordinates, DEPTH[type], type);
  if (type === 'Polygon' || type === 'MultiPolygon') checkRings(geometry.coordinates, type);
  return { type, coordinates: structuredClone(geometry.coordinates) };
}

function checkNested(coordinates: unknown, depth: number, type: string): void {
  if (depth === 0) return checkPosition(coordinates, type);
  if (!Array.isArray(coordinates) || coordinates.length === 0)
    throw new SensorThingsError('STA_LOCATION_SHAPE', { type, got: describe(coordinates) });
  const least = depth === 1 ? (MIN_POSITIONS[type] ?? 1) : 1;
  if (coordinates.length < least)
    throw new SensorThingsError('STA_LOCATION_SHAPE', { type, got: describe(coordinates) });
  for (const inner of coordinates) checkNested(inner, depth - 1, type);
}

/** RFC 7946 §3.1.6: a linear ring has four positions or more, the first and last the same. */
function checkRings(coordinates: unknown, type: string): void {
  const polygons = (type === 'Polygon' ? [coordinates] : coordinates) as number[][][][];
  for (const polygon of polygons)
    for (const ring of polygon) {
      const first = ring[0];
      const last = ring[ring.length - 1];
      if (ring.length < 4 || first.some((c, i) => c !== last[i]) || first.length !== last.length)
        throw new SensorThingsError('STA_LOCATION_SHAPE', { type, got: describe(ring) });
    }
}

function checkPosition(position: unknown, type: string): void {
  if (
    !Array.isArray(position) ||
    position.length < 2 ||
    position.length > 3 ||
    !position.every((c) => typeof c === 'number' && Number.isFinite(c))
  )
    throw new SensorThingsError('STA_LOCATION_POSITION', { type, position: describe(position) });
  const [lon, lat] = position as number[];
  if (lon < -180 || lon > 180 || lat < -90 || lat > 90)
    throw new SensorThingsError('STA_LOCATION_RANGE', { type, position: describe(position) });
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A short JSON form of a value for a message. */
export function describe(value: unknown): string {
  let text: string;
  try {
    // NaN and the infinities as themselves, where JSON would write null.
    text =
      JSON.stringify(value, (_key, v: unknown) =>
        typeof v === 'number' && !Number.isFinite(v) ? `\u0000${v}` : v,
      )?.replace(/"\\u0000([^"]*)"/g, '$1') ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
