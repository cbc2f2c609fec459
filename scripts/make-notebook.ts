/**
 * Notebooks are written as plain TypeScript files in the "percent" format (the one jupytext uses) and built into .ipynb
 * files for the tslab kernel. The source diffs like code, needs no JSON escaping, and is what you edit.
 *
 *   notebooks/00-setup-and-backends.nb.ts  ──(this script)──►  notebooks/00-setup-and-backends.ipynb
 *
 * Source format:
 *   // %% [markdown]          starts a markdown cell; its lines are written as `// text` (a bare `//` is a blank line)
 *   // %%                     starts a code cell; the lines below are the cell's code, verbatim
 *   Comment lines before the first marker are a file header and are ignored. Blank lines around cells are trimmed.
 *
 * Usage (npx tsx scripts/make-notebook.ts …):
 *   [FILE.nb.ts …]            build each source (default: every notebooks/*.nb.ts). An .ipynb whose cells already match
 *                             its source is left alone, so executed outputs survive a rebuild.
 *   --check [FILE.nb.ts …]    exit 1 if an .ipynb is missing or its cells differ from its source (run-notebooks.sh uses it)
 *   --extract FILE.ipynb …    write FILE.nb.ts from a notebook (after editing the .ipynb in Jupyter)
 *
 * The profile a chapter is committed at is written in its code, `await startChapter({ committed: 'small' })` (so Run
 * All in Jupyter reproduces the committed outputs), and copied into the notebook's metadata as `seqpe.profile`, where
 * scripts/run-notebooks.sh reads it without starting a kernel.
 */
import * as fs from 'fs';
import * as path from 'path';

export interface NotebookCell {
  type: 'markdown' | 'code';
  source: string;
}

const MARKER = /^\/\/ %%(.*)$/;

function trimBlankLines(lines: string[]): string[] {
  let a = 0;
  let b = lines.length;
  while (a < b && lines[a].trim() === '') a++;
  while (b > a && lines[b - 1].trim() === '') b--;
  return lines.slice(a, b);
}

/** Parse a percent-format source into cells. `file` only names the source in error messages. */
export function parsePercent(text: string, file = '<source>'): NotebookCell[] {
  const lines = text.replace(/\r\n/g, '\n').split('\n');
  const cells: NotebookCell[] = [];
  let current: { type: NotebookCell['type']; lines: string[]; start: number } | undefined;
  const flush = () => {
    if (!current) return;
    const body = trimBlankLines(current.lines);
    if (body.length === 0) throw new Error(`${file}:${current.start}: empty ${current.type} cell`);
    cells.push({ type: current.type, source: body.join('\n') });
  };
  lines.forEach((line, i) => {
    const m = MARKER.exec(line);
    if (m) {
      flush();
      const tag = m[1].trim();
      if (tag !== '' && tag !== '[markdown]' && tag !== '[md]') {
        throw new Error(`${file}:${i + 1}: unknown cell marker '${line}'; expected '// %%' or '// %% [markdown]'`);
      }
      current = { type: tag === '' ? 'code' : 'markdown', lines: [], start: i + 1 };
      return;
    }
    if (!current) {
      if (line.trim() !== '' && !line.trimStart().startsWith('//')) {
        throw new Error(`${file}:${i + 1}: code before the first '// %%' marker; only header comments may precede it`);
      }
      return;
    }
    if (current.type === 'code') {
      current.lines.push(line);
    } else if (line === '//' || line.trim() === '') {
      current.lines.push('');
    } else if (line.startsWith('// ')) {
      current.lines.push(line.slice(3));
    } else {
      throw new Error(`${file}:${i + 1}: markdown lines must start with '// ' (or be '//'), got '${line}'`);
    }
  });
  flush();
  if (cells.length === 0) throw new Error(`${file}: no cells; start cells with '// %%' or '// %% [markdown]'`);
  return cells;
}

