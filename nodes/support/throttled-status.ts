import type { Node, NodeStatus } from 'node-red';

/** How often at most a counting status is redrawn: each one is a message to every open editor. */
export const STATUS_INTERVAL_MS = 500;

/**
 * A status that counts (lines, frames, uplinks), redrawn at most every
 * STATUS_INTERVAL_MS: the first change shows at once, later ones within the
 * interval are drawn once at its end with the counts of then. `status()` is asked
 * for when it is drawn, so it always shows the latest counts.
 */
export function throttledStatus(
  node: Node,
  status: () => NodeStatus,
): { show(): void; draw(): void; cancel(): void } {
  let last = 0;
  let timer: NodeJS.Timeout | undefined;
  const cancel = (): void => {
    clearTimeout(timer);
    timer = undefined;
  };
  /** At once (a new state, say), whatever the interval. */
  const draw = (): void => {
    cancel();
    last = Date.now();
    node.status(status());
  };
  const show = (): void => {
    const wait = last + STATUS_INTERVAL_MS - Date.now();
    if (wait <= 0) return draw();
    timer ??= setTimeout(() => {
      timer = undefined;
      show();
    }, wait);
  };
  // cancel: before another status (disconnected…) is drawn, or on close, so that no late redraw covers it.
  return { show, draw, cancel };
}
