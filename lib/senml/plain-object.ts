/**
 * A plain object: made by `{}` or `Object.create(null)`, in any realm. A
 * Node-RED function node runs in its own context, whose Object.prototype is not
 * this one's: comparing with `Object.prototype` would turn its objects away.
 */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === null || Object.getPrototypeOf(proto) === null;
}
