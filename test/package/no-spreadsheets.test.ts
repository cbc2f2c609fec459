/**
 * danfojs-node carries SheetJS xlsx (published high-severity advisories for parsing crafted spreadsheets). Two guards:
 * no source of ours reaches danfojs's spreadsheet readers/writers or xlsx itself, and the xlsx that danfojs-node
 * resolves is this repository's stand-in without a parser (vendor/xlsx-disabled, put there by package.json overrides),
 * so even a future call would throw instead of parsing. The second check needs an install made from this package.json
 * (`npm ci`).
 */
import { describe, expect, it } from 'vitest';
import * as fs from 'fs';
import * as path from 'path';

const ROOT = path.resolve(__dirname, '..', '..');
/** What would parse or write a spreadsheet: danfojs's Excel I/O, or xlsx/SheetJS named directly. */
const SPREADSHEET = /\b(readExcel|toExcel|read_excel|to_excel)\b|['"](xlsx|sheetjs)(\/[^'"]*)?['"]|\bXLSX\s*\./;

function codeOf(source: string): string {
  return source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`\\])\/\/.*$/gm, '$1');
}

function ourSources(): string[] {
  const out: string[] = [];
  const walk = (rel: string): void => {
    for (const e of fs.readdirSync(path.join(ROOT, rel), { withFileTypes: true })) {
      const r = `${rel}/${e.name}`;
      if (e.isDirectory()) walk(r);
      else if (/\.(ts|js|mjs|cjs)$/.test(e.name)) out.push(r);
    }
  };
  for (const d of ['src', 'scripts', 'bin', 'notebooks']) if (fs.existsSync(path.join(ROOT, d))) walk(d);
  return out;
}

describe('no spreadsheet parsing', () => {
  it('the pattern catches the ways a spreadsheet could be read (and not comments)', () => {
    const hits = [
      "const df = await dfd.readExcel('a.xlsx');",
      'df.toExcel({ filePath: "b.xlsx" });',
      "import * as XLSX from 'xlsx';",
      "const x = require('xlsx/dist/xlsx.full.min');",
      'XLSX.readFile(f);',
    ];
    for (const h of hits) expect(SPREADSHEET.test(codeOf(h)), h).toBe(true);
    for (const miss of ['// dfd.readExcel is never called', "writeTable(df, 'out', { formats: ['csv'] });", 'const name = "results.xlsx.md";']) {
      expect(SPREADSHEET.test(codeOf(miss)), miss).toBe(false);
    }
  });

  it('no source of ours (src, scripts, bin, notebooks) reads or writes spreadsheets', () => {
    const files = ourSources();
    expect(files.length).toBeGreaterThan(100);
    const found = files.filter((f) => SPREADSHEET.test(codeOf(fs.readFileSync(path.join(ROOT, f), 'utf8'))));
    expect(found).toEqual([]);
  });

  it("no source of ours calls danfojs's readers (the only users of its request / node-fetch network code)", () => {
    const READERS = /\b(readCSV|readJSON|streamCSV|streamJSON|streamCsvTransformer|readExcel|openUrl)\s*\(/;
    expect(READERS.test("await dfd.readCSV('https://x/y.csv')")).toBe(true);
    const found = ourSources().filter((f) => READERS.test(codeOf(fs.readFileSync(path.join(ROOT, f), 'utf8'))));
    expect(found).toEqual([]);
  });

  it("danfojs-node's xlsx is the stand-in without a parser, and it refuses to parse", () => {
    const danfo = path.dirname(require.resolve('danfojs-node/package.json', { paths: [ROOT] }));
    const xlsxMain = require.resolve('xlsx', { paths: [danfo] });
    const pkg = JSON.parse(fs.readFileSync(path.join(path.dirname(xlsxMain), 'package.json'), 'utf8'));
    expect(`${pkg.name}@${pkg.version}`).toBe('xlsx@0.18.5-disabled'); // if not: run `npm ci` (package.json overrides)
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const xlsx = require(xlsxMain);
    const crafted = new Uint8Array([0x50, 0x4b, 0x03, 0x04, 1, 2, 3]); // a zip header, as an .xlsx starts
    expect(() => xlsx.read(crafted, { type: 'array' })).toThrow(/spreadsheet reading and writing are disabled in seqpe-ts/);
    expect(() => xlsx.readFile('any.xlsx')).toThrow(/disabled in seqpe-ts/);
    expect(() => xlsx.utils.sheet_to_json({})).toThrow(/disabled in seqpe-ts/);
  });

  it('danfojs-node gets the one @tensorflow/tfjs of the repository, not a second copy', () => {
    const danfo = path.dirname(require.resolve('danfojs-node/package.json', { paths: [ROOT] }));
    const viaDanfo = fs.realpathSync(require.resolve('@tensorflow/tfjs-node', { paths: [danfo] }));
    expect(viaDanfo).toBe(path.join(fs.realpathSync(ROOT), 'vendor', 'tfjs-node-alias', 'index.js')); // if not: `npm ci`
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    expect(require(viaDanfo)).toBe(require('@tensorflow/tfjs'));
  });
});
