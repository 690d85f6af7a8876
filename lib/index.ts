/** The SenFed library: `require('@senfed/node-red').senml.decode(...)`. */
export * as senml from './senml';
export * as federation from './federation';
export * as store from './store';
export * as consent from './consent';
export * as devices from './devices';
export { Backoff, BackoffError, type BackoffOptions } from './backoff';
export { SenfedError, type Sentence } from './errors';
