/**
 * Tables: danfojs DataFrames (or plain row objects) to CSV, Markdown and HTML, and "mean ± spread over seeds".
 *
 * Formatting rules (the same for every output, so a table reads the same in a notebook, a README and a CSV diff):
 * - CSV keeps full precision (`String(x)`): it is the machine-readable record. Missing (null/undefined) → empty field.
 * - Markdown/HTML round non-integer numbers to `digits` decimals (default 4, per column if given as a map). A column whose
 *   numbers are all integers prints them as integers (lengths, steps, counts). Missing → empty cell; NaN → "NaN".
 * - Numeric columns are right-aligned in Markdown and HTML.
 *
 * Spread over seeds (`meanSpread`): `std` is the population standard deviation (divide by n, numpy's default), chosen
 * because runs are few (2–3 seeds) and it equals the half range for two seeds: [1, 3] → "2.00 ± 1.00". Other kinds:
 * `sampleStd` (divide by n−1), `halfRange` ((max−min)/2), `sem` (sampleStd/√n). One value → no spread ("2.00").
 */
import * as fs from 'fs';
import * as path from 'path';
import type { DataFrame } from 'danfojs-node';

export type CellValue = string | number | boolean | null | undefined;
export type Row = Record<string, CellValue>;

/** The neutral form every output is written from: column names and rows of cells, in order. */
export interface Table {
  columns: string[];
  rows: CellValue[][];
}

/** Anything the writers accept: a danfojs DataFrame, a Table, or an array of row objects (columns in first-seen order). */
export type TableInput = DataFrame | Table | Row[];

function isDataFrameLike(x: unknown): x is { columns: string[]; values: unknown[][]; shape: number[] } {
  const d = x as { columns?: unknown; values?: unknown; shape?: unknown } | null;
  return !!d && typeof d === 'object' && Array.isArray(d.columns) && Array.isArray(d.values) && Array.isArray(d.shape);
}