/** The percent-format source of cells (inverse of parsePercent). */
export function toPercent(cells: NotebookCell[], header?: string): string {
  const parts: string[] = [];
  if (header) parts.push(header.split('\n').map((l) => (l ? `// ${l}` : '//')).join('\n'));
  for (const c of cells) {
    if (c.type === 'markdown') {
      parts.push('// %% [markdown]\n' + c.source.split('\n').map((l) => (l ? `// ${l}` : '//')).join('\n'));
    } else {
      parts.push('// %%\n' + c.source);
    }
  }
  return parts.join('\n\n') + '\n';
}

/** Jupyter stores source as lines that keep their '\n' (all but the last). */
function sourceLines(s: string): string[] {
  const lines = s.split('\n');
  return lines.map((l, i) => (i < lines.length - 1 ? l + '\n' : l)).filter((l) => l !== '');
}

/** JSON the way Jupyter writes it (sorted keys, one-space indent, trailing newline), so re-saving changes nothing. */
function jupyterJson(v: unknown): string {
  const sort = (x: unknown): unknown => {
    if (Array.isArray(x)) return x.map(sort);
    if (x && typeof x === 'object') {
      return Object.fromEntries(Object.keys(x as object).sort().map((k) => [k, sort((x as Record<string, unknown>)[k])]));
    }
    return x;
  };
  return JSON.stringify(sort(v), null, 1) + '\n';
}

