import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { describe, expect, it } from 'vitest';
import { loadSotu, normalizeSotuText, sotuDataDir } from '../../src/data/sotu';
import { DEFAULT_SPLIT_SEED, sotuSplits, splitDocuments } from '../../src/data/splits';
import { DataError } from '../../src/data/errors';

describe('SOTU corpus', () => {
  it('loads the 233 speeches sorted by file name with metadata from the file name', () => {
    const docs = loadSotu();
    expect(docs).toHaveLength(233);
    const ids = docs.map((d) => d.id);
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(233);
    expect(docs[0]).toMatchObject({ id: '1790_george_washington_n', year: 1790, president: 'george washington', party: 'n' });
    const truman = docs.find((d) => d.id === '1953_harry_s_truman_d');
    expect(truman).toMatchObject({ year: 1953, president: 'harry s truman', party: 'd' });
    // Text equals the file on disk, read independently.
    const raw = fs.readFileSync(path.join(sotuDataDir(), '1790_george_washington_n.txt'), 'utf8');
    expect(docs[0].text).toBe(raw);
    expect(docs[0].text.startsWith('Fellow-Citizens of the Senate')).toBe(true);
    // Total size of the .txt files, measured independently with Python (len of the decoded text; the 10,759,831 of
    // data-sources.md counts the .json copies, which differ by 211 characters).
    expect(docs.reduce((s, d) => s + d.text.length, 0)).toBe(10_760_042);
  });

  it('caches the parsed corpus (same array on the second call)', () => {
    expect(loadSotu()).toBe(loadSotu());
  });

  it('keeps the raw text by default and makes it ASCII-only with normalize: true', () => {
    const harrison = (o: boolean) => loadSotu({ normalize: o }).find((d) => d.id === '1890_benjamin_harrison_r')!.text;
    expect(harrison(false)).toContain('\u0002');
    expect(harrison(true)).not.toContain('\u0002');
    for (const d of loadSotu({ normalize: true })) expect(/^[\n\t\u0020-\u007e]*$/.test(d.text)).toBe(true);
    expect(normalizeSotuText('“It’s” — 5° •\u0002é')).toBe(`"It's" -- 5 degrees * e`);
  });

  it('says what to install when the data directory is missing', () => {
    const bad = path.join(os.tmpdir(), 'no-such-sotu-dir-xyz');
    expect(() => loadSotu({ dir: bad })).toThrow(DataError);
    expect(() => loadSotu({ dir: bad })).toThrow(/npm install @stdlib\/datasets-sotu@0\.2\.3/);
    expect(() => loadSotu({ dir: bad })).toThrow(new RegExp(bad.replace(/[/\\]/g, '.')));
  });

  it('names the wrong file when one is not valid UTF-8, and rejects a directory without speeches', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sotu-bad-'));
    try {
      expect(() => loadSotu({ dir })).toThrow(/no \.txt speeches.*npm install @stdlib\/datasets-sotu@0\.2\.3/);
      fs.writeFileSync(path.join(dir, '1800_a_b_c.txt'), 'fine text');
      fs.writeFileSync(path.join(dir, '1801_john_adams_f.txt'), Buffer.from([0x41, 0xff, 0xfe, 0x42]));
      expect(() => loadSotu({ dir })).toThrow(/1801_john_adams_f\.txt is unreadable or not valid UTF-8/);
      fs.writeFileSync(path.join(dir, '1801_john_adams_f.txt'), '   ');
      expect(() => loadSotu({ dir })).toThrow(/1801_john_adams_f\.txt is empty/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('document splits', () => {
  it('default SOTU split: 187 / 23 / 23 documents, disjoint, covering every document, each split sorted', () => {
    const s = sotuSplits();
    expect(s.split.seed).toBe(DEFAULT_SPLIT_SEED);
    expect([s.train.length, s.validation.length, s.test.length]).toEqual([187, 23, 23]);
    const all = [...s.split.train, ...s.split.validation, ...s.split.test];
    expect(new Set(all).size).toBe(233);
    expect(new Set(all)).toEqual(new Set(loadSotu().map((d) => d.id)));
    for (const ids of [s.split.train, s.split.validation, s.split.test]) expect([...ids].sort()).toEqual(ids);
    expect(s.test.map((d) => d.id)).toEqual(s.split.test);
  });

  it('is deterministic for a seed, independent of input order, and changes with the seed', () => {
    const ids = loadSotu().map((d) => d.id);
    const a = splitDocuments(ids, { seed: 5 });
    const b = splitDocuments([...ids].reverse(), { seed: 5 });
    expect(b).toEqual(a);
    const c = splitDocuments(ids, { seed: 6 });
    expect(c.test).not.toEqual(a.test);
    expect(JSON.parse(JSON.stringify(a))).toEqual(a); // serialisable record
  });

  it('honours custom fractions with round() sizes and rejects bad ones', () => {
    const ids = Array.from({ length: 10 }, (_, i) => `d${i}`);
    const s = splitDocuments(ids, { seed: 1, fractions: { train: 0.6, validation: 0.2, test: 0.2 } });
    expect([s.train.length, s.validation.length, s.test.length]).toEqual([6, 2, 2]);
    expect(() => splitDocuments(ids, { fractions: { train: 0.5, validation: 0.2, test: 0.2 } })).toThrow(/sum to 1/);
    expect(() => splitDocuments(ids, { fractions: { train: 1.2, validation: -0.1, test: -0.1 } })).toThrow(/train=1.2/);
    expect(() => splitDocuments(['a', 'a'])).toThrow(/unique/);
  });

  it('puts each document in the test split with probability ≈ its fraction (2000 seeds)', () => {
    const ids = Array.from({ length: 20 }, (_, i) => `doc${String(i).padStart(2, '0')}`);
    const inTest = new Map(ids.map((id) => [id, 0]));
    const seeds = 2000;
    for (let seed = 0; seed < seeds; seed++) for (const id of splitDocuments(ids, { seed }).test) inTest.set(id, inTest.get(id)! + 1);
    // Each id: Binomial(2000, 0.1), sd ≈ 13.4; 5 sd bounds.
    for (const [, count] of inTest) expect(Math.abs(count - 200)).toBeLessThan(67);
  });
});
