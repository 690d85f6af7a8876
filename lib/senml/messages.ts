import type { MessageTable } from '../errors';

/** The sentences of lib/senml, by messageId: family code and English template. */
export const SENML_MESSAGES = {} as const satisfies MessageTable;
