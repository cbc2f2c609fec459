/**
 * Checkpoint files: one file per checkpoint, written atomically by src/util/atomic-write.ts (every byte written, file
 * and folder fsynced, then renamed over the target), so a run killed at any moment, or a disk that fills up, leaves
 * either the previous checkpoint or the new one, never a torn file. A failed write throws an AtomicWriteError naming the
 * path and the cause; the training loop lets it propagate, so the run fails (non-zero exit) instead of going on.
 *
 * Layout (version 2): the ASCII magic "SEQPECKPT2\n", a little-endian uint32 header length, a UTF-8 JSON header
 * {meta, tensors: [{name, shape, offset, length}]}, zero padding to a multiple of 4 bytes, every tensor's float32 values
 * back to back (little-endian, offsets in floats from the start of that block), and last the 32-byte SHA-256 of every
 * byte before it. Float32 values round-trip bit-exactly, which is what makes resumed runs identical to uninterrupted ones.
 *
 * Verification on load: the checksum (any flipped bit in magic, header, padding or values is caught), the header's
 * shape (names unique, shapes of whole numbers, length = product of the shape), the offsets (inside the value block,
 * non-overlapping, covering it exactly), and — unless the caller opts out — that every value is finite, since a NaN
 * weight can only come from a damaged or diverged run. Saving refuses non-finite values the same way.
 *
 * Version 1 files ("SEQPECKPT1\n", the same layout without the trailing checksum, written by this project before
 * checksums, e.g. the archived runs under results/archive/) are still read, with every check but the checksum; loaded
 * data says which version it came from. New files are always version 2.
 */
import { createHash } from 'crypto';
import * as fs from 'fs';
import type { SavedTensor } from '../models/params';
import { nodeFs, writeFileAtomic, type AtomicFs } from '../util/atomic-write';
import { fromLittleEndian, toLittleEndian } from '../util/blob';

const MAGIC_V1 = Buffer.from('SEQPECKPT1\n', 'ascii');
const MAGIC_V2 = Buffer.from('SEQPECKPT2\n', 'ascii');
const MAGIC_LENGTH = MAGIC_V2.length; // both magics have the same length
const CHECKSUM_BYTES = 32;

export interface CheckpointData {
  /** Any JSON-serialisable description: step, configs, RNG and sampler states, optimiser scalars. */
  meta: Record<string, unknown>;
  tensors: Map<string, SavedTensor>;
}

export interface LoadedCheckpoint extends CheckpointData {
  /** 2: checksummed; 1: an older file, checked for everything but bit flips. */
  version: 1 | 2;
}

export interface CheckpointValueOptions {
  /** Accept NaN and ±∞ values (a generic tensor store); training checkpoints leave this off. Default false. */
  allowNonFinite?: boolean;
}

interface TensorEntry {
  name: string;
  shape: number[];
  offset: number;
  length: number;
}

/** Index and value of the first NaN or ±∞ in `a`, or undefined. */
function firstNonFinite(a: Float32Array): { index: number; value: number } | undefined {
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    // x - x is 0 for finite x and NaN for NaN and ±∞: one comparison per value.
    if (x - x !== 0) return { index: i, value: x };
  }
  return undefined;
}

/**
 * Writes `data` to `file` atomically (see the file comment). Creates the directory if needed.
 * @param io the file-system layer (tests inject faults through it)
 */
export function saveCheckpoint(file: string, data: CheckpointData, io: AtomicFs = nodeFs, opts: CheckpointValueOptions = {}): void {
  const entries: TensorEntry[] = [];
  let offset = 0;
  for (const [name, t] of data.tensors) {
    const n = t.shape.reduce((a, b) => a * b, 1);
    if (n !== t.data.length) throw new Error(`saveCheckpoint: tensor "${name}" has ${t.data.length} values but shape [${t.shape}]`);
    if (!opts.allowNonFinite) {
      const bad = firstNonFinite(t.data);
      if (bad) throw new Error(`saveCheckpoint ${file}: tensor "${name}" holds ${bad.value} at index ${bad.index}; a checkpoint holds finite values only`);
    }
    entries.push({ name, shape: [...t.shape], offset, length: n });
    offset += n;
  }
  const header = Buffer.from(JSON.stringify({ meta: data.meta, tensors: entries }), 'utf8');
  const lenBuf = Buffer.alloc(4);
  lenBuf.writeUInt32LE(header.length, 0);
  const pre = MAGIC_LENGTH + 4 + header.length;
  const pad = Buffer.alloc((4 - (pre % 4)) % 4);
  const values = new Float32Array(offset);
  for (const e of entries) values.set(data.tensors.get(e.name)!.data, e.offset);
  const body = toLittleEndian(values);
  const parts = [MAGIC_V2, lenBuf, header, pad, body];
  const sha = createHash('sha256');
  for (const p of parts) sha.update(p);
  writeFileAtomic(file, [...parts, sha.digest()], io);
}

