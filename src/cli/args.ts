/** A tiny, strict argument parser: --name value, --name=value, --flag; unknown options are errors. */
export interface OptionSpec {
  name: string;
  /** 'flag' takes no value. */
  type: 'string' | 'number' | 'flag' | 'list';
  help: string;
  default?: string | number | boolean;
}

export type Parsed = Record<string, string | number | boolean | string[] | undefined> & { _: string[] };

export function parseArgs(argv: string[], specs: OptionSpec[]): Parsed {
  const out: Parsed = { _: [] };
  for (const s of specs) if (s.default !== undefined) out[s.name] = s.default;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) {
      out._.push(a);
      continue;
    }
    const [rawName, inline] = a.slice(2).split(/=(.*)/s, 2);
    const spec = specs.find((s) => s.name === rawName);
    if (!spec) throw new Error(`unknown option --${rawName}; see --help`);
    if (spec.type === 'flag') {
      if (inline !== undefined) throw new Error(`--${rawName} takes no value`);
      out[spec.name] = true;
      continue;
    }
    const v = inline ?? argv[++i];
    if (v === undefined) throw new Error(`--${rawName} needs a value`);
    if (spec.type === 'number') {
      const n = Number(v);
      if (!Number.isFinite(n)) throw new Error(`--${rawName} must be a number, got ${JSON.stringify(v)}`);
      out[spec.name] = n;
    } else if (spec.type === 'list') {
      const prev = (out[spec.name] as string[] | undefined) ?? [];
      out[spec.name] = [...(Array.isArray(prev) ? prev : []), ...v.split(',').filter(Boolean)];
    } else out[spec.name] = v;
  }
  return out;
}

export function helpText(usage: string, specs: OptionSpec[]): string {
  const lines = [usage, '', 'Options:'];
  for (const s of specs) {
    const arg = s.type === 'flag' ? '' : s.type === 'list' ? ' A[,B…]' : s.type === 'number' ? ' N' : ' VALUE';
    lines.push(`  --${s.name}${arg}`.padEnd(30) + s.help + (s.default !== undefined ? ` (default: ${s.default})` : ''));
  }
  return lines.join('\n');
}
