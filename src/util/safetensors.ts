/**
 * The safetensors format (https://huggingface.co/docs/safetensors), float32 only, as pure bytes: no file system, no
 * tfjs, so the same code runs in Node, in a bundler and in the browser (the explorer reads the reproduction's weights
 * with it), and PyTorch reads the files with `safetensors.torch.load_file`.
 *
 * Layout: an 8-byte little-endian unsigned header length N, N bytes of UTF-8 JSON
 *   { "__metadata__": { string: string }, "<name>": { "dtype": "F32", "shape": [...], "data_offsets": [begin, end] }, ... }
 * padded with spaces so the data starts at a multiple of 8, then the tensors' little-endian bytes back to back
 * (offsets in bytes from the start of the data block). Tensors are written in name order, so the same weights always
 * give the same bytes.
 *
 * Decoding checks what a damaged or foreign file would break: the header length, the JSON, every entry's dtype,
 * shape and offsets (inside the data, non-overlapping, byte length = 4 × the shape's product, covering the block).
 */

export interface NamedArray {
  shape: number[];
  data: Float32Array;
}

export interface SafetensorsContent {
  tensors: Map<string, NamedArray>;
  /** The file's `__metadata__` (string → string, as the format requires). */
  metadata: Record<string, string>;
}

const HOST_LE = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function product(shape: number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** `tensors` (in name order) and `metadata` as the bytes of a .safetensors file. */
export function encodeSafetensors(tensors: Map<string, NamedArray>, metadata: Record<string, string> = {}): Uint8Array {
  const names = [...tensors.keys()].sort();
  const header: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(metadata)) {
    if (typeof v !== 'string') throw new Error(`encodeSafetensors: metadata "${k}" is ${typeof v}; safetensors metadata values are strings`);
  }
  header.__metadata__ = metadata;
  let offset = 0;
  for (const name of names) {
    if (name === '__metadata__') throw new Error('encodeSafetensors: "__metadata__" cannot name a tensor');
    const t = tensors.get(name)!;
    if (!t.shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
      throw new Error(`encodeSafetensors: tensor "${name}" has shape [${t.shape}]; expected whole numbers`);
    }
    if (product(t.shape) !== t.data.length) {
      throw new Error(`encodeSafetensors: tensor "${name}" has ${t.data.length} values but shape [${t.shape}]`);
    }
    header[name] = { dtype: 'F32', shape: [...t.shape], data_offsets: [offset, offset + 4 * t.data.length] };
    offset += 4 * t.data.length;
  }
  let json = new TextEncoder().encode(JSON.stringify(header));
  const padded = Math.ceil(json.length / 8) * 8;
  if (padded !== json.length) {
    const p = new Uint8Array(padded).fill(0x20); // spaces: still valid JSON
    p.set(json);
    json = p;
  }
  const out = new Uint8Array(8 + json.length + offset);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, json.length, true); // low word; the high word stays 0 (headers < 4 GiB)
  out.set(json, 8);
  let at = 8 + json.length;
  for (const name of names) {
    const d = tensors.get(name)!.data;
    if (HOST_LE) out.set(new Uint8Array(d.buffer, d.byteOffset, d.byteLength), at);
    else for (let i = 0; i < d.length; i++) dv.setFloat32(at + 4 * i, d[i], true);
    at += d.byteLength;
  }
  return out;
}

/** Reads a .safetensors file's bytes (F32 tensors only); any inconsistency is an error naming `source`. */
export function decodeSafetensors(bytes: Uint8Array, source = 'safetensors data'): SafetensorsContent {
  if (bytes.length < 8) throw new Error(`${source}: ${bytes.length} bytes is too short for a safetensors file (8-byte header length)`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const lo = dv.getUint32(0, true);
  const hi = dv.getUint32(4, true);
  if (hi !== 0 || 8 + lo > bytes.length) throw new Error(`${source}: header length ${hi * 2 ** 32 + lo} runs past the ${bytes.length}-byte file`);
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + lo)));
  } catch (e) {
    throw new Error(`${source}: unreadable header (${(e as Error).message})`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) throw new Error(`${source}: header is not a JSON object`);
  const dataStart = 8 + lo;
  const dataBytes = bytes.length - dataStart;
  const metadata: Record<string, string> = {};
  const raw = header.__metadata__;
  if (raw !== undefined) {
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new Error(`${source}: __metadata__ is not an object`);
    for (const [k, v] of Object.entries(raw)) {
      if (typeof v !== 'string') throw new Error(`${source}: __metadata__ "${k}" is ${typeof v}; expected a string`);
      metadata[k] = v;
    }
  }
  const spans: { name: string; begin: number; end: number }[] = [];
  const tensors = new Map<string, NamedArray>();
  for (const [name, e] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    const entry = e as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (typeof entry !== 'object' || entry === null) throw new Error(`${source}: tensor "${name}" has no description`);
    if (entry.dtype !== 'F32') throw new Error(`${source}: tensor "${name}" has dtype ${JSON.stringify(entry.dtype)}; only F32 is supported`);
    const shape = entry.shape;
    if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
      throw new Error(`${source}: tensor "${name}" has shape ${JSON.stringify(shape)}; expected whole numbers`);
    }
    const off = entry.data_offsets;
    if (!Array.isArray(off) || off.length !== 2 || !off.every((x) => Number.isSafeInteger(x) && x >= 0) || off[1] < off[0]) {
      throw new Error(`${source}: tensor "${name}" has data_offsets ${JSON.stringify(off)}; expected [begin, end] byte offsets`);
    }
    const [begin, end] = off as [number, number];
    if (end > dataBytes) throw new Error(`${source}: tensor "${name}" spans bytes [${begin}, ${end}) beyond the ${dataBytes} stored`);
    const n = product(shape as number[]);
    if (end - begin !== 4 * n) throw new Error(`${source}: tensor "${name}" holds ${end - begin} bytes but shape [${shape}] needs ${4 * n}`);
    const data = new Float32Array(n);
    const at = dataStart + begin;
    if (HOST_LE) new Uint8Array(data.buffer).set(bytes.subarray(at, at + 4 * n));
    else for (let i = 0; i < n; i++) data[i] = dv.getFloat32(at + 4 * i, true);
    tensors.set(name, { shape: [...(shape as number[])], data });
    spans.push({ name, begin, end });
  }
  spans.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let covered = 0;
  for (const s of spans) {
    if (s.begin < covered) throw new Error(`${source}: tensor "${s.name}" at bytes [${s.begin}, ${s.end}) overlaps the tensor before it`);
    if (s.begin > covered) throw new Error(`${source}: bytes [${covered}, ${s.begin}) before tensor "${s.name}" belong to no tensor`);
    covered = s.end;
  }
  if (covered !== dataBytes) throw new Error(`${source}: ${dataBytes - covered} trailing bytes belong to no tensor`);
  return { tensors, metadata };
}
