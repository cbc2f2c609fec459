/** NoPE (`nope`): no positional information at all; the causal mask alone tells a decoder where it is. */
import * as tf from '@tensorflow/tfjs';
import { ApplyOptions, checkNoExtraPositions, EncodingCapabilities, EncodingOutput, ModelDims, PositionEncoding, PositionLayout } from './types';
import { checkLayout, headDim } from './rotate';

export class NoPE implements PositionEncoding {
  readonly name = 'none';
  readonly dims = 'any' as const;
  readonly capabilities: EncodingCapabilities = {
    carriesPosition: false,
    rawVectors: false,
    extraPositions: false,
    shiftedWindows: { '1d': true, '2d': true },
    objectives: false,
  };
  readonly variables: tf.Variable[] = [];

  constructor(model: ModelDims) {
    headDim('none', model, 1);
  }

  namedVariables(): Map<string, tf.Variable> {
    return new Map();
  }

  apply(layout: PositionLayout, opts: ApplyOptions): EncodingOutput {
    checkNoExtraPositions(this.name, opts);
    checkLayout(this.name, layout, 'any'); // a malformed layout is still a caller bug worth reporting
    return {};
  }

  dispose(): void {
    /* nothing to free */
  }
}
