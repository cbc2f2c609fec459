/**
 * Per-seed results collapsed to mean ± spread, and the long → wide pivot of the reports' tables, with danfojs doing
 * what it is for: the rows become a DataFrame, `groupby(by)` splits them into one group per method × x, and each
 * group's value column is summarised. The statistics themselves are tables.ts's `meanSpread` (population std by
 * default), so the numbers are exactly those of `aggregateSeeds` — the route without danfojs, kept for callers that do
 * not want to load it — and the tests check both against hand-worked means and spreads.
 *
 * danfojs-node is an optional peer dependency of the package: it is loaded here on first use (about 1 s), and only its
 * DataFrame and groupby are used (never its readers: no code path of ours parses spreadsheets; see the README).
 */
import type { DataFrame } from 'danfojs-node';
import { formatMeanSpread, meanSpread, toFrame, type AggregateOptions, type CellValue, type Row } from './tables';

/** Checks every row before danfojs sees it: key and value columns present, values numbers or missing. */
function checkRows(rows: readonly Row[], o: AggregateOptions): void {
  if (o.by.length === 0) throw new Error('groupSeeds: no group columns given (by)');
  if (o.values.length === 0) throw new Error('groupSeeds: no value columns given');
  rows.forEach((r, i) => {
    for (const c of [...o.by, ...o.values]) {
      if (!(c in r)) throw new Error(`groupSeeds: row ${i} has no column '${c}' (it has: ${Object.keys(r).join(', ')})`);
    }
    for (const c of o.by) {
      const v = r[c];
      if (typeof v !== 'string' && typeof v !== 'number') throw new Error(`groupSeeds: row ${i} key column '${c}' is ${JSON.stringify(v)}; expected a string or number`);
    }
    for (const c of o.values) {
      const v = r[c];
      if (v !== null && v !== undefined && typeof v !== 'number') {
        throw new Error(`groupSeeds: row ${i} column '${c}' is ${JSON.stringify(v)}; expected a number`);
      }
      if (typeof v === 'number' && !Number.isFinite(v)) throw new Error(`groupSeeds: row ${i} column '${c}' is ${v}; expected a finite number`);
    }
  });
}

/**
 * Like tables.ts's aggregateSeeds (same options, same output rows: group keys, `n`, and per value column v the text
 * `v` = "mean ± spread", `v_mean`, `v_spread`; groups in first-seen order; missing values left out of their group),
 * computed through a danfojs groupby.
 */
export function groupSeeds(rows: readonly Row[], o: AggregateOptions): Row[] {
  checkRows(rows, o);
  if (rows.length === 0) return [];
  const df = toFrame([...rows]);
  const groups = df.groupby(o.by);
  const keys: Array<Array<string | number>> = [];
  const seen = new Set<string>();
  for (const r of rows) {
    const key = o.by.map((c) => r[c] as string | number);
    const id = JSON.stringify(key);
    if (!seen.has(id)) { seen.add(id); keys.push(key); }
  }
  let total = 0;
  const out = keys.map((key) => {
    const g: DataFrame = groups.getGroup(key);
    const cols = g.columns.map(String);
    const at = (c: string): number => cols.indexOf(c);
    const values = g.values as CellValue[][];
    // danfojs names a group by its keys joined with '-': ['a-b', 1] and ['a', 'b-1'] would share one. Say so rather
    // than merge two groups' seeds.
    for (const row of values) {
      if (o.by.some((c, j) => row[at(c)] !== key[j])) {
        throw new Error(`groupSeeds: group keys ${JSON.stringify(key)} and ${JSON.stringify(o.by.map((c) => row[at(c)]))} collide in danfojs's groupby (keys joined with '-'); rename one`);
      }
    }
    total += values.length;
    const res: Row = {};
    o.by.forEach((c, j) => { res[c] = key[j]; });
    res.n = values.length;
    for (const c of o.values) {
      const vs = values.map((row) => row[at(c)]).filter((v): v is number => typeof v === 'number' && !Number.isNaN(v));
      if (vs.length === 0) {
        res[c] = '';
        res[`${c}_mean`] = null;
        res[`${c}_spread`] = null;
        continue;
      }
      const m = meanSpread(vs, o.spread);
      res[c] = formatMeanSpread(vs, { digits: o.digits, spread: o.spread });
      res[`${c}_mean`] = m.mean;
      res[`${c}_spread`] = m.spread ?? null;
    }
    return res;
  });
  if (total !== rows.length) throw new Error(`groupSeeds: danfojs's groups hold ${total} rows of ${rows.length}`);
  return out;
}

export interface PivotOptions {
  /** The column whose values become the rows (e.g. 'method'), in first-seen order. */
  index: string;
  /** The column whose values become the columns (e.g. 'length'), numbers sorted ascending. */
  columns: string;
  /** The cell column (e.g. 'ppl', the "mean ± spread" text). */
  value: string;
  /** Header of the column for an x value (default String(x)). */
  label?: (x: number) => string;
}

/**
 * Long → wide: one row per `index` value, one column per (numeric) `columns` value, cells from `value`; a combination
 * with no row is an empty cell; a combination with two rows is an error (pivot after aggregating).
 */
export function pivotWide(rows: readonly Row[], o: PivotOptions): Row[] {
  const label = o.label ?? ((x: number) => String(x));
  const index: CellValue[] = [];
  const xs: number[] = [];
  const cells = new Map<string, CellValue>();
  rows.forEach((r, i) => {
    const k = r[o.index];
    const x = r[o.columns];
    if (typeof x !== 'number') throw new Error(`pivotWide: row ${i} column '${o.columns}' is ${JSON.stringify(x)}; expected a number`);
    if (!index.includes(k)) index.push(k);
    if (!xs.includes(x)) xs.push(x);
    const id = JSON.stringify([k, x]);
    if (cells.has(id)) throw new Error(`pivotWide: two rows for ${o.index} ${JSON.stringify(k)} at ${o.columns} ${x}; aggregate first`);
    cells.set(id, r[o.value]);
  });
  xs.sort((a, b) => a - b);
  const headers = xs.map(label);
  if (new Set(headers).size !== headers.length) throw new Error(`pivotWide: column labels ${JSON.stringify(headers)} are not distinct`);
  return index.map((k) => {
    const row: Row = { [o.index]: k };
    xs.forEach((x, j) => { row[headers[j]] = cells.get(JSON.stringify([k, x])); });
    return row;
  });
}
