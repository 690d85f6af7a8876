import { ConsentError } from './errors';

/**
 * The purposes a consent may name: W3C Data Privacy Vocabulary (DPV 2.2,
 * https://w3id.org/dpv) purpose concepts, never free text. The English labels
 * and descriptions follow the concepts' `skos:prefLabel` and `skos:definition`;
 * French and Dutch are SenFed's translations, for the editor.
 */
export const DPV_NAMESPACE = 'https://w3id.org/dpv#';

export type PurposeLanguage = 'en-US' | 'fr' | 'nl';

export interface DpvPurpose {
  /** The concept's IRI, `https://w3id.org/dpv#ServiceProvision`. */
  readonly iri: string;
  /** Its local name, `ServiceProvision`. */
  readonly name: string;
  /** The concept it narrows (`skos:broader`), when that is not `dpv:Purpose` itself. */
  readonly broader?: string;
  readonly labels: Readonly<Record<PurposeLanguage, string>>;
  readonly descriptions: Readonly<Record<PurposeLanguage, string>>;
}

type Texts = Record<PurposeLanguage, string>;

function purpose(name: string, broader: string | undefined, labels: Texts, descriptions: Texts) {
  const iri = DPV_NAMESPACE + name;
  return broader === undefined
    ? { iri, name, labels, descriptions }
    : { iri, name, broader: DPV_NAMESPACE + broader, labels, descriptions };
}

export const DPV_PURPOSES: readonly DpvPurpose[] = [
  purpose(
    'ServiceProvision',
    undefined,
    { 'en-US': 'Service Provision', fr: 'Fourniture du service', nl: 'Dienstverlening' },
    {
      'en-US': 'Providing a service, product or activity',
      fr: 'Fournir un service, un produit ou une activité',
      nl: 'Een dienst, product of activiteit leveren',
    },
  ),
  purpose(
    'ServiceOptimisation',
    'ServiceProvision',
    {
      'en-US': 'Service Optimisation',
      fr: 'Optimisation du service',
      nl: 'Optimalisatie van de dienst',
    },
    {
      'en-US': 'Optimising services or activities',
      fr: 'Optimiser des services ou des activités',
      nl: 'Diensten of activiteiten optimaliseren',
    },
  ),
  purpose(
    'OptimisationForConsumer',
    'ServiceOptimisation',
    {
      'en-US': 'Optimisation for Consumer',
      fr: 'Optimisation pour le consommateur',
      nl: 'Optimalisatie voor de consument',
    },
    {
      'en-US': 'Optimising activities and services for the consumer or user',
      fr: 'Optimiser les activités et services pour le consommateur ou l’utilisateur',
      nl: 'Activiteiten en diensten optimaliseren voor de consument of gebruiker',
    },
  ),
  purpose(
    'ServiceUsageAnalytics',
    'ServiceProvision',
    {
      'en-US': 'Service Usage Analytics',
      fr: 'Analyse de l’utilisation du service',
      nl: 'Analyse van het gebruik van de dienst',
    },
    {
      'en-US': 'Analysing and reporting on the use of services or products',
      fr: 'Analyser l’utilisation de services ou de produits et en rendre compte',
      nl: 'Het gebruik van diensten of producten analyseren en erover rapporteren',
    },
  ),
  purpose(
    'Personalisation',
    undefined,
    { 'en-US': 'Personalisation', fr: 'Personnalisation', nl: 'Personalisatie' },
    {
      'en-US': 'Customising based on the attributes or needs of persons or contexts',
      fr: 'Adapter selon les caractéristiques ou les besoins de personnes ou de contextes',
      nl: 'Aanpassen aan de kenmerken of behoeften van personen of situaties',
    },
  ),
  purpose(
    'ServicePersonalisation',
    'Personalisation',
    {
      'en-US': 'Service Personalisation',
      fr: 'Personnalisation du service',
      nl: 'Personalisatie van de dienst',
    },
    {
      'en-US': 'Personalisation within services, products or activities',
      fr: 'Personnaliser au sein de services, de produits ou d’activités',
      nl: 'Personaliseren binnen diensten, producten of activiteiten',
    },
  ),
  purpose(
    'ResearchAndDevelopment',
    undefined,
    {
      'en-US': 'Research and Development',
      fr: 'Recherche et développement',
      nl: 'Onderzoek en ontwikkeling',
    },
    {
      'en-US': 'Research and development of new methods, products or services',
      fr: 'Rechercher et développer de nouvelles méthodes, produits ou services',
      nl: 'Onderzoek naar en ontwikkeling van nieuwe methoden, producten of diensten',
    },
  ),
  purpose(
    'AcademicResearch',
    'ResearchAndDevelopment',
    { 'en-US': 'Academic Research', fr: 'Recherche universitaire', nl: 'Academisch onderzoek' },
    {
      'en-US': 'Research conducted in an academic context, such as a university',
      fr: 'Recherche menée dans un cadre universitaire',
      nl: 'Onderzoek in een academische context, zoals een universiteit',
    },
  ),
  purpose(
    'NonCommercialResearch',
    'ResearchAndDevelopment',
    {
      'en-US': 'Non-Commercial Research',
      fr: 'Recherche non commerciale',
      nl: 'Niet-commercieel onderzoek',
    },
    {
      'en-US': 'Research in a non-commercial setting, such as a non-profit organisation',
      fr: 'Recherche dans un cadre non commercial, par exemple une association',
      nl: 'Onderzoek in een niet-commerciële omgeving, zoals een non-profitorganisatie',
    },
  ),
  purpose(
    'CommercialResearch',
    'ResearchAndDevelopment',
    { 'en-US': 'Commercial Research', fr: 'Recherche commerciale', nl: 'Commercieel onderzoek' },
    {
      'en-US': 'Research in a commercial setting or meant to be commercialised',
      fr: 'Recherche dans un cadre commercial ou destinée à être commercialisée',
      nl: 'Onderzoek in een commerciële omgeving of bedoeld om te commercialiseren',
    },
  ),
  purpose(
    'ImproveExistingProductsAndServices',
    'OptimisationForController',
    {
      'en-US': 'Improve Existing Products and Services',
      fr: 'Amélioration des produits et services existants',
      nl: 'Verbetering van bestaande producten en diensten',
    },
    {
      'en-US': 'Improving existing products and services',
      fr: 'Améliorer des produits et services existants',
      nl: 'Bestaande producten en diensten verbeteren',
    },
  ),
  purpose(
    'EnforceSecurity',
    undefined,
    {
      'en-US': 'Enforce Security',
      fr: 'Garantie de la sécurité',
      nl: 'Handhaving van de beveiliging',
    },
    {
      'en-US': 'Ensuring and enforcing the security of data, personnel or related matters',
      fr: 'Assurer et faire respecter la sécurité des données, du personnel ou d’éléments liés',
      nl: 'De beveiliging van gegevens, personeel of aanverwante zaken waarborgen en handhaven',
    },
  ),
  purpose(
    'LegalCompliance',
    'FulfilmentOfObligation',
    {
      'en-US': 'Legal Compliance',
      fr: 'Respect des obligations légales',
      nl: 'Naleving van wettelijke verplichtingen',
    },
    {
      'en-US': 'Processing to fulfil a legal or statutory obligation',
      fr: 'Traiter des données pour remplir une obligation légale ou réglementaire',
      nl: 'Gegevens verwerken om aan een wettelijke verplichting te voldoen',
    },
  ),
  purpose(
    'CommunicationManagement',
    undefined,
    {
      'en-US': 'Communication Management',
      fr: 'Gestion des communications',
      nl: 'Beheer van communicatie',
    },
    {
      'en-US': 'Providing or managing communication, such as an e-mail to notify something',
      fr: 'Assurer ou gérer des communications, par exemple un courriel de notification',
      nl: 'Communicatie verzorgen of beheren, zoals een e-mail om iets te melden',
    },
  ),
];

