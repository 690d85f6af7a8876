import type { MessageTable } from '../errors';

/** The sentences of lib/store, by messageId: family code and English template. */
export const STORE_MESSAGES = {} as const satisfies MessageTable;
