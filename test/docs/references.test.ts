/**
 * Every "spec §N.M" / "stack-notes §N" / "engine-notes §N" (and "SeqPE §", "seqpe-method.md §") citation in src, test,
 * scripts and notebooks/*.nb.ts names a section that exists as a heading of docs/method.md or docs/engine-notes.md.
 */
import { describe, expect, it } from 'vitest';
import * as fs from 'fs';
import * as path from 'path';
import { findCitations, headingSections, tsFilesUnder, unresolved, type Citation } from './citations';

const ROOT = path.join(__dirname, '..', '..');
const DOCS = {
  'method.md': fs.readFileSync(path.join(ROOT, 'docs', 'method.md'), 'utf8'),
  'engine-notes.md': fs.readFileSync(path.join(ROOT, 'docs', 'engine-notes.md'), 'utf8'),
};

function projectCitations(): Citation[] {
  const notebooks = fs.readdirSync(path.join(ROOT, 'notebooks')).filter((f) => f.endsWith('.nb.ts')).map((f) => path.join(ROOT, 'notebooks', f));
  const files = [...['src', 'test', 'scripts'].flatMap((d) => tsFilesUnder(path.join(ROOT, d))), ...notebooks];
  return files.flatMap((f) => findCitations(path.relative(ROOT, f), fs.readFileSync(f, 'utf8')));
}

// Built by concatenation so this file's own text holds no citation for the scan to find.
const S = (name: string, rest: string) => `${name} §${rest}`;

describe('doc citations', () => {
  it('reads citations, chained sections and headings as written', () => {
    const src = [
      `// ${S('spec', '1.6')}.`,
      `/** (${S('spec', '2.1')}/§4.1) and ${S('SeqPE', '1.7')}; ${S('spec', '1.4')}–§1.8 */`,
      `// ${S('seqpe-method.md', '4.1')}, ${S('stack-notes', '1')}); ${S('engine-notes', '6')}`,
      '// a bare §1.9 and "specs §2" are not citations',
    ].join('\n');
    const got = findCitations('x.ts', src).map((c) => `${c.line}:${c.doc}:${c.section}`);
    expect(got).toEqual([
      '1:method.md:1.6', '2:method.md:2.1', '2:method.md:4.1', '2:method.md:1.7', '2:method.md:1.4', '2:method.md:1.8',
      '3:method.md:4.1', '3:engine-notes.md:1', '3:engine-notes.md:6',
    ]);
    expect([...headingSections('# Title\n## 0. What\n### 1.6 Contrastive\n#### 6.1 Padding\ntext ## 9. no\n')]).toEqual(['0', '1.6', '6.1']);
  });

  it('reports an unresolved citation (a synthetic one, and a right section in the wrong doc)', () => {
    const cites = findCitations('fake.ts', `// ${S('spec', '9.9')} and ${S('stack-notes', '1.6')} and ${S('spec', '1.6')}`);
    const bad = unresolved(cites, DOCS).map((c) => `${c.doc}#${c.section}`);
    expect(bad).toEqual(['method.md#9.9', 'engine-notes.md#1.6']);
  });

  it('every citation in src, test, scripts and the notebooks resolves to a heading of docs/', () => {
    const cites = projectCitations();
    // The scan must actually see the project's citations (60-odd to the method, several to the engine notes).
    expect(cites.filter((c) => c.doc === 'method.md').length).toBeGreaterThanOrEqual(60);
    expect(cites.filter((c) => c.doc === 'engine-notes.md').length).toBeGreaterThanOrEqual(4);
    const bad = unresolved(cites, DOCS).map((c) => `${c.file}:${c.line} "${c.text}" → ${c.doc} has no §${c.section}`);
    expect(bad).toEqual([]);
  });

  it('both docs say how code cites them and keep the spec numbering (§0–§6 with their subsections)', () => {
    const m = headingSections(DOCS['method.md']);
    for (const s of ['0', '1', '2', '3', '4', '5', '6', '1.1', '1.2', '1.3', '1.4', '1.5', '1.6', '1.7', '1.8', '1.9', '2.1', '2.2', '2.3', '2.4', '2.5', '4.1', '4.2', '4.3', '6.1', '6.2']) {
      expect(m.has(s), `method.md §${s}`).toBe(true);
    }
    expect(headingSections(DOCS['engine-notes.md']).has('1')).toBe(true);
    expect(DOCS['method.md']).toMatch(/`spec §1\.6` in code/);
    expect(DOCS['engine-notes.md']).toMatch(/`stack-notes §1` in code/);
  });
});
