/**
 * The shipped weights (written by scripts/explorer-weights.ts into assets/): the index, the safetensors files, and the
 * encodings rebuilt from them. buildEncoding is DOM-free, so test/explorer/weights.test.ts runs it in Node.
 */
import type { IndexMethod, IndexTask, WeightsIndex } from '../../scripts/explorer-weights';
import { adoptEncoding, createEncoding, decodeSafetensors, ParamStore, type NamedArray, type PositionEncoding } from './lib';

export type { IndexMethod, IndexTask, WeightsIndex } from '../../scripts/explorer-weights';

/** Same string as scripts/explorer-weights.ts INDEX_FORMAT (not imported: that module is Node-only at run time). */
export const INDEX_FORMAT = 'seqpe-explorer weights v1';

export async function fetchIndex(base = 'assets/'): Promise<WeightsIndex> {
  const r = await fetch(`${base}index.json`);
  if (!r.ok) throw new Error(`${base}index.json: HTTP ${r.status}`);
  const index = (await r.json()) as WeightsIndex;
  if (index.format !== INDEX_FORMAT) throw new Error(`${base}index.json: format ${JSON.stringify(index.format)}, expected ${JSON.stringify(INDEX_FORMAT)}`);
  return index;
}

const cache = new Map<string, Promise<Map<string, NamedArray>>>();

export function fetchWeights(file: string, base = 'assets/'): Promise<Map<string, NamedArray>> {
  let p = cache.get(file);
  if (!p) {
    p = fetch(`${base}${file}`).then(async (r) => {
      if (!r.ok) throw new Error(`${base}${file}: HTTP ${r.status}`);
      return decodeSafetensors(new Uint8Array(await r.arrayBuffer()), file).tensors;
    });
    cache.set(file, p);
  }
  return p;
}

/**
 * The method's encoding for the task's model shape: with `weights`, every parameter set from them through the models'
 * own ParamStore (names `pe.*`; a missing, unknown or reshaped tensor is an error, never a partial load); without, the
 * random initialisation of `seed`.
 */
export function buildEncoding(task: IndexTask, method: IndexMethod, seed: number, weights?: Map<string, NamedArray>): PositionEncoding {
  const enc = createEncoding(method.encoding, task.dims, seed);
  if (weights) {
    const store = new ParamStore(0);
    try {
      adoptEncoding(store, enc);
      store.setWeights(weights);
    } catch (e) {
      enc.dispose();
      throw new Error(`${method.label} (${method.trained?.file ?? 'weights'}): ${(e as Error).message}`);
    } finally {
      store.dispose(); // adopted variables stay with the encoding
    }
  }
  return enc;
}
