/**
 * Checkpoint files: one file per checkpoint, written atomically by src/util/atomic-write.ts (every byte written, file
 * and folder fsynced, then renamed over the target), so a run killed at any moment, or a disk that fills up, leaves
 * either the previous checkpoint or the new one, never a torn file. A failed write throws an AtomicWriteError naming the
 * path and the cause; the training loop lets it propagate, so the run fails (non-zero exit) instead of going on.
 *
 * Layout: the ASCII magic "SEQPECKPT1\n", a little-endian uint32 header length, a UTF-8 JSON header
 * {meta, tensors: [{name, shape, offset, length}]}, zero padding to a multiple of 4 bytes, then every tensor's float32
 * values back to back (little-endian, offsets in floats from the start of that block). Float32 values round-trip
 * bit-exactly, which is what makes resumed runs identical to uninterrupted ones.
 */
import * as fs from 'fs';
import type { SavedTensor } from '../models/params';
import { nodeFs, writeFileAtomic, type AtomicFs } from '../util/atomic-write';
import { fromLittleEndian, toLittleEndian } from '../util/blob';

const MAGIC = Buffer.from('SEQPECKPT1\n', 'ascii');

export interface CheckpointData {
  /** Any JSON-serialisable description: step, configs, RNG and sampler states, optimiser scalars. */
  meta: Record<string, unknown>;
  tensors: Map<string, SavedTensor>;
}

interface TensorEntry {
  name: string;
  shape: number[];
  offset: number;
  length: number;
}

/**
 * Writes `data` to `file` atomically (see the file comment). Creates the directory if needed.
 * @param io the file-system layer (tests inject faults through it)
 */
export function saveCheckpoint(file: string, data: CheckpointData, io: AtomicFs = nodeFs): void {
  const entries: TensorEntry[] = [];
  let offset = 0;
  for (const [name, t] of data.tensors) {
    const n = t.shape.reduce((a, b) => a * b, 1);
    if (n !== t.data.length) throw new Error(`saveCheckpoint: tensor "${name}" has ${t.data.length} values but shape [${t.shape}]`);
    entries.push({ name, shape: [...t.shape], offset, length: n });
    offset += n;
  }
  const header = Buffer.from(JSON.stringify({ meta: data.meta, tensors: entries }), 'utf8');
  const lenBuf = Buffer.alloc(4);
  lenBuf.writeUInt32LE(header.length, 0);
  const pre = MAGIC.length + 4 + header.length;
  const pad = Buffer.alloc((4 - (pre % 4)) % 4);
  const values = new Float32Array(offset);
  for (const e of entries) values.set(data.tensors.get(e.name)!.data, e.offset);
  writeFileAtomic(file, [MAGIC, lenBuf, header, pad, toLittleEndian(values)], io);
}

/** Reads a checkpoint written by saveCheckpoint; a truncated or foreign file is a clear error. */
export function loadCheckpoint(file: string): CheckpointData {
  if (!fs.existsSync(file)) throw new Error(`checkpoint ${file} does not exist`);
  const buf = fs.readFileSync(file);
  if (buf.length < MAGIC.length + 4 || !buf.subarray(0, MAGIC.length).equals(MAGIC)) {
    throw new Error(`${file} is not a SeqPE checkpoint (bad magic bytes)`);
  }
  const hlen = buf.readUInt32LE(MAGIC.length);
  const hStart = MAGIC.length + 4;
  if (hStart + hlen > buf.length) throw new Error(`checkpoint ${file} is truncated (header runs past the end)`);
  let header: { meta: Record<string, unknown>; tensors: TensorEntry[] };
  try {
    header = JSON.parse(buf.subarray(hStart, hStart + hlen).toString('utf8'));
  } catch (e) {
    throw new Error(`checkpoint ${file}: unreadable header (${(e as Error).message})`);
  }
  const pre = hStart + hlen;
  const bodyStart = pre + ((4 - (pre % 4)) % 4);
  const total = header.tensors.reduce((s, e) => s + e.length, 0);
  if (bodyStart + 4 * total !== buf.length) {
    throw new Error(`checkpoint ${file} has ${buf.length - bodyStart} value bytes, expected ${4 * total} (truncated or corrupt)`);
  }
  const values = fromLittleEndian(buf, bodyStart, total, 'float32') as Float32Array;
  const tensors = new Map<string, SavedTensor>();
  for (const e of header.tensors) tensors.set(e.name, { shape: e.shape, data: values.slice(e.offset, e.offset + e.length) });
  return { meta: header.meta, tensors };
}