const BY_NAME = new Map(DPV_PURPOSES.map((p) => [p.name, p]));

/** The purpose named by its IRI, `dpv:Name` or `Name`; undefined when SenFed does not know it. */
export function findPurpose(text: unknown): DpvPurpose | undefined {
  if (typeof text !== 'string') return undefined;
  const trimmed = text.trim();
  const name = trimmed.startsWith(DPV_NAMESPACE)
    ? trimmed.slice(DPV_NAMESPACE.length)
    : trimmed.startsWith('dpv:')
      ? trimmed.slice('dpv:'.length)
      : trimmed;
  return BY_NAME.get(name);
}

/** The IRI of the purpose named by its IRI, `dpv:Name` or `Name`, or a ConsentError. */
export function purposeIri(text: string): string {
  return requirePurpose(text).iri;
}

function requirePurpose(text: string): DpvPurpose {
  const found = findPurpose(text);
  if (found === undefined) {
    throw new ConsentError('CONSENT_PURPOSE_UNKNOWN', {
      purpose: String(text),
      known: knownPurposeNames(),
    });
  }
  return found;
}

/** The DPV names SenFed knows, for a message: `ServiceProvision, ServiceOptimisation, …`. */
export function knownPurposeNames(): string {
  return DPV_PURPOSES.map((p) => p.name).join(', ');
}

/**
 * The purpose's label in a language (`fr`, `nl-BE`, `en-US`); a language SenFed
 * has no words for falls back to English.
 */
export function purposeLabel(iri: string, lang: string): string {
  return requirePurpose(iri).labels[purposeLanguage(lang)];
}

/** The one-line description of the purpose in a language, as `purposeLabel` picks it. */
export function purposeDescription(iri: string, lang: string): string {
  return requirePurpose(iri).descriptions[purposeLanguage(lang)];
}

function purposeLanguage(lang: string): PurposeLanguage {
  const primary = String(lang).toLowerCase().split(/[-_]/)[0];
  return primary === 'fr' || primary === 'nl' ? primary : 'en-US';
}
