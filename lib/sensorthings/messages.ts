import { SenfedError, type ErrorPlace, type MessageTable, type SentenceParams } from '../errors';

/** The sentences of the SenML → SensorThings mapping and its OData helpers, by messageId. */
export const SENSORTHINGS_MESSAGES = {
  STA_PACK: {
    code: 'STA_MAPPING',
    en: 'a resolved SenML pack is a list of records, not {got}',
  },
  STA_RECORD: {
    code: 'STA_MAPPING',
    en: 'a record is an object, not {got}',
  },
  STA_NAME_MISSING: {
    code: 'STA_MAPPING',
    en: 'the record has no name: a resolved record names its device and measurement in n',
  },
  STA_NAME_SPLIT: {
    code: 'STA_MAPPING',
    en: '"{name}" has no ":" or "/" to tell the device from the measurement: give a base name or a default Thing',
  },
  STA_NAME_NO_MEASUREMENT: {
    code: 'STA_MAPPING',
    en: '"{name}" names the device {thing} but no measurement after it',
  },
  STA_UNIT_UNKNOWN: {
    code: 'STA_MAPPING',
    en: 'unit "{unit}" is not in the SenML units registry: it has no UCUM symbol',
  },
  STA_UNIT_SUGGEST: {
    code: 'STA_MAPPING',
    en: 'unit "{unit}" is not in the SenML units registry: did you mean "{suggestion}"?',
  },
  STA_VALUE_MISSING: {
    code: 'STA_MAPPING',
    en: 'the record has no value (v, vs, vb or vd) and no sum (s)',
  },
  STA_VALUE_NUMBER: {
    code: 'STA_MAPPING',
    en: 'a number was expected, got {got}',
  },
  STA_VALUE_STRING: {
    code: 'STA_MAPPING',
    en: 'a string was expected, got {got}',
  },
  STA_VALUE_BOOLEAN: {
    code: 'STA_MAPPING',
    en: 'true or false was expected, got {got}',
  },
  STA_VALUE_NOT_FINITE: {
    code: 'STA_MAPPING',
    en: 'a finite number was expected, got {got}',
  },
  STA_TIME: {
    code: 'STA_MAPPING',
    en: 'time {t} is not a date ISO 8601 writes with a four-digit year (0000 to 9999)',
  },
  STA_META: {
    code: 'STA_MAPPING',
    en: 'meta becomes the parameters of each Observation and must be an object, not {got}',
  },
  STA_LOCATION_TYPE: {
    code: 'STA_LOCATION',
    en: 'the location is not a GeoJSON geometry (Point, LineString, Polygon, their Multi forms) or a Feature holding one: {got}',
  },
  STA_LOCATION_POSITION: {
    code: 'STA_LOCATION',
    en: 'the position {position} of the {type} location is not [longitude, latitude] or [longitude, latitude, altitude] in finite numbers',
  },
  STA_LOCATION_RANGE: {
    code: 'STA_LOCATION',
    en: 'the position {position} of the {type} location is out of range: GeoJSON gives longitude (-180 to 180) first, then latitude (-90 to 90)',
  },
  STA_LOCATION_SHAPE: {
    code: 'STA_LOCATION',
    en: 'the coordinates of the {type} location are not nested as GeoJSON (RFC 7946) says: {got}',
  },
  STA_ODATA_ID: {
    code: 'STA_ODATA',
    en: 'an entity id is a whole number or a string, not {got}',
  },
  STA_ODATA_PROPERTY: {
    code: 'STA_ODATA',
    en: '"{property}" is not a property name a $filter can name',
  },
} as const satisfies MessageTable;

export type SensorThingsMessageId = keyof typeof SENSORTHINGS_MESSAGES;

/** A pack, option or value that cannot become SensorThings entities or a query. */
export class SensorThingsError extends SenfedError {
  constructor(
    messageId: SensorThingsMessageId,
    params: SentenceParams = {},
    options: { cause?: unknown; place?: ErrorPlace } = {},
  ) {
    super(messageId, SENSORTHINGS_MESSAGES[messageId], params, options);
    this.name = 'SensorThingsError';
  }
}