function checkCell(v: unknown, where: string): CellValue {
  // explicit cast: tslab compiles this file without strictNullChecks, where `v === null` does not narrow `unknown`
  if (v === null || v === undefined || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v as CellValue;
  throw new Error(`${where} is a ${typeof v} (${String(v)}); table cells must be string, number, boolean, null or undefined`);
}

/** Normalise any TableInput to a Table (copies; validates cells). */
export function toTable(input: TableInput): Table {
  if (Array.isArray(input)) {
    const columns: string[] = [];
    const seen = new Set<string>();
    input.forEach((r, i) => {
      if (!r || typeof r !== 'object' || Array.isArray(r)) throw new Error(`row ${i} is not an object; expected {column: value}`);
      for (const k of Object.keys(r)) if (!seen.has(k)) { seen.add(k); columns.push(k); }
    });
    return { columns, rows: input.map((r, i) => columns.map((c) => checkCell(r[c], `row ${i} column '${c}'`))) };
  }
  if (isDataFrameLike(input)) {
    const columns = input.columns.map(String);
    return { columns, rows: input.values.map((r, i) => columns.map((c, j) => checkCell(r[j], `row ${i} column '${c}'`))) };
  }
  const t = input as Table;
  if (t && Array.isArray(t.columns) && Array.isArray(t.rows)) {
    t.rows.forEach((r, i) => {
      if (r.length !== t.columns.length) throw new Error(`table row ${i} has ${r.length} cells for ${t.columns.length} columns`);
    });
    return { columns: [...t.columns], rows: t.rows.map((r, i) => r.map((v, j) => checkCell(v, `row ${i} column '${t.columns[j]}'`))) };
  }
  throw new Error('expected a danfojs DataFrame, a {columns, rows} table or an array of row objects');
}

/** A danfojs DataFrame from row objects (danfojs is loaded on first use: it takes about 1 s). */
export function toFrame(input: Row[] | Table): DataFrame {
  const t = toTable(input);
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const dfd = require('danfojs-node') as typeof import('danfojs-node');
  const data: Record<string, CellValue[]> = {};
  t.columns.forEach((c, j) => { data[c] = t.rows.map((r) => r[j]); });
  return new dfd.DataFrame(data, { columns: t.columns });
}

// ---------------------------------------------------------------------------------------------------------------------
// Cell formatting

export interface FormatOptions {
  /** Decimals for non-integer numbers in Markdown/HTML: one number for all columns or per column (default 4). */
  digits?: number | Record<string, number>;
}

function fixed(v: number, digits: number): string {
  const s = v.toFixed(digits);
  // -0.00 reads as a sign that is not there
  return /^-0(\.0*)?$/.test(s) ? s.slice(1) : s;
}

function checkDigits(d: number, what: string): number {
  if (!Number.isInteger(d) || d < 0 || d > 20) throw new Error(`${what}=${d}; expected an integer number of decimals in 0..20`);
  return d;
}

function columnIsNumeric(t: Table, j: number): boolean {
  let any = false;
  for (const r of t.rows) {
    const v = r[j];
    if (v === null || v === undefined) continue;
    if (typeof v !== 'number') return false;
    any = true;
  }
  return any;
}

/** Cells as display strings (Markdown/HTML rules above), plus which columns are numeric. */
export function formatCells(t: Table, o: FormatOptions = {}): { cells: string[][]; numeric: boolean[] } {
  const numeric = t.columns.map((_, j) => columnIsNumeric(t, j));
  const digitsFor = t.columns.map((c) => {
    const d = typeof o.digits === 'object' ? o.digits[c] ?? 4 : o.digits ?? 4;
    return checkDigits(d, typeof o.digits === 'object' ? `digits['${c}']` : 'digits');
  });
  if (typeof o.digits === 'object') {
    for (const k of Object.keys(o.digits)) if (!t.columns.includes(k)) throw new Error(`digits names column '${k}', which the table does not have (columns: ${t.columns.join(', ')})`);
  }
  const integral = t.columns.map((_, j) => t.rows.every((r) => typeof r[j] !== 'number' || Number.isInteger(r[j] as number)));
  const cells = t.rows.map((r) => r.map((v, j) => {
    if (v === null || v === undefined) return '';
    if (typeof v === 'number') {
      if (Number.isNaN(v)) return 'NaN';
      if (!Number.isFinite(v)) return v > 0 ? '∞' : '−∞';
      return integral[j] ? String(v) : fixed(v, digitsFor[j]);
    }
    return String(v);
  }));
  return { cells, numeric };
}

// ---------------------------------------------------------------------------------------------------------------------
// Writers

function csvField(s: string): string {
  return /[",\r\n]|^\s|\s$/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** RFC 4180 CSV, full precision, '\n' line ends, trailing newline. */
export function tableToCsv(input: TableInput): string {
  const t = toTable(input);
  const lines = [t.columns.map(csvField).join(',')];
  for (const r of t.rows) lines.push(r.map((v) => (v === null || v === undefined ? '' : csvField(String(v)))).join(','));
  return lines.join('\n') + '\n';
}

/**
 * A cell as inert Markdown text: `\`, `|` and backticks are backslash-escaped (a `|` would split the cell, a backtick open
 * code), `&`, `<` and `>` become entities (GitHub renders raw HTML in tables, so a `<script>` label must arrive as text),
 * and a line break becomes `<br>`, the one tag this writer emits on purpose.
 */
export function mdEscape(s: string): string {
  return s
    .replace(/\\/g, '\\\\')
    .replace(/\|/g, '\\|')
    .replace(/`/g, '\\`')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\r\n|\r|\n/g, '<br>');
}

/** A GitHub-flavoured Markdown table (numeric columns right-aligned), trailing newline. */
export function tableToMarkdown(input: TableInput, o: FormatOptions = {}): string {
  const t = toTable(input);
  if (t.columns.length === 0) throw new Error('tableToMarkdown: the table has no columns');
  const { cells, numeric } = formatCells(t, o);
  const line = (xs: string[]) => `| ${xs.join(' | ')} |`;
  return [
    line(t.columns.map(mdEscape)),
    line(numeric.map((n) => (n ? '---:' : '---'))),
    ...cells.map((r) => line(r.map(mdEscape))),
  ].join('\n') + '\n';
}

/** Text as inert HTML (element content or a quoted attribute value). */
export function htmlEscape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** An HTML <table> (numeric columns right-aligned), optional caption. */
export function tableToHtml(input: TableInput, o: FormatOptions & { caption?: string } = {}): string {
  const t = toTable(input);
  const { cells, numeric } = formatCells(t, o);
  const align = (j: number) => (numeric[j] ? ' style="text-align:right"' : '');
  const out = ['<table class="seqpe-table">'];
  if (o.caption !== undefined) out.push(`<caption>${htmlEscape(o.caption)}</caption>`);
  out.push('<thead><tr>' + t.columns.map((c, j) => `<th${align(j)}>${htmlEscape(c)}</th>`).join('') + '</tr></thead>');
  out.push('<tbody>');
  for (const r of cells) out.push('<tr>' + r.map((v, j) => `<td${align(j)}>${htmlEscape(v)}</td>`).join('') + '</tr>');
  out.push('</tbody>', '</table>');
  return out.join('\n') + '\n';
}

export type TableFormat = 'csv' | 'md' | 'html';

/**
 * Write `<basePath>.csv`, `.md` and `.html` (or the chosen formats); creates the folder. Returns the paths written.
 * `basePath` has no extension: 'results/lm/ppl-by-length' → ppl-by-length.csv, .md, .html.
 */
export function writeTable(
  input: TableInput,
  basePath: string,
  o: FormatOptions & { formats?: TableFormat[]; caption?: string } = {},
): Record<TableFormat, string | undefined> {
  if (/\.(csv|md|html)$/i.test(basePath)) {
    throw new Error(`writeTable: basePath '${basePath}' has an extension; give it without one (the formats add .csv/.md/.html)`);
  }
  const formats = o.formats ?? ['csv', 'md', 'html'];
  const t = toTable(input);
  fs.mkdirSync(path.dirname(basePath), { recursive: true });
  const out: Record<TableFormat, string | undefined> = { csv: undefined, md: undefined, html: undefined };
  for (const f of formats) {
    const file = `${basePath}.${f}`;
    const text = f === 'csv' ? tableToCsv(t) : f === 'md' ? tableToMarkdown(t, o) : f === 'html' ? tableToHtml(t, o) : undefined;
    if (text === undefined) throw new Error(`writeTable: unknown format '${String(f)}'; expected csv, md or html`);
    fs.writeFileSync(file, text);
    out[f] = file;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------------
// Mean ± spread over seeds

export type SpreadKind = 'std' | 'sampleStd' | 'halfRange' | 'sem';
export const SPREAD_KINDS: readonly SpreadKind[] = ['std', 'sampleStd', 'halfRange', 'sem'];

export interface MeanSpread {
  mean: number;
  /** undefined when n = 1 (one run has no spread). */
  spread: number | undefined;
  n: number;
}

/** Mean and spread of finite values (see the file comment for the spread kinds). */
export function meanSpread(values: readonly number[], kind: SpreadKind = 'std'): MeanSpread {
  if (!SPREAD_KINDS.includes(kind)) throw new Error(`spread kind '${String(kind)}' is unknown; expected one of ${SPREAD_KINDS.join(', ')}`);
  const n = values.length;
  if (n === 0) throw new Error('meanSpread: no values; expected at least one');
  values.forEach((v, i) => {
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new Error(`meanSpread: values[${i}] is ${String(v)}; expected a finite number`);
  });
  const mean = values.reduce((a, b) => a + b, 0) / n;
  if (n === 1) return { mean, spread: undefined, n };
  const ss = values.reduce((a, v) => a + (v - mean) * (v - mean), 0);
  let spread: number;
  switch (kind) {
    case 'std': spread = Math.sqrt(ss / n); break;
    case 'sampleStd': spread = Math.sqrt(ss / (n - 1)); break;
    case 'sem': spread = Math.sqrt(ss / (n - 1)) / Math.sqrt(n); break;
    case 'halfRange': spread = (Math.max(...values) - Math.min(...values)) / 2; break;
  }
  return { mean, spread, n };
}

/** "2.00 ± 1.00" (n ≥ 2) or "2.00" (n = 1). */
export function formatMeanSpread(values: readonly number[], o: { digits?: number; spread?: SpreadKind } = {}): string {
  const digits = checkDigits(o.digits ?? 2, 'digits');
  const m = meanSpread(values, o.spread);
  return m.spread === undefined ? fixed(m.mean, digits) : `${fixed(m.mean, digits)} ± ${fixed(m.spread, digits)}`;
}

export interface AggregateOptions {
  /** Columns that identify a group (e.g. ['method', 'length']); the other columns vary over seeds. */
  by: string[];
  /** Numeric columns to summarise. */
  values: string[];
  spread?: SpreadKind;
  digits?: number;
}

/**
 * Collapse runs that differ only by seed: one row per group (groups in first-seen order) with the group keys, `n`, and
 * for each value column v: `v` = "mean ± spread" text, `v_mean`, `v_spread` (numbers, for plots). Missing values
 * (null/undefined) are left out of their group's statistics; a non-number value is an error.
 */
export function aggregateSeeds(rows: Row[], o: AggregateOptions): Row[] {
  if (o.values.length === 0) throw new Error('aggregateSeeds: no value columns given');
  const groups = new Map<string, { key: Row; vals: number[][]; n: number }>();
  rows.forEach((r, i) => {
    for (const c of [...o.by, ...o.values]) {
      if (!(c in r)) throw new Error(`aggregateSeeds: row ${i} has no column '${c}' (it has: ${Object.keys(r).join(', ')})`);
    }
    const key: Row = {};
    for (const c of o.by) key[c] = r[c];
    const id = JSON.stringify(o.by.map((c) => r[c]));
    let g = groups.get(id);
    if (!g) { g = { key, vals: o.values.map(() => []), n: 0 }; groups.set(id, g); }
    g.n++;
    o.values.forEach((c, j) => {
      const v = r[c];
      if (v === null || v === undefined) return;
      if (typeof v !== 'number') throw new Error(`aggregateSeeds: row ${i} column '${c}' is ${JSON.stringify(v)}; expected a number`);
      g!.vals[j].push(v);
    });
  });
  return [...groups.values()].map((g) => {
    const out: Row = { ...g.key, n: g.n };
    o.values.forEach((c, j) => {
      const vs = g.vals[j];
      if (vs.length === 0) {
        out[c] = '';
        out[`${c}_mean`] = null;
        out[`${c}_spread`] = null;
        return;
      }
      const m = meanSpread(vs, o.spread);
      out[c] = formatMeanSpread(vs, { digits: o.digits, spread: o.spread });
      out[`${c}_mean`] = m.mean;
      out[`${c}_spread`] = m.spread ?? null;
    });
    return out;
  });
}
