/**
 * Command-line options the Node way: Node's own `util.parseArgs` (strict) splits the arguments, and this file adds what
 * it leaves out: typed values checked strictly (decimal integers only, finite numbers, non-empty lists), defaults, help
 * text, `-h/--help`, and `--config FILE` (a JSON object of option values; flags on the command line override it).
 *
 * A usage error is a UsageError: `runCli` prints it as one line plus "see --help" and exits with status 2, the POSIX
 * convention for bad usage; any other failure exits 1.
 */
import * as fs from 'fs';
import * as path from 'path';
import { parseArgs as nodeParseArgs } from 'util';
import { closestName } from '../util/keys';
import { parseJsonFile } from '../util/json-file';

export interface OptionSpec {
  name: string;
  /** 'flag' takes no value; 'int' takes a decimal integer; 'number' a finite decimal number; 'list' A,B… (repeatable). */
  type: 'string' | 'number' | 'int' | 'flag' | 'list';
  help: string;
  default?: string | number | boolean;
  /** A one-letter alias (`-h`). */
  short?: string;
  /** Bounds of an 'int' or 'number' value (inclusive). */
  min?: number;
  max?: number;
  /** An exclusive lower bound (a learning rate > 0). */
  above?: number;
  /** The accepted values of a 'string' option or of every item of a 'list'. */
  choices?: readonly string[];
}

export type Value = string | number | boolean | string[] | undefined;
export type Parsed = Record<string, Value> & {
  /** Positional arguments. */
  _: string[];
  /** Options set on the command line or in the --config file (not by default), in the order first seen. */
  _given: string[];
};

/** Bad usage: a wrong, missing or malformed option. The CLIs exit with status 2 on it. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** `--config FILE`: every CLI takes it, so it is added to each option list here rather than declared three times. */
export const CONFIG_OPTION: OptionSpec = { name: 'config', type: 'string', help: 'JSON file of option values, e.g. {"steps": 100, "lr": 0.001}; flags override it' };
export const HELP_OPTION: OptionSpec = { name: 'help', short: 'h', type: 'flag', help: 'show this help' };

const DECIMAL_INT = /^[+-]?\d+$/;
const DECIMAL_NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

function bounds(s: OptionSpec): string {
  if (s.above !== undefined) return ` > ${s.above}`;
  if (s.min !== undefined && s.max !== undefined) return ` in [${s.min}, ${s.max}]`;
  if (s.min !== undefined) return ` ≥ ${s.min}`;
  if (s.max !== undefined) return ` ≤ ${s.max}`;
  return '';
}

function checkRange(s: OptionSpec, n: number, raw: string): number {
  if ((s.min !== undefined && n < s.min) || (s.max !== undefined && n > s.max) || (s.above !== undefined && !(n > s.above))) {
    throw new UsageError(`--${s.name} must be ${s.type === 'int' ? 'an integer' : 'a number'}${bounds(s)}, got ${raw}`);
  }
  return n;
}

function checkChoice(s: OptionSpec, v: string): string {
  if (s.choices && !s.choices.includes(v)) {
    const near = closestName(v, s.choices);
    throw new UsageError(`--${s.name} ${JSON.stringify(v)} is not one of ${s.choices.join(', ')}${near ? ` (did you mean ${near}?)` : ''}`);
  }
  return v;
}

/** A command-line string as the option's type (decimal digits only: "0x10", "1e3" and "" are not integers). */
function fromText(s: OptionSpec, v: string): Value {
  const what = JSON.stringify(v);
  if (v === '' && s.type !== 'string') throw new UsageError(`--${s.name} needs a value, got an empty string`);
  switch (s.type) {
    case 'int': {
      if (!DECIMAL_INT.test(v)) throw new UsageError(`--${s.name} must be a decimal integer${bounds(s)}, got ${what}`);
      const n = Number(v);
      if (!Number.isSafeInteger(n)) throw new UsageError(`--${s.name} ${v} is too large to be exact; expected an integer${bounds(s)}`);
      return checkRange(s, n, v);
    }
    case 'number': {
      if (!DECIMAL_NUMBER.test(v)) throw new UsageError(`--${s.name} must be a number, got ${what}`);
      const n = Number(v);
      if (!Number.isFinite(n)) throw new UsageError(`--${s.name} must be a finite number, got ${what}`);
      return checkRange(s, n, v);
    }
    case 'list': {
      const items = v.split(',');
      const empty = items.findIndex((x) => x.trim() === '');
      if (empty >= 0) throw new UsageError(`--${s.name} ${what}: item ${empty + 1} is empty; expected A[,B…] with no empty items`);
      return items.map((x) => checkChoice(s, x.trim()));
    }
    case 'string':
      if (v === '') throw new UsageError(`--${s.name} needs a value, got an empty string`);
      return checkChoice(s, v);
    default:
      throw new UsageError(`--${s.name} takes no value`);
  }
}

