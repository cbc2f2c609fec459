/**
 * Train / validation / test split BY DOCUMENT (never inside a document, so no speech leaks across splits).
 *
 * Procedure (deterministic): sort the ids, shuffle them with Rng(seed), take the first round(validation·n) as validation,
 * the next round(test·n) as test, the rest as train; then sort each split's ids again, so each split's documents are
 * concatenated in file-name (chronological) order. With the SOTU defaults (233 documents, 80/10/10) that is
 * 187 / 23 / 23 documents.
 */
import { Rng } from '../util/rng';
import { DataError } from './errors';
import { loadSotu, SotuDocument, SotuOptions } from './sotu';

export type SplitName = 'train' | 'validation' | 'test';
export const SPLIT_NAMES: readonly SplitName[] = ['train', 'validation', 'test'];

export interface SplitFractions {
  train: number;
  validation: number;
  test: number;
}

export const DEFAULT_FRACTIONS: SplitFractions = { train: 0.8, validation: 0.1, test: 0.1 };
/** The paper's training seed (seqpe-method.md §4.1), reused for the split. */
export const DEFAULT_SPLIT_SEED = 10086;

export interface SplitOptions {
  seed?: number;
  fractions?: SplitFractions;
}

/** Which documents are in which split — small and JSON-serialisable, meant to be written next to results. */
export interface DocumentSplit {
  seed: number;
  fractions: SplitFractions;
  train: string[];
  validation: string[];
  test: string[];
}

function checkFractions(f: SplitFractions): void {
  for (const k of SPLIT_NAMES) {
    const v = f[k];
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > 1) {
      throw new DataError(`split fraction ${k}=${v} must be a number in [0, 1]`);
    }
  }
  const sum = f.train + f.validation + f.test;
  if (Math.abs(sum - 1) > 1e-9) {
    throw new DataError(`split fractions must sum to 1, got train ${f.train} + validation ${f.validation} + test ${f.test} = ${sum}`);
  }
}

/** Splits a list of unique document ids (see the file comment for the exact procedure). */
export function splitDocuments(ids: readonly string[], options: SplitOptions = {}): DocumentSplit {
  const seed = options.seed ?? DEFAULT_SPLIT_SEED;
  const fractions = { ...(options.fractions ?? DEFAULT_FRACTIONS) };
  checkFractions(fractions);
  if (new Set(ids).size !== ids.length) throw new DataError('splitDocuments: document ids must be unique');
  const n = ids.length;
  const nVal = Math.round(fractions.validation * n);
  const nTest = Math.round(fractions.test * n);
  if (nVal + nTest > n) {
    throw new DataError(`splitDocuments: ${nVal} validation + ${nTest} test documents exceed the ${n} available`);
  }
  const order = new Rng(seed).shuffle([...ids].sort());
  const byName = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return {
    seed,
    fractions,
    validation: order.slice(0, nVal).sort(byName),
    test: order.slice(nVal, nVal + nTest).sort(byName),
    train: order.slice(nVal + nTest).sort(byName),
  };
}

export interface SotuSplit {
  split: DocumentSplit;
  train: SotuDocument[];
  validation: SotuDocument[];
  test: SotuDocument[];
}

/** The SOTU corpus split by document; documents within a split in id order. */
export function sotuSplits(options: SotuOptions & SplitOptions = {}): SotuSplit {
  const docs = loadSotu(options);
  const byId = new Map(docs.map((d) => [d.id, d]));
  const split = splitDocuments(
    docs.map((d) => d.id),
    options,
  );
  const pick = (ids: string[]) => ids.map((id) => byId.get(id) as SotuDocument);
  return { split, train: pick(split.train), validation: pick(split.validation), test: pick(split.test) };
}
