import type { ErrorPlace } from '../errors';
import { SensorThingsError } from './messages';

/** A SenML name cut in two: the device (a Thing) and what it measures. */
export interface SplitName {
  /**
   * The device part as SenML's base name writes it, separator included
   * (`urn:dev:mac:0024befffe804ff1:`), so that `thing + measurement` is the name again.
   */
  thing: string;
  measurement: string;
}

export interface SplitOptions {
  /** A base name that names the device: a name starting with it is split right after it. */
  baseName?: string;
  /** The Thing of names with no device part (no ":" or "/"): the whole name is then the measurement. */
  defaultThing?: string;
}

/** RFC 9039 device URNs: `urn:dev:<subtype>:<identifier>`, what follows being the measurement. */
const DEVICE_URN = /^(urn:dev:[A-Za-z0-9]+:[^:/_]+)([:/_])(.*)$/i;
const DEVICE_URN_ONLY = /^urn:dev:[A-Za-z0-9]+:[^:/_]+$/i;

/**
 * The device and the measurement of a SenML name, in this order:
 *
 * 1. a configured base name that the name starts with: the device is the base name;
 * 2. an RFC 9039 device URN (`urn:dev:mac:…`, `urn:dev:ow:…`, `urn:dev:org:…`,
 *    and SenFed's `urn:dev:eui64:…`): the device is the URN up to the first ":",
 *    "/" or "_" (RFC 9039's component separator) after its identifier;
 * 3. any other name: cut after its last ":" or "/" (`buoy-7/water_temperature`);
 * 4. a name with neither: the default Thing when one is configured, else an error.
 *
 * A name that ends at its device part (`urn:dev:mac:0024befffe804ff1:`) names no
 * measurement: an error.
 */
export function splitName(name: string, options: SplitOptions = {}, place?: ErrorPlace): SplitName {
  const { baseName, defaultThing } = options;
  if (baseName !== undefined && baseName.length > 0 && name.startsWith(baseName))
    return measured(baseName, name.slice(baseName.length), name, place);
  const urn = DEVICE_URN.exec(name);
  if (urn) return measured(urn[1] + urn[2], urn[3], name, place);
  if (DEVICE_URN_ONLY.test(name)) return measured(name, '', name, place);
  const cut = Math.max(name.lastIndexOf(':'), name.lastIndexOf('/'));
  if (cut >= 0) return measured(name.slice(0, cut + 1), name.slice(cut + 1), name, place);
  if (defaultThing !== undefined && defaultThing.length > 0)
    return { thing: defaultThing, measurement: name };
  throw new SensorThingsError('STA_NAME_SPLIT', { name }, { place });
}

function measured(
  thing: string,
  measurement: string,
  name: string,
  place: ErrorPlace | undefined,
): SplitName {
  if (measurement.length === 0)
    throw new SensorThingsError('STA_NAME_NO_MEASUREMENT', { name, thing }, { place });
  return { thing, measurement };
}
