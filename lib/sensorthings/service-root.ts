/**
 * What a SensorThings service root says of itself (STA 1.1 §9.2.1): its entity sets
 * and, from 1.1 on, `serverSettings.conformance`, the requirement classes and
 * extensions it implements. For the "test connection" button of the server node.
 */
import { SensorThingsServerError } from './client-messages';
import type { SensorThingsClient } from './http';

const CREATE_VIA_MQTT = '/req/create-observations-via-mqtt/observations-creation';

export interface ServiceRootReport {
  serviceRoot: string;
  /** `v1.0` or `v1.1`, from the URL. */
  version: string | undefined;
  /** `Things`, `Datastreams`, … */
  entitySets: string[];
  /** Every conformance class listed (none in STA 1.0). */
  conformance: string[];
  /** The extensions a writer cares about, by short name. */
  extensions: {
    dataArray: boolean;
    batch: boolean;
    createViaMqtt: boolean;
    receiveViaMqtt: boolean;
  };
  /** The MQTT endpoints the server lists for creating Observations. */
  mqttEndpoints: string[];
}

/** Asks the service root; rejects with a SensorThingsServerError when it does not answer as one. */
export async function probeServiceRoot(client: SensorThingsClient): Promise<ServiceRootReport> {
  const answer = await client.get('', { entity: 'service root' });
  const body = answer.body as
    { value?: unknown; serverSettings?: Record<string, unknown> } | undefined;
  if (!body || !Array.isArray(body.value))
    throw new SensorThingsServerError(
      'STA_NOT_SERVICE_ROOT',
      { url: client.serviceRoot },
      { url: answer.url, status: answer.status, entity: 'service root' },
    );
  const entitySets = body.value
    .map((set) => (set as { name?: unknown }).name)
    .filter((name): name is string => typeof name === 'string');
  const settings = body.serverSettings ?? {};
  const conformance = Array.isArray(settings.conformance)
    ? settings.conformance.filter((c): c is string => typeof c === 'string')
    : [];
  const has = (part: string): boolean => conformance.some((c) => c.includes(part));
  const mqttKey = Object.keys(settings).find((key) => key.endsWith(CREATE_VIA_MQTT));
  const endpoints = (settings[mqttKey ?? ''] as { endpoints?: unknown } | undefined)?.endpoints;
  return {
    serviceRoot: client.serviceRoot,
    version: client.version,
    entitySets,
    conformance,
    extensions: {
      dataArray: has('/req/data-array/') || entitySets.includes('CreateObservations'),
      batch: has('/req/batch-request/'),
      createViaMqtt: has(CREATE_VIA_MQTT),
      receiveViaMqtt: has('/req/receive-updates-via-mqtt/'),
    },
    mqttEndpoints: Array.isArray(endpoints)
      ? endpoints.filter((e): e is string => typeof e === 'string')
      : [],
  };
}
