import { strict as assert } from 'node:assert';
import {
  DPV_PURPOSES,
  purposeDescription,
  purposeIri,
  purposeLabel,
} from '../../../lib/consent/purposes';

describe('consent purposes (W3C DPV)', () => {
  it('are DPV purpose IRIs, each with a label and a description in en-US, fr and nl', () => {
    assert.ok(DPV_PURPOSES.length >= 12);
    const names = new Set<string>();
    for (const purpose of DPV_PURPOSES) {
      assert.equal(purpose.iri, `https://w3id.org/dpv#${purpose.name}`);
      assert.match(purpose.name, /^[A-Z][A-Za-z]+$/);
      names.add(purpose.name);
      for (const lang of ['en-US', 'fr', 'nl'] as const) {
        assert.ok(purpose.labels[lang].length > 0, `${purpose.name} ${lang}`);
        assert.ok(purpose.descriptions[lang].length > 10, `${purpose.name} ${lang}`);
      }
      // Translated, not copied: the three labels are not all the same.
      assert.ok(
        purpose.labels.fr !== purpose.labels['en-US'] ||
          purpose.labels.nl !== purpose.labels['en-US'],
        purpose.name,
      );
    }
    assert.equal(names.size, DPV_PURPOSES.length);
    for (const expected of ['ServiceProvision', 'ResearchAndDevelopment', 'NonCommercialResearch'])
      assert.ok(names.has(expected), expected);
  });

  it('a purpose is named by its IRI, dpv:Name or Name, and stored as the IRI', () => {
    const iri = 'https://w3id.org/dpv#NonCommercialResearch';
    assert.equal(purposeIri(iri), iri);
    assert.equal(purposeIri('dpv:NonCommercialResearch'), iri);
    assert.equal(purposeIri('NonCommercialResearch'), iri);
  });

  it('free text or an unknown term is refused, listing the known ones', () => {
    for (const text of [
      'energy advice',
      'dpv:Advice',
      'https://w3id.org/dpv#serviceprovision',
      '',
    ]) {
      assert.throws(
        () => purposeIri(text),
        (err: Error & { code?: string }) =>
          err.code === 'CONSENT_PURPOSE' && err.message.includes('ServiceProvision'),
        text,
      );
    }
  });

  it('labels follow the language, a regional variant included, English otherwise', () => {
    assert.equal(purposeLabel('dpv:ServiceProvision', 'en-US'), 'Service Provision');
    assert.equal(purposeLabel('dpv:ServiceProvision', 'fr'), 'Fourniture du service');
    assert.equal(purposeLabel('dpv:ServiceProvision', 'nl-BE'), 'Dienstverlening');
    assert.equal(purposeLabel('dpv:ServiceProvision', 'de'), 'Service Provision');
    assert.match(purposeDescription('AcademicResearch', 'fr'), /universitaire/);
    assert.throws(() => purposeLabel('Advice', 'fr'), { code: 'CONSENT_PURPOSE' });
  });
});
