/**
 * Unknown-key checks for config objects read from JSON or written by hand: a typo (`encoder.widht`) must be an error
 * naming the key, where it sits and what is allowed, never a setting silently left at its default.
 */

/** Edit distance (insert, delete, substitute, and swapping two neighbours counts as one edit). */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}

/** The allowed name closest to `name` (case-insensitive), if it is close enough to be a plausible typo (≤ 1/3 of it edited). */
export function closestName(name: string, allowed: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  for (const a of allowed) {
    const d = editDistance(name.toLowerCase(), a.toLowerCase());
    if (d < bestD) {
      bestD = d;
      best = a;
    }
  }
  return best !== undefined && bestD <= Math.max(1, Math.floor(Math.max(name.length, best.length) / 3)) ? best : undefined;
}

/** The message for an unknown key: "unknown key encoder.widht (did you mean width?); allowed: …". */
export function unknownKeyMessage(what: string, at: string, key: string, allowed: readonly string[]): string {
  const near = closestName(key, allowed);
  const where = at ? `${at}.${key}` : key;
  return `${what}: unknown key ${JSON.stringify(where)}${near ? ` (did you mean ${JSON.stringify(near)}?)` : ''}; allowed keys${at ? ` of ${at}` : ''}: ${[...allowed].join(', ')}`;
}

/**
 * Throws unless every own key of `obj` is in `allowed`. `what` names the config (e.g. "config.json", "CausalLM"), `at` the
 * dotted path of `obj` inside it ('' at the top).
 */
export function checkKeys(what: string, obj: object, allowed: readonly string[], at = ''): void {
  for (const k of Object.keys(obj)) if (!allowed.includes(k)) throw new Error(unknownKeyMessage(what, at, k, allowed));
}

/**
 * The keys of a config interface as a runtime list. Written as `keysOf<Config>({ a: 1, b: 1 })`, TypeScript refuses a
 * missing or an extra key, so the list cannot drift from the interface it guards.
 */
export function keysOf<T>(all: { [K in keyof Required<T>]: 1 }): string[] {
  return Object.keys(all);
}
