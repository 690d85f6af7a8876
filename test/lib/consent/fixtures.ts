import type { ConsentEvent, ConsentRecord, DataScope } from '../../../lib/consent/model';
import { newConsentRecord } from '../../../lib/consent/records';
import type { ResolvedPack } from '../../../lib/senml/model';

/** A household's smart meter, as its gateway names it (RFC 8428 §4.5.1, a MAC-based URN). */
export const METER = 'urn:dev:mac:0024befffe804ff1:';
export const POWER = `${METER}power`;
export const ENERGY = `${METER}energy`;
export const ADVISOR = 'advisor@sen2.test';
export const SERVICE_PROVISION = 'https://w3id.org/dpv#ServiceProvision';

export const at = (iso: string): number => Date.parse(iso);
export const seconds = (iso: string): number => Date.parse(iso) / 1000;

/** A meter's readings every `stepSeconds` from `startIso`: power in W, energy as a growing Wh counter. */
export function meterReadings(startIso: string, count: number, stepSeconds: number): ResolvedPack {
  const pack: ResolvedPack = [];
  let energy = 1_523_400;
  for (let i = 0; i < count; i += 1) {
    const t = seconds(startIso) + i * stepSeconds;
    const power = 400 + ((i * 137) % 900);
    energy += (power * stepSeconds) / 3600;
    pack.push({ n: POWER, u: 'W', t, v: power });
    pack.push({ n: ENERGY, u: 'Wh', t, v: Math.round(energy * 10) / 10 });
  }
  return pack;
}

export function given(time: string, validity?: string): ConsentEvent {
  const event: ConsentEvent = {
    type: 'given',
    time,
    evidence: { method: 'dashboard', by: 'household-12', reference: 'form-2026-0415' },
  };
  if (validity !== undefined) event.validity = validity;
  return event;
}

export function householdConsent(
  scope: Partial<DataScope> = {},
  event: ConsentEvent = given('2026-01-01T00:00:00Z', 'P1Y'),
  fields: Partial<Pick<ConsentRecord, 'recipient' | 'purpose' | 'subject' | 'retention'>> = {},
): ConsentRecord {
  return newConsentRecord(
    {
      subject: 'household-12',
      recipient: fields.recipient ?? ADVISOR,
      purpose: fields.purpose ?? 'dpv:ServiceProvision',
      controller: 'Energiecoöperatie Zonnedorp',
      scope: { names: [METER], granularity: 'raw', ...scope },
      retention: fields.retention ?? 'P30D',
    },
    event,
  );
}