/** The header's tensor table, checked entry by entry; `floats` is the size of the value block. */
function checkEntries(file: string, raw: unknown, floats: number): TensorEntry[] {
  if (!Array.isArray(raw)) throw new Error(`checkpoint ${file}: header has no tensor table`);
  const seen = new Set<string>();
  const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
  raw.forEach((e: Partial<TensorEntry>, i) => {
    const what = `checkpoint ${file}: tensor entry ${i}${typeof e?.name === 'string' ? ` ("${e.name}")` : ''}`;
    if (typeof e !== 'object' || e === null || typeof e.name !== 'string') throw new Error(`${what} has no name`);
    if (seen.has(e.name)) throw new Error(`${what} repeats a tensor name`);
    seen.add(e.name);
    if (!Array.isArray(e.shape) || !e.shape.every(isCount)) throw new Error(`${what} has shape ${JSON.stringify(e.shape)}; expected whole numbers`);
    if (!isCount(e.offset) || !isCount(e.length)) throw new Error(`${what} has offset ${e.offset} and length ${e.length}; expected whole numbers`);
    const n = e.shape.reduce((a, b) => a * b, 1);
    if (n !== e.length) throw new Error(`${what} has length ${e.length} but shape [${e.shape}] holds ${n} values`);
    if (e.offset + e.length > floats) throw new Error(`${what} spans values [${e.offset}, ${e.offset + e.length}) beyond the ${floats} stored`);
  });
  const entries = raw as TensorEntry[];
  // Non-overlapping and covering the block exactly: sorted by offset, each starts where the previous one ends.
  const sorted = [...entries].sort((a, b) => a.offset - b.offset);
  let end = 0;
  for (const e of sorted) {
    if (e.offset < end) throw new Error(`checkpoint ${file}: tensor "${e.name}" at [${e.offset}, ${e.offset + e.length}) overlaps the tensor before it (which ends at ${end})`);
    if (e.offset > end) throw new Error(`checkpoint ${file}: values [${end}, ${e.offset}) before tensor "${e.name}" belong to no tensor`);
    end = e.offset + e.length;
  }
  if (end !== floats) throw new Error(`checkpoint ${file}: ${floats - end} trailing values belong to no tensor`);
  return entries;
}

