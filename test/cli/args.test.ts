/**
 * The option parser (src/cli/args.ts) and the JSON-file reader under --config (src/util/json-file.ts), in process:
 * every accepted form gives the exact value, every loose form is a UsageError naming the option and the value.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { describe, expect, it } from 'vitest';
import { CONFIG_OPTION, HELP_OPTION, parseArgs, prepareOutDir, UsageError, type OptionSpec } from '../../src/cli/args';
import { jsonErrorOffset, lineColumn, parseJsonFile } from '../../src/util/json-file';
import { closestName, editDistance } from '../../src/util/keys';

const specs: OptionSpec[] = [
  { name: 'profile', type: 'string', choices: ['quick', 'small', 'paper'], default: 'small', help: '' },
  { name: 'only', type: 'list', choices: ['lm', 'qa', 'vit'], help: '' },
  { name: 'steps', type: 'int', min: 1, help: '' },
  { name: 'seed', type: 'int', min: 0, max: 2 ** 32 - 1, default: 1, help: '' },
  { name: 'lr', type: 'number', above: 0, help: '' },
  { name: 'fresh', type: 'flag', help: '' },
  { name: 'out', type: 'string', help: '' },
  CONFIG_OPTION,
  HELP_OPTION,
];

const usage = (argv: string[]): string => {
  try {
    parseArgs(argv, specs);
  } catch (e) {
    expect(e).toBeInstanceOf(UsageError);
    expect((e as Error).message).not.toMatch(/\n/); // one line
    return (e as Error).message;
  }
  throw new Error(`accepted ${JSON.stringify(argv)}`);
};

function tmp(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'seqpe-args-'));
}

describe('option values', () => {
  it('parses every accepted form to the exact value', () => {
    const a = parseArgs(['--steps', '12', '--seed=4294967295', '--lr', '3e-4', '--only', 'lm,qa', '--only=vit', '--fresh', '-h', 'pos'], specs);
    expect(a).toMatchObject({ steps: 12, seed: 4294967295, lr: 3e-4, only: ['lm', 'qa', 'vit'], fresh: true, help: true, profile: 'small', _: ['pos'] });
    expect(a._given).toEqual(['steps', 'seed', 'lr', 'only', 'fresh', 'help']);
    expect(parseArgs(['--seed', '0', '--lr', '.5'], specs)).toMatchObject({ seed: 0, lr: 0.5 });
    expect(parseArgs([], specs)._given).toEqual([]); // defaults are not "given"
  });

  it('takes decimal integers only, naming the value', () => {
    expect(usage(['--steps='])).toBe('--steps needs a value, got an empty string');
    expect(usage(['--steps', '0x10'])).toBe('--steps must be a decimal integer ≥ 1, got "0x10"');
    expect(usage(['--steps', '1e3'])).toBe('--steps must be a decimal integer ≥ 1, got "1e3"');
    expect(usage(['--steps', '2.5'])).toBe('--steps must be a decimal integer ≥ 1, got "2.5"');
    expect(usage(['--steps', ' 5'])).toMatch(/got " 5"/);
    expect(usage(['--steps', '0'])).toBe('--steps must be an integer ≥ 1, got 0');
    expect(usage(['--steps', '99999999999999999999'])).toMatch(/too large to be exact/);
  });

  it('keeps seeds in [0, 2^32 − 1] (the Rng folds larger ones onto smaller)', () => {
    expect(usage(['--seed', '4294967296'])).toBe('--seed must be an integer in [0, 4294967295], got 4294967296');
    expect(usage(['--seed=-1'])).toBe('--seed must be an integer in [0, 4294967295], got -1');
    expect(usage(['--seed', '1.5'])).toMatch(/--seed must be a decimal integer .* got "1.5"/);
    expect(usage(['--seed', '-1'])).toMatch(/^--seed needs a value \(the next argument starts with '-'/); // Node's ambiguity rule
  });

  it('refuses non-finite and non-positive learning rates', () => {
    expect(usage(['--lr', '0'])).toBe('--lr must be a number > 0, got 0');
    expect(usage(['--lr', 'Infinity'])).toBe('--lr must be a number, got "Infinity"');
    expect(usage(['--lr', 'NaN'])).toBe('--lr must be a number, got "NaN"');
    expect(usage(['--lr', '1e999'])).toBe('--lr must be a finite number, got "1e999"');
  });

  it('refuses empty lists and items, and names unknown choices with the closest one', () => {
    expect(usage(['--only', ''])).toBe('--only needs a value, got an empty string');
    expect(usage(['--only', 'lm,,qa'])).toBe('--only "lm,,qa": item 2 is empty; expected A[,B…] with no empty items');
    expect(usage(['--only', 'lm,vt'])).toBe('--only "vt" is not one of lm, qa, vit (did you mean vit?)');
    expect(usage(['--profile', 'smal'])).toBe('--profile "smal" is not one of quick, small, paper (did you mean small?)');
    expect(usage(['--out='])).toBe('--out needs a value, got an empty string');
  });

  it('rewrites Node’s parse errors as one line naming the option', () => {
    expect(usage(['--stpes', '3'])).toBe('unknown option --stpes (did you mean --steps?)');
    expect(usage(['--zzz'])).toBe('unknown option --zzz');
    expect(usage(['--steps'])).toBe('--steps needs a value');
    expect(usage(['--fresh=yes'])).toBe('--fresh takes no value');
    expect(usage(['-x'])).toBe('unknown option -x');
  });
});

describe('--config FILE', () => {
  it('reads option values, and the command line overrides them', () => {
    const dir = tmp();
    const f = path.join(dir, 'run.json');
    fs.writeFileSync(f, JSON.stringify({ steps: 40, lr: 0.002, only: ['qa'], fresh: true, profile: 'quick' }));
    const a = parseArgs(['--config', f, '--steps', '7'], specs);
    expect(a).toMatchObject({ steps: 7, lr: 0.002, only: ['qa'], fresh: true, profile: 'quick', seed: 1 });
    expect(new Set(a._given)).toEqual(new Set(['steps', 'lr', 'only', 'fresh', 'profile', 'config']));
    fs.rmSync(dir, { recursive: true });
  });

  it('rejects unknown keys (closest suggested), strings where numbers belong, and out-of-range values, naming the file', () => {
    const dir = tmp();
    const f = path.join(dir, 'run.json');
    const bad = (obj: unknown): string => {
      fs.writeFileSync(f, JSON.stringify(obj));
      return usage(['--config', f]);
    };
    expect(bad({ stpes: 3 })).toBe(`${f}: unknown key "stpes" (did you mean "steps"?); allowed keys: profile, only, steps, seed, lr, fresh, out`);
    expect(bad({ steps: '5' })).toBe(`${f}: "steps" is "5"; expected a JSON integer`);
    expect(bad({ steps: 2.5 })).toBe(`${f}: "steps" is 2.5; expected an integer ≥ 1`);
    expect(bad({ seed: 2 ** 32 })).toBe('--seed must be an integer in [0, 4294967295], got 4294967296');
    expect(bad({ fresh: 'yes' })).toBe(`${f}: "fresh" is "yes"; expected true or false`);
    expect(bad({ only: ['lm', ''] })).toBe(`${f}: "only"[1] is ""; expected a non-empty string`);
    expect(bad([1])).toBe(`${f}: expected a JSON object of option values, got an array`);
    expect(usage(['--config', path.join(dir, 'none.json')])).toMatch(/^cannot read .*none\.json \(ENOENT\)$/);
    fs.rmSync(dir, { recursive: true });
  });

  it('names the line and column of a JSON syntax error', () => {
    const dir = tmp();
    const f = path.join(dir, 'run.json');
    fs.writeFileSync(f, '{\n  "steps": 3,\n  "lr": NaN\n}\n');
    expect(usage(['--config', f])).toBe(`${f}:3:9: invalid JSON at line 3, column 9 (found "NaN")`);
    fs.writeFileSync(f, '{"steps": 3,}');
    expect(usage(['--config', f])).toBe(`${f}:1:13: invalid JSON at line 1, column 13 (found "}")`);
    fs.writeFileSync(f, '{"steps": 3');
    expect(usage(['--config', f])).toBe(`${f}:1:12: invalid JSON at line 1, column 12 (found the end of the file)`);
    fs.rmSync(dir, { recursive: true });
  });
});

describe('JSON error locator', () => {
  it('agrees with JSON.parse on valid and invalid texts over many random mutations', () => {
    // valid JSON ⇔ offset −1; where V8 reports a position, the locator finds the same one
    const base = JSON.stringify({ a: [1, -2.5e3, true, null, 'x\\"y\u00e9'], b: { c: 'd', e: [] }, f: 0 }, null, 1);
    let seed = 12345;
    const rand = (n: number): number => {
      seed = (seed * 1103515245 + 12345) >>> 0;
      return seed % n;
    };
    const alphabet = '{}[]":,0123456789.-eE tfnul\\x\n';
    let invalid = 0;
    for (let k = 0; k < 2000; k++) {
      const i = rand(base.length);
      const t = k % 3 === 0 ? base.slice(0, i) + base.slice(i + 1) : base.slice(0, i) + alphabet[rand(alphabet.length)] + base.slice(i + (k % 3 === 1 ? 1 : 0));
      let ok = true;
      let pos: number | undefined;
      try {
        JSON.parse(t);
      } catch (e) {
        ok = false;
        const m = /at position (\d+)/.exec((e as Error).message);
        pos = m ? Number(m[1]) : undefined;
      }
      const at = jsonErrorOffset(t);
      expect(at === -1, t).toBe(ok);
      if (!ok) invalid++;
      if (pos !== undefined) expect(at, t).toBe(pos);
    }
    expect(invalid).toBeGreaterThan(500);
  });

  it('gives 1-based lines and columns', () => {
    expect(lineColumn('ab\ncd', 0)).toEqual({ line: 1, column: 1 });
    expect(lineColumn('ab\ncd', 4)).toEqual({ line: 2, column: 2 });
    const dir = tmp();
    fs.writeFileSync(path.join(dir, 'x.json'), '[1]');
    expect(parseJsonFile(path.join(dir, 'x.json'))).toEqual([1]);
    fs.rmSync(dir, { recursive: true });
  });
});

describe('closest names', () => {
  it('edit distance by hand, with a swap counting as one', () => {
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('widht', 'width')).toBe(1);
    expect(editDistance('', 'abc')).toBe(3);
    expect(closestName('widht', ['width', 'heads', 'layers'])).toBe('width');
    expect(closestName('zzzzzz', ['width', 'heads'])).toBeUndefined();
  });
});

describe('output folders', () => {
  it('fail fast, naming the path, on kernel file systems and where nothing can be written', () => {
    expect(() => prepareOutDir('/proc/x')).toThrow(/^--out \/proc\/x lies on a kernel or device file system \(\/proc\)/);
    expect(() => prepareOutDir('/sys/kernel/x/y')).toThrow(UsageError);
    const dir = tmp();
    const file = path.join(dir, 'plain');
    fs.writeFileSync(file, '');
    expect(() => prepareOutDir(path.join(file, 'run'))).toThrow(new RegExp(`^--out ${file}/run cannot be written \\((ENOTDIR|EEXIST)`));
    prepareOutDir(path.join(dir, 'a', 'b'));
    expect(fs.readdirSync(path.join(dir, 'a', 'b'))).toEqual([]); // made, and the probe is gone
    fs.rmSync(dir, { recursive: true });
  });
});
