/**
 * Every position encoding behind one factory: a plain, JSON-serialisable spec → a PositionEncoding.
 * Adding an encoding touches its own file and one case here; models and the training loop never change.
 */
import { ALiBi } from './alibi';
import { LearnedAPE } from './learned';
import { NoPE } from './none';
import { RoPE } from './rope';
import { RoPE2D } from './rope2d';
import { RoPEMixed } from './rope-mixed';
import { SeqPE, SeqPEEncoderConfig, SeqPEMode, SeqPEObjectivesConfig } from './seqpe/index';
import { Sinusoidal } from './sinusoidal';
import { ModelDims, PositionEncoding } from './types';

export * from './types';
export { ALiBi, alibiSlopes } from './alibi';
export { LearnedAPE } from './learned';
export { NoPE } from './none';
export { RoPE, ropeFrequencies } from './rope';
export { RoPE2D } from './rope2d';
export { RoPEMixed } from './rope-mixed';
export * from './seqpe/index';
export { Sinusoidal, sinusoidalRows } from './sinusoidal';
// Files (saveWeights, loadWeights, saveWeightsOf, loadWeightsOf) are Node-only: weights-io.ts, exported by src/node.ts.
export { assignNamed, checkNamedShapes, weightsToBytes, weightsFromBytes, type HasNamedWeights } from './weights-format';

/** What a config file says about the position encoding. */
export type EncodingSpec =
  | { name: 'none' }
  | { name: 'sinusoidal'; base?: number }
  | { name: 'rope'; base?: number }
  | { name: 'rope2d'; base?: number }
  | { name: 'rope-mixed'; theta?: number }
  | { name: 'alibi' }
  /** Learned absolute table trained at trainLength (1-D) or trainRows×trainCols (2-D); interpolated beyond. */
  | { name: 'ape'; trainLength?: number; trainRows?: number; trainCols?: number; prefix?: number }
  /** SeqPE: its encoder, how it enters the model, and its own training objectives (contrastive, distillation, shift). */
  | { name: 'seqpe'; mode: SeqPEMode; encoder?: Omit<SeqPEEncoderConfig, 'seed'>; objectives?: SeqPEObjectivesConfig };

export type EncodingName = EncodingSpec['name'];
export const ENCODING_NAMES: readonly EncodingName[] = ['none', 'sinusoidal', 'rope', 'rope2d', 'rope-mixed', 'alibi', 'ape', 'seqpe'];

/** Builds the encoding a spec describes for a model of the given shape; `seed` drives every learned initialisation. */
export function createEncoding(spec: EncodingSpec, model: ModelDims, seed: number): PositionEncoding {
  switch (spec.name) {
    case 'none':
      return new NoPE(model);
    case 'sinusoidal':
      return new Sinusoidal(model, { base: spec.base });
    case 'rope':
      return new RoPE(model, { base: spec.base });
    case 'rope2d':
      return new RoPE2D(model, { base: spec.base });
    case 'rope-mixed':
      return new RoPEMixed(model, { theta: spec.theta }, seed);
    case 'alibi':
      return new ALiBi(model);
    case 'ape':
      if (spec.trainLength !== undefined) {
        return new LearnedAPE(model, { kind: '1d', trainLength: spec.trainLength, prefix: spec.prefix }, seed);
      }
      if (spec.trainRows !== undefined && spec.trainCols !== undefined) {
        return new LearnedAPE(model, { kind: '2d', trainRows: spec.trainRows, trainCols: spec.trainCols, prefix: spec.prefix }, seed);
      }
      throw new Error(`ape: give trainLength (1-D) or trainRows and trainCols (2-D); got ${JSON.stringify(spec)}`);
    case 'seqpe':
      return new SeqPE(model, { mode: spec.mode, seed, encoder: spec.encoder, objectives: spec.objectives });
    default: {
      const name = (spec as { name?: unknown }).name;
      throw new Error(`unknown position encoding ${JSON.stringify(name)}; expected one of ${ENCODING_NAMES.join(', ')}`);
    }
  }
}