const COMMITTED = /startChapter\(\s*\{[^}]*\bcommitted:\s*'([a-z]+)'/;

/** The profile named by the first code cell that calls `startChapter({ committed: '…' })`, or undefined. */
export function committedProfile(cells: NotebookCell[]): string | undefined {
  for (const c of cells) {
    if (c.type !== 'code') continue;
    const m = COMMITTED.exec(c.source);
    if (m) return m[1];
  }
  return undefined;
}

/** An nbformat 4.5 notebook for the tslab kernel, without outputs (and `seqpe.profile` when the source names one). */
export function buildNotebook(cells: NotebookCell[]): object {
  const profile = committedProfile(cells);
  return {
    cells: cells.map((c, i) => {
      const base = { cell_type: c.type, id: `cell-${String(i).padStart(2, '0')}`, metadata: {}, source: sourceLines(c.source) };
      return c.type === 'code' ? { ...base, execution_count: null, outputs: [] } : base;
    }),
    metadata: {
      kernelspec: { display_name: 'TypeScript', language: 'typescript', name: 'tslab' },
      language_info: { file_extension: '.ts', mimetype: 'text/typescript', name: 'typescript' },
      ...(profile ? { seqpe: { profile } } : {}),
    },
    nbformat: 4,
    nbformat_minor: 5,
  };
}

export function notebookJson(cells: NotebookCell[]): string {
  return jupyterJson(buildNotebook(cells));
}

/** Cells (type + source) of an .ipynb's JSON text. */
export function readIpynbCells(json: string, file = '<notebook>'): NotebookCell[] {
  let nb: { cells?: { cell_type: string; source: string | string[] }[] };
  try {
    nb = JSON.parse(json);
  } catch (e) {
    throw new Error(`${file}: not valid JSON (${(e as Error).message})`);
  }
  if (!Array.isArray(nb.cells)) throw new Error(`${file}: no 'cells' array; is this a Jupyter notebook?`);
  return nb.cells
    .filter((c) => c.cell_type === 'markdown' || c.cell_type === 'code')
    .map((c) => ({
      type: c.cell_type as NotebookCell['type'],
      source: (Array.isArray(c.source) ? c.source.join('') : c.source).replace(/\s+$/, ''),
    }));
}

/** The `seqpe.profile` metadata of an .ipynb's JSON text (undefined when absent). */
export function ipynbProfile(json: string): string | undefined {
  const nb = JSON.parse(json) as { metadata?: { seqpe?: { profile?: unknown } } };
  const p = nb.metadata?.seqpe?.profile;
  return typeof p === 'string' ? p : undefined;
}

function sameCells(a: NotebookCell[], b: NotebookCell[]): boolean {
  const norm = (s: string) => s.replace(/\s+$/, '');
  return a.length === b.length && a.every((c, i) => c.type === b[i].type && norm(c.source) === norm(b[i].source));
}

function ipynbFor(src: string): string {
  if (!src.endsWith('.nb.ts')) throw new Error(`${src}: notebook sources are named NN-name.nb.ts`);
  return src.slice(0, -'.nb.ts'.length) + '.ipynb';
}

/** Same cells, and the committed profile in the metadata equals the source's (outputs at another profile are stale). */
function upToDate(json: string, file: string, cells: NotebookCell[]): boolean {
  return sameCells(readIpynbCells(json, file), cells) && ipynbProfile(json) === committedProfile(cells);
}

/** Build one source; returns what happened. */
export function buildFile(src: string): 'written' | 'unchanged' {
  const cells = parsePercent(fs.readFileSync(src, 'utf8'), src);
  const out = ipynbFor(src);
  if (fs.existsSync(out) && upToDate(fs.readFileSync(out, 'utf8'), out, cells)) return 'unchanged';
  fs.writeFileSync(out, notebookJson(cells));
  return 'written';
}

/** Whether the .ipynb exists and matches its source; a message when not. */
export function checkFile(src: string): string | undefined {
  const out = ipynbFor(src);
  if (!fs.existsSync(out)) return `${out} is missing; build it: npx tsx scripts/make-notebook.ts ${src}`;
  const want = parsePercent(fs.readFileSync(src, 'utf8'), src);
  const json = fs.readFileSync(out, 'utf8');
  if (upToDate(json, out, want)) return undefined;
  if (sameCells(readIpynbCells(json, out), want)) {
    return `${out} was executed at profile '${ipynbProfile(json) ?? '(none)'}' but its source ${src} says startChapter({ committed: '${committedProfile(want) ?? '(none)'}' }); ` +
      `rebuild it (npx tsx scripts/make-notebook.ts ${src}) and run it: npm run notebooks -- --in-place ${path.basename(src).slice(0, 2)}`;
  }
  return `${out} differs from its source ${src}. If you edited the source: npx tsx scripts/make-notebook.ts ${src}; ` +
    `if you edited the notebook in Jupyter: npx tsx scripts/make-notebook.ts --extract ${out}`;
}

export function extractFile(ipynb: string): string {
  if (!ipynb.endsWith('.ipynb')) throw new Error(`${ipynb}: expected an .ipynb file`);
  const cells = readIpynbCells(fs.readFileSync(ipynb, 'utf8'), ipynb);
  const out = ipynb.slice(0, -'.ipynb'.length) + '.nb.ts';
  const header = `Source of ${path.basename(ipynb)} (percent format). Build: npx tsx scripts/make-notebook.ts ${out}`;
  fs.writeFileSync(out, toPercent(cells, header));
  return out;
}

function main(argv: string[]): number {
  const mode = argv[0] === '--check' ? 'check' : argv[0] === '--extract' ? 'extract' : 'build';
  const files = mode === 'build' ? argv : argv.slice(1);
  if (mode === 'extract') {
    if (files.length === 0) throw new Error('--extract needs one or more .ipynb files');
    for (const f of files) console.log(`extracted ${extractFile(f)}`);
    return 0;
  }
  const dir = path.join(__dirname, '..', 'notebooks');
  const sources = files.length ? files : fs.readdirSync(dir).filter((f) => f.endsWith('.nb.ts')).sort().map((f) => path.join(dir, f));
  let bad = 0;
  for (const src of sources) {
    if (mode === 'check') {
      const msg = checkFile(src);
      if (msg) { console.error(msg); bad++; }
    } else {
      console.log(`${buildFile(src)}: ${ipynbFor(src)}`);
    }
  }
  return bad ? 1 : 0;
}

if (require.main === module) {
  try {
    process.exitCode = main(process.argv.slice(2));
  } catch (e) {
    console.error(`make-notebook: ${(e as Error).message}`);
    process.exitCode = 1;
  }
}