/** Reads and verifies a checkpoint written by saveCheckpoint (see the file comment); any damage is an error naming the file. */
export function loadCheckpoint(file: string, opts: CheckpointValueOptions = {}): LoadedCheckpoint {
  if (!fs.existsSync(file)) throw new Error(`checkpoint ${file} does not exist`);
  const buf = fs.readFileSync(file);
  const magic = buf.subarray(0, MAGIC_LENGTH);
  const version = magic.equals(MAGIC_V2) ? 2 : magic.equals(MAGIC_V1) ? 1 : 0;
  if (buf.length < MAGIC_LENGTH + 4 || version === 0) throw new Error(`${file} is not a SeqPE checkpoint (bad magic bytes)`);
  let end = buf.length;
  if (version === 2) {
    if (buf.length < MAGIC_LENGTH + 4 + CHECKSUM_BYTES) throw new Error(`checkpoint ${file} is truncated (no room for its checksum)`);
    end = buf.length - CHECKSUM_BYTES;
    const want = buf.subarray(end);
    const got = createHash('sha256').update(buf.subarray(0, end)).digest();
    if (!got.equals(want)) throw new Error(`checkpoint ${file} fails its SHA-256 checksum (corrupted or truncated); it cannot be used`);
  }
  const hlen = buf.readUInt32LE(MAGIC_LENGTH);
  const hStart = MAGIC_LENGTH + 4;
  if (hStart + hlen > end) throw new Error(`checkpoint ${file} is truncated (header runs past the end)`);
  let header: { meta?: unknown; tensors?: unknown };
  try {
    header = JSON.parse(buf.subarray(hStart, hStart + hlen).toString('utf8'));
  } catch (e) {
    throw new Error(`checkpoint ${file}: unreadable header (${(e as Error).message})`);
  }
  if (typeof header !== 'object' || header === null || typeof header.meta !== 'object' || header.meta === null || Array.isArray(header.meta)) {
    throw new Error(`checkpoint ${file}: header has no meta object`);
  }
  const pre = hStart + hlen;
  const bodyStart = pre + ((4 - (pre % 4)) % 4);
  const bodyBytes = end - bodyStart;
  const listed = Array.isArray(header.tensors) ? header.tensors.reduce((s: number, e: { length?: unknown }) => s + (typeof e?.length === 'number' ? e.length : 0), 0) : 0;
  if (bodyBytes < 0 || bodyBytes % 4 !== 0 || (version === 1 && bodyBytes !== 4 * listed)) {
    throw new Error(`checkpoint ${file} has ${bodyBytes} value bytes, expected ${4 * listed} (truncated or corrupt)`);
  }
  const floats = bodyBytes / 4;
  const entries = checkEntries(file, header.tensors, floats);
  const values = fromLittleEndian(buf, bodyStart, floats, 'float32') as Float32Array;
  const tensors = new Map<string, SavedTensor>();
  for (const e of entries) {
    const data = values.slice(e.offset, e.offset + e.length);
    if (!opts.allowNonFinite) {
      const bad = firstNonFinite(data);
      if (bad) throw new Error(`checkpoint ${file}: tensor "${e.name}" holds ${bad.value} at index ${bad.index}; a usable checkpoint holds finite values only`);
    }
    tensors.set(e.name, { shape: e.shape, data });
  }
  return { meta: header.meta as Record<string, unknown>, tensors, version };
}

/** JSON's view of a value (undefined keys dropped, ±∞ and NaN as null), so a saved config compares equal to its source. */
function asJson(v: unknown): unknown {
  return v === undefined ? undefined : JSON.parse(JSON.stringify(v));
}

/** Dotted paths where `a` and `b` differ, with both values; objects are compared key by key, arrays and scalars whole. */
export function differingFields(a: unknown, b: unknown, prefix = ''): Array<{ field: string; saved: unknown; current: unknown }> {
  const x = asJson(a);
  const y = asJson(b);
  const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  if (isObj(x) && isObj(y)) {
    const keys = [...new Set([...Object.keys(x), ...Object.keys(y)])].sort();
    return keys.flatMap((k) => differingFields(x[k], y[k], prefix ? `${prefix}.${k}` : k));
  }
  return JSON.stringify(x) === JSON.stringify(y) ? [] : [{ field: prefix || '(whole value)', saved: x, current: y }];
}

/**
 * Refuses to resume from a checkpoint written under another configuration (learning rate, steps, schedule, seed, …):
 * throws naming every differing field with the checkpoint's value and this run's. `ignore` lists fields that do not
 * change the trajectory (e.g. where checkpoints are written), compared neither way.
 */
export function assertSameConfig(file: string, saved: unknown, current: unknown, what = 'training config', ignore: string[] = []): void {
  const diffs = differingFields(saved, current).filter((d) => !ignore.some((f) => d.field === f || d.field.startsWith(`${f}.`)));
  if (diffs.length === 0) return;
  const list = diffs.map((d) => `${d.field} (checkpoint ${JSON.stringify(d.saved) ?? 'absent'}, this run ${JSON.stringify(d.current) ?? 'absent'})`).join('; ');
  throw new Error(`${file} was written with another ${what}; refusing to resume. Differing fields: ${list}. Delete the checkpoint to start over, or run with the checkpoint's settings.`);
}
