/** Federation over XMPP: sessions, PubSub (XEP-0060), Quoalise, ad-hoc commands (XEP-0050), discovery (XEP-0030). */
export {
  XmppSession,
  SessionError,
  IqTimeoutError,
  nextAttemptSentence,
  type AccountOptions,
  type SessionErrorCode,
  type SessionState,
  type StateChange,
} from './session';
export { Backoff, type BackoffOptions } from '../backoff';
export {
  Publisher,
  PublishError,
  describeTarget,
  targetSentence,
  DEFAULT_MAX_ITEMS,
  type Publication,
  type PublishErrorCode,
  type PublishTarget,
} from './publisher';
export { Subscriber, type ReceivedItem, type ReceivedData } from './subscriber';
export {
  request,
  RequestError,
  QUOALISE_COMMANDS,
  type CommandReply,
  type RequestErrorCode,
  type RequestFields,
} from './requester';
export {
  Provider,
  ProviderError,
  ProviderRequest,
  PROVIDED_COMMANDS,
  findRequest,
  type AnsweredBy,
  type ProviderErrorCode,
  type ProviderOptions,
  type Refusal,
} from './provider';
export {
  discover,
  type Catalogue,
  type CatalogueService,
  type CatalogueNode,
  type CatalogueCommand,
  type CatalogueProblem,
} from './discoverer';
export { FederationError, type FederationErrorCode, type FederationMessageId } from './errors';
export { FEDERATION_MESSAGES } from './messages';
export * as pubsub from './pubsub';
export * as quoalise from './quoalise';
export * as adhoc from './adhoc';
export * as discovery from './discovery';
export * as dataForm from './data-form';
export * as stanzaError from './stanza-error';
