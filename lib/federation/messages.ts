import type { MessageTable } from '../errors';

/** The sentences of lib/federation, by messageId: family code and English template. */
export const FEDERATION_MESSAGES = {} as const satisfies MessageTable;
