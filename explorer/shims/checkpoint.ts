/**
 * The page's stand-in for src/train/checkpoint.ts (explorer/build.ts substitutes it for the training loop's import): the
 * real module builds Node Buffers when it loads, and the page never saves or resumes a run. Same exports, each failing
 * clearly if ever called.
 */
function unavailable(name: string): () => never {
  return () => {
    throw new Error(`${name}: checkpoints are files, and the explorer page neither saves nor resumes training runs`);
  };
}
export const saveCheckpoint = unavailable('saveCheckpoint');
export const loadCheckpoint = unavailable('loadCheckpoint');
export const assertSameConfig = unavailable('assertSameConfig');
export const differingFields = unavailable('differingFields');
export type CheckpointData = { meta: Record<string, unknown>; tensors: Map<string, { shape: number[]; data: Float32Array }> };
