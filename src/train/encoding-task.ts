/**
 * Training a position encoding on its own objectives alone (no language or image task): the notebooks' chapters 3 and 4
 * train SeqPE's encoder on L_δ, or on L_δ + L_OOD, through the library's one loop instead of their own optimiser loops.
 *
 * - EncodingOnly: the "model" is just the encoding, its variables adopted in the 'pe' group under their own names (as
 *   the real models do), so checkpoints, clipping and AdamW work unchanged.
 * - encodingTask: the task loss is 0; each step runs ONE encoding pass over the main layout and the objectives' extra
 *   positions, and the loop adds the encoding's named losses (so the task needs an encoding with objectives).
 */
import * as tf from '@tensorflow/tfjs';
import type { PositionEncoding, PositionLayout } from '../encodings/types';
import { adoptEncoding } from '../models/shared';
import { ParamStore } from '../models/params';
import type { TrainableModel } from '../models/types';
import type { Task } from './tasks';

export class EncodingOnly implements TrainableModel {
  readonly params: ParamStore;

  constructor(readonly encoding: PositionEncoding) {
    if (!encoding.capabilities.objectives) {
      throw new Error(`EncodingOnly: encoding '${encoding.name}' has no objectives configured, so training it alone has no loss`);
    }
    // Nothing is initialised here (every variable is the encoding's), so the store's Rng is never drawn from.
    this.params = new ParamStore(0);
    adoptEncoding(this.params, encoding);
  }

  describe(): Record<string, unknown> {
    return { kind: 'encoding-only', encoding: this.encoding.name, params: this.params.count() };
  }

  /** The encoding is disposed by its owner; the store owns nothing. */
  dispose(): void {
    this.params.dispose();
  }
}

/**
 * A task whose only losses are the encoding's own objectives.
 * @param layout the main layout (1-D window or 2-D grid) at the origin: the distillation teacher window and what a
 *               random shift moves; its positions are encoded in every step's pass
 */
export function encodingTask(layout: PositionLayout): Task<EncodingOnly, null> {
  if (layout.kind === '1d' && !(Number.isInteger(layout.length) && layout.length >= 1)) {
    throw new Error(`encodingTask: layout length must be a positive integer, got ${layout.length}`);
  }
  if (layout.kind === '2d' && !(Number.isInteger(layout.rows) && layout.rows >= 1 && Number.isInteger(layout.cols) && layout.cols >= 1)) {
    throw new Error(`encodingTask: layout rows and cols must be positive integers, got ${layout.rows}×${layout.cols}`);
  }
  return {
    name: 'encoding-only',
    unit: 'tokens',
    itemsPerBatch: layout.kind === '1d' ? layout.length : layout.rows * layout.cols,
    layout(start) {
      if (start === undefined) return layout;
      if ((layout.kind === '1d') !== (typeof start === 'number')) {
        throw new Error(`encodingTask: a ${layout.kind} layout cannot start at ${JSON.stringify(start)}`);
      }
      return { ...layout, start } as PositionLayout;
    },
    nextBatch: () => null,
    loss(model, _batch, ctx) {
      const encoding = model.encoding.apply(ctx.layout, { ...ctx.encoding, training: ctx.training });
      return { loss: tf.scalar(0), encoding };
    },
  };
}
