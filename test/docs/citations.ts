/**
 * Section citations in code ("spec §1.6", "stack-notes §1", "SeqPE §1.7", "spec §2.1/§4.1", "spec §1.6–§1.8") and the
 * section headings of the docs they point at ("## 1. Method", "### 1.6 Contrastive …").
 */
import * as fs from 'fs';
import * as path from 'path';

export interface Citation {
  file: string;
  line: number;
  /** The document the citation names (a file under docs/). */
  doc: string;
  section: string;
  text: string;
}

/** Names used in code → the document they mean. */
export const DOC_OF_NAME: Record<string, string> = {
  spec: 'method.md',
  SeqPE: 'method.md',
  'seqpe-method.md': 'method.md',
  'method.md': 'method.md',
  'stack-notes': 'engine-notes.md',
  'stack-notes.md': 'engine-notes.md',
  'engine-notes': 'engine-notes.md',
  'engine-notes.md': 'engine-notes.md',
};

const SECTION = String.raw`\d+(?:\.\d+)*`;
// A name, then § and a section, then more sections chained by , / – - or "and".
const CITATION = new RegExp(
  String.raw`\b(seqpe-method\.md|method\.md|engine-notes(?:\.md)?|stack-notes(?:\.md)?|spec|SeqPE)\s+§(${SECTION})((?:\s*(?:,|/|–|-|and)\s*§${SECTION})*)`,
  'g',
);

export function findCitations(file: string, source: string): Citation[] {
  const out: Citation[] = [];
  source.split('\n').forEach((lineText, i) => {
    for (const m of lineText.matchAll(CITATION)) {
      const doc = DOC_OF_NAME[m[1]];
      const sections = [m[2], ...[...m[3].matchAll(new RegExp(`§(${SECTION})`, 'g'))].map((x) => x[1])];
      for (const section of sections) out.push({ file, line: i + 1, doc, section, text: m[0] });
    }
  });
  return out;
}

/** Section numbers of a markdown document's headings: "## 1. Method" → "1", "### 1.6 Contrastive" → "1.6". */
export function headingSections(markdown: string): Set<string> {
  const out = new Set<string>();
  for (const m of markdown.matchAll(/^#{1,6}\s+§?(\d+(?:\.\d+)*)\.?\s/gm)) out.add(m[1]);
  return out;
}

/** Citations whose section is not a heading of the named document (`docs` maps a document name to its markdown). */
export function unresolved(citations: Citation[], docs: Record<string, string>): Citation[] {
  const sections = new Map(Object.entries(docs).map(([name, md]) => [name, headingSections(md)] as const));
  return citations.filter((c) => !sections.get(c.doc)?.has(c.section));
}

/** Every .ts file under `dir` (recursively), skipping node_modules. */
export function tsFilesUnder(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory() && e.name !== 'node_modules') out.push(...tsFilesUnder(p));
    else if (e.isFile() && e.name.endsWith('.ts')) out.push(p);
  }
  return out;
}
