/** Validators shared by every layer: a bad value gets an Error naming the field, the value and the rule. */

export function checkInt(name: string, v: unknown, min: number, max = Infinity): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    const range = max === Infinity ? `≥ ${min}` : `in [${min}, ${max}]`;
    throw new Error(`${name} must be an integer ${range}, got ${String(v)}`);
  }
  return v;
}

/** Drops keys whose value is undefined, so `{ batchSize: undefined }` keeps the default when spread over defaults. */
export function stripUndefined<T extends object>(o: T): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) out[k] = v;
  return out as T;
}