/** A --config file value as the option's type: JSON numbers where numbers belong (a string "5" is an error, named). */
function fromJson(file: string, s: OptionSpec, v: unknown): Value {
  const where = `${file}: "${s.name}"`;
  const show = JSON.stringify(v);
  switch (s.type) {
    case 'flag':
      if (typeof v !== 'boolean') throw new UsageError(`${where} is ${show}; expected true or false`);
      return v;
    case 'int':
    case 'number':
      if (typeof v !== 'number' || !Number.isFinite(v)) throw new UsageError(`${where} is ${show}; expected a ${s.type === 'int' ? 'JSON integer' : 'JSON number'}`);
      if (s.type === 'int' && !Number.isSafeInteger(v)) throw new UsageError(`${where} is ${show}; expected an integer${bounds(s)}`);
      return checkRange(s, v, show);
    case 'list': {
      const items = typeof v === 'string' ? v.split(',') : v;
      if (!Array.isArray(items)) throw new UsageError(`${where} is ${show}; expected a list of strings`);
      return items.map((x, i) => {
        if (typeof x !== 'string' || x.trim() === '') throw new UsageError(`${where}[${i}] is ${JSON.stringify(x)}; expected a non-empty string`);
        return checkChoice(s, x.trim());
      });
    }
    default:
      if (typeof v !== 'string' || v === '') throw new UsageError(`${where} is ${show}; expected a non-empty string`);
      return checkChoice(s, v);
  }
}

/** Node's parse errors, rewritten as one line naming the option. */
function usageFromNode(e: unknown, specs: OptionSpec[]): UsageError {
  const err = e as { code?: string; message?: string };
  const msg = String(err.message ?? e);
  const name = /'(-{1,2}[^' ]+)/.exec(msg)?.[1] ?? '';
  if (err.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    const near = closestName(name.replace(/^-+/, ''), specs.map((s) => s.name));
    return new UsageError(`unknown option ${name}${near ? ` (did you mean --${near}?)` : ''}`);
  }
  if (/argument missing/.test(msg)) return new UsageError(`${name} needs a value`);
  if (/does not take an argument/.test(msg)) return new UsageError(`${name} takes no value`);
  if (/ambiguous/.test(msg)) return new UsageError(`${name} needs a value (the next argument starts with '-'; write ${name}=VALUE for a value that does)`);
  return new UsageError(msg.split('\n')[0]);
}

/**
 * Parses `argv` against `specs`. Precedence: the command line, then the --config file (if `config` is among the specs
 * and given), then defaults. Every value is checked by its type; an unknown option or config key is a UsageError.
 */
