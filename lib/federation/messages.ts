import type { MessageTable } from '../errors';

/**
 * The code of the words that name a value inside another sentence ("PubSub node
 * name", "a list", "publish to … on …"): they are translated with it, and are
 * never an error's code.
 */
export type FederationDescriptionCode = 'FEDERATION_DESCRIPTION';

/** The sentences of lib/federation, by messageId: family code and English template. */
export const FEDERATION_MESSAGES = {
  // Terms: what a value is, inside a sentence about it.
  FEDERATION_TERM_TIME: { code: 'FEDERATION_DESCRIPTION', en: 'time' },
  FEDERATION_TERM_IDENTIFIER: { code: 'FEDERATION_DESCRIPTION', en: 'identifier' },
  FEDERATION_TERM_PUBSUB_SERVICE: { code: 'FEDERATION_DESCRIPTION', en: 'PubSub service address' },
  FEDERATION_TERM_PUBSUB_NODE: { code: 'FEDERATION_DESCRIPTION', en: 'PubSub node name' },
  FEDERATION_TERM_PUBSUB_PAYLOAD: { code: 'FEDERATION_DESCRIPTION', en: 'PubSub payload' },
  FEDERATION_TERM_ITEM_ID: { code: 'FEDERATION_DESCRIPTION', en: 'item id' },
  FEDERATION_TERM_SUBSCRIBER_JID: { code: 'FEDERATION_DESCRIPTION', en: 'subscriber JID' },
  FEDERATION_TERM_SUBSCRIPTION_ID: { code: 'FEDERATION_DESCRIPTION', en: 'subscription id' },
  FEDERATION_TERM_SUBSCRIPTION_CHANGE_JID: {
    code: 'FEDERATION_DESCRIPTION',
    en: 'JID of subscription change {index}',
  },
  FEDERATION_TERM_SUBSCRIPTION_CHANGE_SUBID: {
    code: 'FEDERATION_DESCRIPTION',
    en: 'subid of subscription change {index}',
  },
  FEDERATION_TERM_AFFILIATION_CHANGE_JID: {
    code: 'FEDERATION_DESCRIPTION',
    en: 'JID of affiliation change {index}',
  },
  FEDERATION_TERM_FORM_TITLE: { code: 'FEDERATION_DESCRIPTION', en: 'data form title' },
  FEDERATION_TERM_FORM_INSTRUCTIONS: {
    code: 'FEDERATION_DESCRIPTION',
    en: 'data form instructions',
  },
  FEDERATION_TERM_FORM_FIELD_NAME: { code: 'FEDERATION_DESCRIPTION', en: 'data form field name' },
  FEDERATION_TERM_FORM_FIELD_LABEL: {
    code: 'FEDERATION_DESCRIPTION',
    en: 'label of field {field}',
  },
  FEDERATION_TERM_FORM_FIELD_VALUE: {
    code: 'FEDERATION_DESCRIPTION',
    en: 'value of data form field {field}',
  },
  FEDERATION_TERM_COMMAND_PROVIDER: {
    code: 'FEDERATION_DESCRIPTION',
    en: 'command provider address',
  },
  FEDERATION_TERM_COMMAND_NODE: { code: 'FEDERATION_DESCRIPTION', en: 'command node' },
  FEDERATION_TERM_COMMAND_SESSION: { code: 'FEDERATION_DESCRIPTION', en: 'command session id' },
  FEDERATION_TERM_COMMAND_RESULT_FORM: {
    code: 'FEDERATION_DESCRIPTION',
    en: 'command result form',
  },
  FEDERATION_TERM_COMMAND_RESULT_DATA: {
    code: 'FEDERATION_DESCRIPTION',
    en: 'command result data',
  },
  FEDERATION_TERM_NOTE_TEXT: { code: 'FEDERATION_DESCRIPTION', en: 'note text' },
  FEDERATION_TERM_RECIPIENT: { code: 'FEDERATION_DESCRIPTION', en: 'recipient address' },
  FEDERATION_TERM_UPSTREAM_ISSUER: { code: 'FEDERATION_DESCRIPTION', en: 'upstream error issuer' },
  FEDERATION_TERM_UPSTREAM_CODE: { code: 'FEDERATION_DESCRIPTION', en: 'upstream error code' },
  FEDERATION_TERM_ERROR_TEXT: { code: 'FEDERATION_DESCRIPTION', en: 'error text' },
  FEDERATION_TERM_ERROR_LANGUAGE: { code: 'FEDERATION_DESCRIPTION', en: 'error text language' },
  FEDERATION_TERM_APPLICATION_CONDITION: {
    code: 'FEDERATION_DESCRIPTION',
    en: 'application error condition',
  },
  FEDERATION_TERM_DISCOVERY_TARGET: {
    code: 'FEDERATION_DESCRIPTION',
    en: 'discovery target address',
  },
  FEDERATION_TERM_DISCOVERY_NODE: { code: 'FEDERATION_DESCRIPTION', en: 'discovery node' },
  FEDERATION_TERM_IDENTITY_CATEGORY: { code: 'FEDERATION_DESCRIPTION', en: 'identity category' },
  FEDERATION_TERM_IDENTITY_TYPE: { code: 'FEDERATION_DESCRIPTION', en: 'identity type' },
  FEDERATION_TERM_IDENTITY_NAME: { code: 'FEDERATION_DESCRIPTION', en: 'identity name' },
  FEDERATION_TERM_IDENTITY_LANGUAGE: { code: 'FEDERATION_DESCRIPTION', en: 'identity language' },
  FEDERATION_TERM_FEATURE: { code: 'FEDERATION_DESCRIPTION', en: 'feature' },
  FEDERATION_TERM_ITEM_JID: { code: 'FEDERATION_DESCRIPTION', en: 'item jid' },
  FEDERATION_TERM_ITEM_NODE: { code: 'FEDERATION_DESCRIPTION', en: 'item node' },
  FEDERATION_TERM_ITEM_NAME: { code: 'FEDERATION_DESCRIPTION', en: 'item name' },
  // Terms: a value that was given, said in words.
  FEDERATION_VALUE_NOTHING: { code: 'FEDERATION_DESCRIPTION', en: 'nothing' },
  FEDERATION_VALUE_LIST: { code: 'FEDERATION_DESCRIPTION', en: 'a list' },
  FEDERATION_VALUE_OBJECT: { code: 'FEDERATION_DESCRIPTION', en: 'an object' },
  FEDERATION_VALUE_DATE: {
    code: 'FEDERATION_DESCRIPTION',
    en: 'a Date (give a text, e.g. date.toISOString())',
  },

  // Text and elements put in a stanza.
  FEDERATION_TEXT_NOT_TEXT: { code: 'FEDERATION_INPUT', en: '{what} must be text, got {got}' },
  FEDERATION_TEXT_EMPTY: { code: 'FEDERATION_INPUT', en: '{what} must not be empty' },
  FEDERATION_TEXT_NOT_XML: {
    code: 'FEDERATION_INPUT',
    en: '{what} holds a character that XML cannot carry',
  },
  FEDERATION_PAYLOAD_NOT_ELEMENT: {
    code: 'FEDERATION_INPUT',
    en: '{what} must be an XML element, got {got}',
  },
  FEDERATION_PAYLOAD_NO_NAMESPACE: {
    code: 'FEDERATION_INPUT',
    en: '{what} <{element}> must declare its namespace (an xmlns attribute), or it would take the namespace of the stanza around it',
  },

  // Stanza errors (RFC 6120 §8.3).
  FEDERATION_CONDITION_UNKNOWN: {
    code: 'FEDERATION_INPUT',
    en: '"{condition}" is not a stanza error condition of RFC 6120 §8.3.3',
  },
  FEDERATION_ERROR_TYPE_UNKNOWN: {
    code: 'FEDERATION_INPUT',
    en: '"{type}" is not a stanza error type (auth, cancel, continue, modify, wait)',
  },

  // Data forms (XEP-0004).
  FEDERATION_FORM_TYPE_UNKNOWN: {
    code: 'FEDERATION_INPUT',
    en: 'data form type must be form, submit, cancel or result (XEP-0004 §3.1), got {got}',
  },
  FEDERATION_FORM_FIELDS_NOT_OBJECT: {
    code: 'FEDERATION_INPUT',
    en: 'data form fields must be an object of field values, got {got}',
  },
  FEDERATION_FORM_TYPE_TWICE: {
    code: 'FEDERATION_INPUT',
    en: 'FORM_TYPE given twice: as a field and as the formType option',
  },
  FEDERATION_FORM_FIELD_NOT_TEXT: {
    code: 'FEDERATION_INPUT',
    en: 'data form field {field} must be text or a list of texts, got {got}',
  },
  FEDERATION_FORM_WITHOUT_TYPE: {
    code: 'FEDERATION_MALFORMED',
    en: 'data form without a valid type (XEP-0004 §3.1: form, submit, cancel or result), got {got}',
  },

  // Ad-hoc commands (XEP-0050) and times.
  FEDERATION_COMMAND_FIELDS_NOT_OBJECT: {
    code: 'FEDERATION_INPUT',
    en: 'command fields must be an object of field values, got {got}',
  },
  FEDERATION_COMMAND_ACTION_UNKNOWN: {
    code: 'FEDERATION_INPUT',
    en: 'command action must be execute, cancel, prev, next or complete (XEP-0050 §4.1), got {got}',
  },
  FEDERATION_TIME_INVALID_DATE: { code: 'FEDERATION_INPUT', en: '{what} is an invalid Date' },
  FEDERATION_TIME_NOT_TEXT: {
    code: 'FEDERATION_INPUT',
    en: '{what} must be an ISO 8601 time or a Date, got {got}',
  },
  FEDERATION_TIME_NO_OFFSET: {
    code: 'FEDERATION_INPUT',
    en: '{what} {value} is not an ISO 8601 time with offset: it has no UTC offset: add one, e.g. +01:00 or Z',
  },
  FEDERATION_TIME_NOT_ISO: {
    code: 'FEDERATION_INPUT',
    en: '{what} {value} is not an ISO 8601 time with offset: expected e.g. 2021-12-01T00:00:00+01:00',
  },
  FEDERATION_TIME_NOT_REAL: {
    code: 'FEDERATION_INPUT',
    en: '{what} {value} is not a real date and time',
  },
  FEDERATION_START_AFTER_END: {
    code: 'FEDERATION_INPUT',
    en: 'start_time {start} is after end_time {end}',
  },
  FEDERATION_COMMAND_NO_ID: {
    code: 'FEDERATION_MALFORMED',
    en: 'command request without an iq id: it cannot be answered (RFC 6120 §8.2.3)',
  },
  FEDERATION_COMMAND_NO_NODE: {
    code: 'FEDERATION_MALFORMED',
    en: 'command request without a node (XEP-0050 §4.1: it MUST be present)',
  },
  FEDERATION_COMMAND_TAKEN: {
    code: 'FEDERATION_INPUT',
    en: '{jid} already answers the command {command} for another part of the flow (one consent store per account answers audit proofs)',
  },
  FEDERATION_COMMAND_ACTION_MALFORMED: {
    code: 'FEDERATION_MALFORMED',
    en: 'command action {got} is not one of execute, cancel, prev, next, complete (XEP-0050 §4.4: malformed-action)',
  },
  FEDERATION_COMMAND_FIELD_REQUIRED: {
    code: 'FEDERATION_MALFORMED',
    en: '{command}: field "{field}" is required and must hold one value',
  },
  FEDERATION_COMMAND_FIELD_INVALID: { code: 'FEDERATION_MALFORMED', en: '{command}: {cause}' },
  FEDERATION_COMMAND_START_AFTER_END: {
    code: 'FEDERATION_MALFORMED',
    en: '{command}: start_time {start} is after end_time {end}',
  },
  FEDERATION_REPLY_NO_ID: {
    code: 'FEDERATION_INPUT',
    en: 'cannot answer a request without an iq id',
  },
  FEDERATION_REPLY_NOT_REQUEST: {
    code: 'FEDERATION_INPUT',
    en: 'cannot answer {got}: give the parsed request or the iq',
  },
  FEDERATION_REPLY_NO_NODE: {
    code: 'FEDERATION_INPUT',
    en: 'cannot answer a command request without a node',
  },
  FEDERATION_COMMAND_STATUS_UNKNOWN: {
    code: 'FEDERATION_INPUT',
    en: 'command status must be executing, completed or canceled (XEP-0050 §4.1), got {got}',
  },
  FEDERATION_COMMAND_DATA_NOT_QUOALISE: {
    code: 'FEDERATION_INPUT',
    en: 'command result data must be a <quoalise xmlns="urn:quoalise:0"> element (see quoaliseDataElement), got {got}',
  },
  FEDERATION_NOTE_TYPE_UNKNOWN: {
    code: 'FEDERATION_INPUT',
    en: 'note type must be info, warn or error (XEP-0050 §4.3), got {got}',
  },
  FEDERATION_COMMAND_CONDITION_UNKNOWN: {
    code: 'FEDERATION_INPUT',
    en: '"{condition}" is not a XEP-0050 §4.4 condition',
  },
  FEDERATION_COMMAND_STATUS_MALFORMED: {
    code: 'FEDERATION_MALFORMED',
    en: 'command status {got} is not one of executing, completed, canceled (XEP-0050 §4.1)',
  },
  FEDERATION_COMMAND_RESULT_QUOALISE_COUNT: {
    code: 'FEDERATION_MALFORMED',
    en: 'a command result must hold at most one <quoalise> element, this one holds {count}',
  },

  // Who may push data (senders list).
  FEDERATION_SENDER_INVALID: {
    code: 'FEDERATION_INPUT',
    en: '"{entry}" is neither a bare JID (user@domain), a domain, nor "*"',
  },

  // PubSub (XEP-0060).
  FEDERATION_NODE_CONFIG_NOT_OBJECT: {
    code: 'FEDERATION_INPUT',
    en: 'node configuration must be an object, got {got}',
  },
  FEDERATION_ACCESS_MODEL_UNKNOWN: {
    code: 'FEDERATION_INPUT',
    en: 'accessModel must be "whitelist" or "open", got {got}',
  },
  FEDERATION_PERSIST_ITEMS_REQUIRED: {
    code: 'FEDERATION_INPUT',
    en: 'persistItems must be true: SenFed keeps published readings on the node',
  },
  FEDERATION_NODE_MAX_ITEMS: {
    code: 'FEDERATION_INPUT',
    en: 'maxItems must be a whole number above 0 or "max", got {got}',
  },
  FEDERATION_NODE_CONFIG_FORM_TYPE: {
    code: 'FEDERATION_INPUT',
    en: 'extra node configuration cannot set FORM_TYPE',
  },
  FEDERATION_ITEMS_MAX_ITEMS: {
    code: 'FEDERATION_INPUT',
    en: 'maxItems must be a whole number above 0, got {got}',
  },
  FEDERATION_ITEMS_QUERY_BOTH: {
    code: 'FEDERATION_INPUT',
    en: 'ask for the most recent items (maxItems) or for given ids (itemIds), not both',
  },
  FEDERATION_ITEM_IDS_EMPTY: {
    code: 'FEDERATION_INPUT',
    en: 'itemIds must be a non-empty list of item ids, got {got}',
  },
  FEDERATION_SUBSCRIPTION_CHANGES_EMPTY: {
    code: 'FEDERATION_INPUT',
    en: 'give at least one subscription change',
  },
  FEDERATION_SUBSCRIPTION_CHANGE_STATE: {
    code: 'FEDERATION_INPUT',
    en: 'subscription change {index}: subscription must be none, pending, subscribed or unconfigured (§4.2), got {got}',
  },
  FEDERATION_AFFILIATION_CHANGES_EMPTY: {
    code: 'FEDERATION_INPUT',
    en: 'give at least one affiliation change',
  },
  FEDERATION_AFFILIATION_CHANGE_UNKNOWN: {
    code: 'FEDERATION_INPUT',
    en: 'affiliation change {index}: affiliation must be owner, publisher, publish-only, member, none or outcast (§4.1), got {got}',
  },
  FEDERATION_PACK_TOO_DEEP: { code: 'FEDERATION_INPUT', en: 'pack nested too deeply to identify' },
  FEDERATION_PACK_NOT_FINITE: {
    code: 'FEDERATION_INPUT',
    en: 'pack holds {value}, which SenML cannot carry',
  },
  FEDERATION_PACK_NOT_JSON: {
    code: 'FEDERATION_INPUT',
    en: 'pack holds {type}, which is not JSON',
  },
  FEDERATION_PACK_NOT_LIST: {
    code: 'FEDERATION_INPUT',
    en: 'a pack is a list of records, got {got}',
  },
  FEDERATION_PACK_RECORD_NOT_OBJECT: {
    code: 'FEDERATION_INPUT',
    en: 'record {index} must be an object, got {got}',
  },
  FEDERATION_SUBSCRIPTION_STATE_UNKNOWN: {
    code: 'FEDERATION_MALFORMED',
    en: 'subscription: subscription state must be none, pending, subscribed or unconfigured (XEP-0060 §4.2), got {got}',
  },
  FEDERATION_EVENT_SUBSCRIPTION_STATE_UNKNOWN: {
    code: 'FEDERATION_MALFORMED',
    en: 'subscription event from {service}: subscription state must be none, pending, subscribed or unconfigured (XEP-0060 §4.2), got {got}',
  },
  FEDERATION_EVENT_NO_FROM: {
    code: 'FEDERATION_MALFORMED',
    en: 'PubSub event without a from address: the sending service is unknown',
  },
  FEDERATION_EVENT_NO_KIND: {
    code: 'FEDERATION_MALFORMED',
    en: 'PubSub event from {service} holds none of items, purge, delete, configuration, subscription, collection (XEP-0060 §18.3)',
  },
  FEDERATION_EVENT_NO_NODE: {
    code: 'FEDERATION_MALFORMED',
    en: 'PubSub <{kind}> event from {service} without a node attribute (XEP-0060 §18.3)',
  },
  FEDERATION_EVENT_NO_JID: {
    code: 'FEDERATION_MALFORMED',
    en: 'PubSub subscription event from {service} without a jid (XEP-0060 §18.3)',
  },
  FEDERATION_ITEM_NO_SENML: {
    code: 'FEDERATION_MALFORMED',
    en: 'item {itemId} of {node} on {service} holds no <sensml> element',
  },

  // Quoalise: meta, data and messages.
  FEDERATION_META_NAME: {
    code: 'FEDERATION_INPUT',
    en: '{path}: "{key}" cannot be a meta name: it must be an XML name without a colon, not starting with "xml"',
  },
  FEDERATION_META_NAME_RESERVED: {
    code: 'FEDERATION_INPUT',
    en: '{path}: "{key}" cannot be a meta name',
  },
  FEDERATION_META_LINE_BREAK: {
    code: 'FEDERATION_INPUT',
    en: '{path}: a meta attribute cannot hold line breaks or tabs (XML readers turn them into spaces); put such text under "#text"',
  },
  FEDERATION_META_NOT_FINITE: {
    code: 'FEDERATION_INPUT',
    en: '{path}: {value} cannot be written in meta',
  },
  FEDERATION_META_TOO_DEEP: {
    code: 'FEDERATION_INPUT',
    en: '{path}: meta nested more than {depth} levels deep (a cycle?)',
  },
  FEDERATION_META_TEXT_NOT_SCALAR: {
    code: 'FEDERATION_INPUT',
    en: '{path}: the text of a meta element must be a text, number or boolean',
  },
  FEDERATION_META_LIST_ENTRY: {
    code: 'FEDERATION_INPUT',
    en: '{path}: a list in meta holds objects (each becomes a <{key}> element), got {got}',
  },
  FEDERATION_META_VALUE: {
    code: 'FEDERATION_INPUT',
    en: '{path}: meta values are texts, numbers, booleans, objects or lists of objects, got {got}',
  },
  FEDERATION_META_TOO_MANY: { code: 'FEDERATION_INPUT', en: 'meta has more than {max} elements' },
  FEDERATION_META_NOT_OBJECT: { code: 'FEDERATION_INPUT', en: 'meta must be an object, got {got}' },
  FEDERATION_META_RECEIVED_TOO_DEEP: {
    code: 'FEDERATION_LIMIT',
    en: '{path}: meta nested more than {depth} levels deep',
  },
  FEDERATION_META_RECEIVED_TOO_MANY: {
    code: 'FEDERATION_LIMIT',
    en: 'meta has more than {max} elements',
  },
  FEDERATION_META_ATTRIBUTE_AND_ELEMENT: {
    code: 'FEDERATION_MALFORMED',
    en: '{path}: "{name}" is both an attribute and an element, so meta cannot be read as a dictionary',
  },
  FEDERATION_META_EXPECTED: {
    code: 'FEDERATION_MALFORMED',
    en: 'expected <meta xmlns="urn:quoalise:0">, got {got}',
  },
  FEDERATION_PACK_NOT_RESOLVED: {
    code: 'FEDERATION_INPUT',
    en: 'a pack is a list of resolved SenML records, got {got}',
  },
  FEDERATION_PACK_RECORD_NOT_RESOLVED: {
    code: 'FEDERATION_INPUT',
    en: 'record {index} is not a resolved SenML record (it needs a name n and a time t): decode the pack first',
  },
  FEDERATION_PACK_NOT_SENML_XML: {
    code: 'FEDERATION_INPUT',
    en: 'the pack cannot be written as SenML XML: {cause}',
  },
  FEDERATION_QUOALISE_EXPECTED: {
    code: 'FEDERATION_MALFORMED',
    en: 'expected <quoalise xmlns="urn:quoalise:0">, got {got}',
  },
  FEDERATION_QUOALISE_DATA_COUNT: {
    code: 'FEDERATION_MALFORMED',
    en: '<quoalise> must hold one <data> element, it holds {count}',
  },
  FEDERATION_QUOALISE_META_COUNT: {
    code: 'FEDERATION_MALFORMED',
    en: '<data> must hold at most one <meta>, it holds {count}',
  },
  FEDERATION_QUOALISE_SENML_COUNT: {
    code: 'FEDERATION_MALFORMED',
    en: '<data> must hold one <sensml xmlns="urn:ietf:params:xml:ns:senml">, it holds {count}',
  },
  FEDERATION_QUOALISE_SENML_UNREADABLE: {
    code: 'FEDERATION_MALFORMED',
    en: 'Quoalise data holds unreadable SenML: {cause}',
  },
  FEDERATION_QUOALISE_SENML_NOT_TREE: {
    code: 'FEDERATION_MALFORMED',
    en: 'Quoalise data holds unreadable SenML: the element is not a well-formed ltx tree',
  },
  FEDERATION_MESSAGE_TYPE_UNKNOWN: {
    code: 'FEDERATION_INPUT',
    en: 'message type must be "normal" or "chat", got {got}',
  },
  FEDERATION_MESSAGE_QUOALISE_COUNT: {
    code: 'FEDERATION_MALFORMED',
    en: 'a message must hold one <quoalise> element, this one holds {count}',
  },

  // Service discovery (XEP-0030).
  FEDERATION_DISCO_NOT_REQUEST: {
    code: 'FEDERATION_INPUT',
    en: 'cannot answer {got}: give a parsed discovery request',
  },
  FEDERATION_DISCO_NO_IDENTITY: {
    code: 'FEDERATION_INPUT',
    en: 'disco#info needs at least one identity (XEP-0030 §3.1)',
  },
  FEDERATION_DISCO_ITEM_NOT_OBJECT: {
    code: 'FEDERATION_INPUT',
    en: 'a disco item must be an object, got {got}',
  },

  // Reconnect backoff.

  // The session: its errors, and the reasons its state changes.
  SESSION_STATE_CONNECTING: { code: 'FEDERATION_DESCRIPTION', en: 'connecting' },
  SESSION_STATE_OFFLINE: { code: 'FEDERATION_DESCRIPTION', en: 'offline' },
  SESSION_STATE_ERROR: { code: 'FEDERATION_DESCRIPTION', en: 'error' },
  SESSION_STATE_ONLINE: { code: 'FEDERATION_DESCRIPTION', en: 'online' },
  SESSION_STOPPED: { code: 'XMPP_OFFLINE', en: 'stopped' },
  SESSION_NO_PASSWORD: { code: 'XMPP_CONFIG', en: 'no password' },
  SESSION_CA_FILE_UNREADABLE: { code: 'XMPP_CONFIG', en: 'cannot read CA file {file}: {cause}' },
  SESSION_JID_INVALID: { code: 'XMPP_CONFIG', en: '"{jid}" is not a JID of the form user@domain' },
  SESSION_NOT_OFFLINE: { code: 'XMPP_CONFIG', en: 'Connection is not offline' },
  SESSION_ERROR_REPLY_EMPTY: {
    code: 'XMPP_CONFIG',
    en: 'an error reply iq must hold an <error> element',
  },
  SESSION_REPLY_NOT_IQ: {
    code: 'XMPP_CONFIG',
    en: 'a reply to an iq request must be an iq of type result or error, got <{element} type="{type}">',
  },
  SESSION_NO_TLS: { code: 'XMPP_TLS', en: 'the server offers no TLS encryption' },
  SESSION_CERT_SELF_SIGNED: {
    code: 'XMPP_TLS',
    en: 'TLS certificate not trusted: the certificate of {server} is self-signed ({tlsCode})',
  },
  SESSION_CERT_UNTRUSTED_CA: {
    code: 'XMPP_TLS',
    en: 'TLS certificate not trusted: the certificate of {server} comes from a certification authority not trusted here, a private one perhaps ({tlsCode})',
  },
  SESSION_CERT_UNKNOWN_ISSUER: {
    code: 'XMPP_TLS',
    en: 'TLS certificate not trusted: the issuer of the certificate of {server} is unknown here ({tlsCode})',
  },
  SESSION_CERT_EXPIRED: {
    code: 'XMPP_TLS',
    en: 'TLS certificate not trusted: the certificate of {server} has expired ({tlsCode})',
  },
  SESSION_CERT_NOT_YET_VALID: {
    code: 'XMPP_TLS',
    en: 'TLS certificate not trusted: the certificate of {server} is not valid yet ({tlsCode})',
  },
  SESSION_CERT_WRONG_NAME: {
    code: 'XMPP_TLS',
    en: 'TLS certificate not trusted: the certificate of {server} is made out to another name ({tlsCode})',
  },
  SESSION_CERT_OTHER: { code: 'XMPP_TLS', en: 'TLS certificate not trusted ({detail})' },
  SESSION_AUTH_FAILED: { code: 'XMPP_AUTH', en: 'authentication failed: wrong user or password' },
  SESSION_CONNECTION_REFUSED: { code: 'XMPP_OFFLINE', en: 'server refused the connection' },
  SESSION_SERVER_NOT_FOUND: { code: 'XMPP_OFFLINE', en: 'server not found' },
  SESSION_SERVER_UNREACHABLE: { code: 'XMPP_OFFLINE', en: 'server cannot be reached ({detail})' },
  SESSION_CONNECTION_RESET: { code: 'XMPP_OFFLINE', en: 'the server cut the connection' },
  SESSION_CONNECTION_LOST: { code: 'XMPP_OFFLINE', en: 'connection lost' },
  SESSION_CONNECTION_FAILED: { code: 'XMPP_OFFLINE', en: 'connection failed: {detail}' },
  SESSION_STREAM_ERROR: { code: 'XMPP_OFFLINE', en: 'the server ended the stream: {condition}' },
  SESSION_NO_ANSWER: { code: 'XMPP_LOGIN_TIMEOUT', en: 'the server did not answer in time' },
  SESSION_LOGIN_TIMEOUT: {
    code: 'XMPP_LOGIN_TIMEOUT',
    en: 'the server did not finish the login within {seconds} s',
  },
  SESSION_MALFORMED_XML: { code: 'XMPP_MALFORMED', en: 'the server sent malformed XML ({detail})' },
  SESSION_DTD: {
    code: 'XMPP_MALFORMED',
    en: 'the server sent a document type declaration, which XMPP forbids (RFC 6120 §11.1)',
  },
  SESSION_NEXT_ATTEMPT: { code: 'XMPP_OFFLINE', en: 'next attempt in {seconds} s' },
  SESSION_NOT_ONLINE_AFTER: {
    code: 'XMPP_OFFLINE',
    en: '{jid} not online after {timeoutMs} ms: {cause}',
  },
  SESSION_NOT_CONNECTED: { code: 'XMPP_OFFLINE', en: '{jid} is not connected ({cause})' },
  SESSION_LOST_BEFORE_REPLY: {
    code: 'XMPP_OFFLINE',
    en: '{jid}: connection lost before the reply ({cause})',
  },
  SESSION_NOT_SENT: {
    code: 'XMPP_OFFLINE',
    en: 'the stanza could not be sent, for a reason not given',
  },
  SESSION_IQ_TIMEOUT: {
    code: 'XMPP_TIMEOUT',
    en: '{to}: no reply within {timeoutMs} ms (timeout)',
  },

  // PubSub membership kept in step with consent.
  MEMBERSHIP_STILL_SUBSCRIBED: {
    code: 'MEMBERSHIP_REVOKE',
    en: 'access to {node} on {service} was revoked, yet the service still lists subscriptions of {jids}',
  },
  MEMBERSHIP_CHANGED: {
    code: 'MEMBERSHIP_NOTE',
    en: 'members of {node}: added {granted}; removed {revoked}',
  },

  // Publishing.
  PUBLISH_TARGET_NODE: { code: 'FEDERATION_DESCRIPTION', en: 'publish to {node} on {service}' },
  PUBLISH_TARGET_DIRECT: { code: 'FEDERATION_DESCRIPTION', en: 'send to {to}' },
  PUBLISH_NODE_INPUT: { code: 'PUBLISH_INPUT', en: 'publish to {node} on {service}: {cause}' },
  PUBLISH_DIRECT_INPUT: { code: 'PUBLISH_INPUT', en: 'send to {to}: {cause}' },
  PUBLISH_NODE_REFUSED: {
    code: 'PUBLISH_REFUSED',
    en: 'publish to {node} on {service}: {condition}',
  },
  PUBLISH_NODE_REFUSED_DETAIL: {
    code: 'PUBLISH_REFUSED',
    en: 'publish to {node} on {service}: {condition} ({detail})',
  },
  PUBLISH_DIRECT_REFUSED: { code: 'PUBLISH_REFUSED', en: 'send to {to}: {condition}' },
  PUBLISH_DIRECT_REFUSED_DETAIL: {
    code: 'PUBLISH_REFUSED',
    en: 'send to {to}: {condition} ({detail})',
  },
  PUBLISH_NODE_FAILED: { code: 'PUBLISH_FAILED', en: 'publish to {node} on {service}: {cause}' },
  PUBLISH_DIRECT_FAILED: { code: 'PUBLISH_FAILED', en: 'send to {to}: {cause}' },

  // Requesting (Quoalise commands).
  REQUEST_NO_FIELDS: {
    code: 'REQUEST_INPUT',
    en: 'the request needs fields: an identifier, and start and end for get_history',
  },
  REQUEST_NO_PERIOD: { code: 'REQUEST_INPUT', en: 'get_history needs a start and an end time' },
  REQUEST_UNKNOWN_COMMAND: {
    code: 'REQUEST_INPUT',
    en: 'the command must be get_history, subscribe or unsubscribe, got {command}',
  },
  REQUEST_INVALID: { code: 'REQUEST_INPUT', en: '{cause}' },
  REQUEST_UNREADABLE_ANSWER: {
    code: 'REQUEST_MALFORMED',
    en: '{command} at {to}: unreadable answer: {cause}',
  },
  REQUEST_NO_RESULT: {
    code: 'REQUEST_MALFORMED',
    en: '{command} at {to}: the answer holds no ad-hoc command result',
  },
  REQUEST_NOT_COMPLETED: {
    code: 'REQUEST_MALFORMED',
    en: '{command} at {to}: the provider did not complete the command (status {status}); Quoalise commands complete in one stage',
  },
  REQUEST_NO_STATUS: {
    code: 'REQUEST_MALFORMED',
    en: '{command} at {to}: the provider did not complete the command (status missing); Quoalise commands complete in one stage',
  },
  REQUEST_NOT_SENML: {
    code: 'REQUEST_MALFORMED',
    en: '{command} at {to}: the data returned is not valid SenML: {cause}',
  },
  REQUEST_FAILED_NOTE: { code: 'REQUEST_REFUSED', en: '{command} at {to} failed: {text}' },
  REQUEST_REFUSED: { code: 'REQUEST_REFUSED', en: '{command} at {to} refused: {condition}' },
  REQUEST_REFUSED_TEXT: {
    code: 'REQUEST_REFUSED',
    en: '{command} at {to} refused: {condition}: {text}',
  },
  REQUEST_REFUSED_UPSTREAM: {
    code: 'REQUEST_REFUSED',
    en: '{command} at {to} refused: {condition} (upstream {issuer}: {upstreamCode})',
  },
  REQUEST_REFUSED_UPSTREAM_TEXT: {
    code: 'REQUEST_REFUSED',
    en: '{command} at {to} refused: {condition} (upstream {issuer}: {upstreamCode}): {text}',
  },
  REQUEST_NO_ANSWER: {
    code: 'REQUEST_TIMEOUT',
    en: '{command} at {to}: no answer within {timeoutMs} ms',
  },
  REQUEST_NOT_SENT: { code: 'REQUEST_OFFLINE', en: '{command} at {to}: {cause}' },

  // Providing (Quoalise commands): the provider's errors, and what it tells requesters.
  PROVIDER_NEEDS_REGISTRY: {
    code: 'PROVIDER_OPTIONS',
    en: 'a provider that handles subscriptions needs a subscriber registry',
  },
  PROVIDER_REPLY_TIMEOUT: {
    code: 'PROVIDER_OPTIONS',
    en: 'replyTimeoutMs must be a positive number of milliseconds, not {value}',
  },
  PROVIDER_BUSY: {
    code: 'PROVIDER_BUSY',
    en: '{jid} already has a provider: one provider per account (close the other first)',
  },
  PROVIDER_CONDITION_UNKNOWN: {
    code: 'PROVIDER_INPUT',
    en: '{got} is not an XMPP error condition (RFC 6120 §8.3.3), e.g. not-authorized, bad-request, service-unavailable, undefined-condition',
  },
  PROVIDER_ANSWERED_ALREADY: {
    code: 'PROVIDER_ANSWERED',
    en: 'the {command} request {id} from {from} cannot be answered: it was answered already',
  },
  PROVIDER_ANSWERED_ITSELF: {
    code: 'PROVIDER_ANSWERED',
    en: 'the {command} request {id} from {from} cannot be answered: the provider answered it itself (subscriptions are handled by the provider)',
  },
  PROVIDER_ANSWERED_TIMEOUT: {
    code: 'PROVIDER_ANSWERED',
    en: 'the {command} request {id} from {from} cannot be answered: it was not answered in time and the requester was told service-unavailable',
  },
  PROVIDER_ANSWERED_CLOSED: {
    code: 'PROVIDER_ANSWERED',
    en: 'the {command} request {id} from {from} cannot be answered: the provider stopped',
  },
  PROVIDER_NOT_RECORDED: {
    code: 'PROVIDER_RECORD',
    en: 'the {command} of {from} to {identifier} could not be recorded: {cause}',
  },
  PROVIDER_TOLD_NOT_RECORDED: {
    code: 'PROVIDER_RECORD',
    en: 'the subscription could not be recorded',
  },
  PROVIDER_TOLD_STOPPED: { code: 'PROVIDER_REFUSAL', en: 'the provider stopped' },
  PROVIDER_TOLD_NO_COMMAND: {
    code: 'PROVIDER_REFUSAL',
    en: 'no command "{command}" here: this provider offers {commands}',
  },
  PROVIDER_TOLD_NO_CONSENT_CHECK: {
    code: 'PROVIDER_REFUSAL',
    en: 'consent cannot be checked at this provider now',
  },
  PROVIDER_TOLD_NOBODY: {
    code: 'PROVIDER_REFUSAL',
    en: 'nothing takes requests at this provider now',
  },
  PROVIDER_TOLD_TIMEOUT: {
    code: 'PROVIDER_REFUSAL',
    en: 'the provider did not answer within {seconds} s',
  },
} as const satisfies MessageTable;
