/** NoPE (`nope`): no positional information at all; the causal mask alone tells a decoder where it is. */
import * as tf from '@tensorflow/tfjs';
import { ApplyOptions, EncodingOutput, ModelDims, PositionEncoding, PositionLayout } from './types';
import { checkLayout, headDim } from './rotate';

export class NoPE implements PositionEncoding {
  readonly name = 'none';
  readonly dims = 'any' as const;
  readonly variables: tf.Variable[] = [];

  constructor(model: ModelDims) {
    headDim('none', model, 1);
  }

  apply(layout: PositionLayout, _opts: ApplyOptions): EncodingOutput {
    checkLayout(this.name, layout, 'any'); // a malformed layout is still a caller bug worth reporting
    return {};
  }

  dispose(): void {
    /* nothing to free */
  }
}