export function parseArgs(argv: string[], specs: OptionSpec[]): Parsed {
  const options: Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }> = {};
  for (const s of specs) {
    options[s.name] = { type: s.type === 'flag' ? 'boolean' : 'string', ...(s.short ? { short: s.short } : {}), ...(s.type === 'list' ? { multiple: true } : {}) };
  }
  let tokens: ReturnType<typeof nodeParseArgs>['tokens'];
  try {
    tokens = nodeParseArgs({ args: argv, options, strict: true, allowPositionals: true, tokens: true }).tokens;
  } catch (e) {
    throw usageFromNode(e, specs);
  }
  const byName = new Map(specs.map((s) => [s.name, s] as const));
  const cli: Record<string, Value> = {};
  const positionals: string[] = [];
  for (const t of tokens ?? []) {
    if (t.kind === 'positional') positionals.push(t.value);
    if (t.kind !== 'option') continue;
    const s = byName.get(t.name)!;
    if (s.type === 'flag') {
      cli[s.name] = true;
      continue;
    }
    const v = fromText(s, t.value ?? '');
    if (s.type === 'list') cli[s.name] = [...((cli[s.name] as string[] | undefined) ?? []), ...(v as string[])];
    else cli[s.name] = v;
  }
  const file: Record<string, Value> = {};
  if (byName.has('config') && typeof cli.config === 'string' && !cli.help) Object.assign(file, readOptionsFile(cli.config, specs));
  const out: Parsed = { _: positionals, _given: [...new Set([...Object.keys(file), ...Object.keys(cli)])] };
  for (const s of specs) if (s.default !== undefined) out[s.name] = s.default;
  Object.assign(out, file, cli);
  return out;
}

/** A --config file: a JSON object whose keys are option names (without "--"), each value of the option's type. */
export function readOptionsFile(file: string, specs: OptionSpec[]): Record<string, Value> {
  const data = parseJsonFile(path.resolve(file), (m) => new UsageError(m));
  if (typeof data !== 'object' || data === null || Array.isArray(data)) throw new UsageError(`${file}: expected a JSON object of option values, got ${Array.isArray(data) ? 'an array' : JSON.stringify(data)}`);
  const allowed = specs.filter((s) => s.name !== 'config' && s.name !== 'help');
  const out: Record<string, Value> = {};
  for (const [k, v] of Object.entries(data as Record<string, unknown>)) {
    const s = allowed.find((x) => x.name === k);
    if (!s) {
      const near = closestName(k, allowed.map((x) => x.name));
      throw new UsageError(`${file}: unknown key ${JSON.stringify(k)}${near ? ` (did you mean ${JSON.stringify(near)}?)` : ''}; allowed keys: ${allowed.map((x) => x.name).join(', ')}`);
    }
    out[k] = fromJson(file, s, v);
  }
  return out;
}

export function helpText(usage: string, specs: OptionSpec[]): string {
  const lines = [usage, '', 'Options:'];
  for (const s of specs) {
    const arg = s.type === 'flag' ? '' : s.type === 'list' ? ' A[,B…]' : s.type === 'number' || s.type === 'int' ? ' N' : ' VALUE';
    const name = `${s.short ? `-${s.short}, ` : ''}--${s.name}${arg}`;
    lines.push(`  ${name}`.padEnd(30) + s.help + (s.default !== undefined ? ` (default: ${s.default})` : ''));
  }
  return lines.join('\n');
}

/**
 * Runs a CLI's main function: a UsageError prints "<prog>: <message>; see --help" and exits 2, any other error prints
 * its message and exits 1. `cleanup` runs first either way (e.g. closing the figure renderer).
 */
export function runCli(prog: string, main: () => Promise<void>, cleanup: () => Promise<unknown> = async () => undefined): void {
  main().catch(async (e: unknown) => {
    await cleanup().catch(() => undefined);
    if (e instanceof UsageError) {
      console.error(`${prog}: ${e.message}; see --help`);
      process.exit(2);
    }
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  });
}

/**
 * Makes `dir` (an output folder) and proves it can be written, failing fast with the path named: a kernel or device
 * file system (/proc, /sys, /dev) is refused before anything is tried there, then a probe file is created and removed.
 */
export function prepareOutDir(dir: string, option = '--out'): void {
  let cur = path.resolve(dir);
  while (!fs.existsSync(cur) && path.dirname(cur) !== cur) cur = path.dirname(cur);
  let base = cur;
  try {
    base = fs.realpathSync(cur);
  } catch {
    /* unreadable ancestor: the probe below names it */
  }
  if (/^\/(proc|sys|dev)(\/|$)/.test(base)) throw new UsageError(`${option} ${dir} lies on a kernel or device file system (${base}); give an ordinary folder`);
  const probe = path.join(dir, `.write-probe-${process.pid}`);
  try {
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(probe, '');
    fs.rmSync(probe);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new UsageError(`${option} ${dir} cannot be written (${err.code ?? ''}${err.code ? ': ' : ''}${err.message})`);
  }
}
