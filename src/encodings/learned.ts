/**
 * Learned absolute position embedding (APE; GPT-2's `wpe`, the ViT's `pos_embed`; spec §5), added at the input.
 *
 * Table: [prefix + N, dModel], the prefix rows (the ViT's CLS) first, then N = trainLength (1-D) or trainRows·trainCols
 * (2-D, row-major) rows. Init N(0, 0.02), truncated at ±2σ by default for 2-D (timm's trunc_normal_), plain for 1-D
 * (GPT-2); `truncate` overrides.
 *
 * What apply() returns for a layout (§1.9, "interpolate"):
 * - 1-D, window inside the table (start + length ≤ N): those rows (a slice).
 *   1-D, start 0 and length > N: the N trained rows linearly resampled to `length` rows (PyTorch linear, align_corners=False).
 *   Anything else (a window with a non-zero start reaching past the table): an error — a shifted window has no defined
 *   resampling.
 * - 2-D, start [0, 0]: the trained grid, bicubically resampled (a = −0.75, align_corners=False) to rows × cols whenever
 *   the grid differs from the trained one, larger or smaller — what timm and the official eval do for a new resolution.
 *   2-D with a non-zero start: the sub-grid if it fits inside the table (a slice), else an error.
 * - The prefix rows are always kept as they are; the layout's prefix must equal the configured one.
 * The resampling is gather/matMul on the variable, so it is differentiable too (it is used at evaluation; training at a
 * new length from an interpolated table would work but is not something the paper does). Nothing is cached: each call
 * reads the current variable.
 */
import * as tf from '@tensorflow/tfjs';
import { Rng, normalArray } from '../util/rng';
import { ApplyOptions, checkNoExtraPositions, EncodingCapabilities, EncodingOutput, ModelDims, PositionEncoding, PositionLayout } from './types';
import { checkLayout, headDim } from './rotate';
import { resizeBicubic2d, resizeLinear1d } from './interpolate';

interface ApeCommon {
  /** Rows for prefix tokens (CLS) stored before the positioned rows; default 0. */
  prefix?: number;
  /** Init standard deviation; default 0.02. */
  std?: number;
  /** Truncate the init at ±2 std; default false for 1-D, true for 2-D. */
  truncate?: boolean;
}

export type LearnedApeConfig =
  | (ApeCommon & { kind: '1d'; trainLength: number })
  | (ApeCommon & { kind: '2d'; trainRows: number; trainCols: number });

function positiveInt(name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) throw new Error(`ape: ${name} must be a positive integer, got ${v}`);
  return v;
}

export class LearnedAPE implements PositionEncoding {
  readonly name = 'ape';
  readonly dims: 1 | 2;
  /** [table]: [prefix + N, dModel]. */
  /** Shifted windows only inside the learned table (start-0 windows are interpolated): not in general. */
  readonly capabilities: EncodingCapabilities = {
    carriesPosition: true,
    rawVectors: true,
    extraPositions: false,
    shiftedWindows: { '1d': false, '2d': false },
    objectives: false,
  };
  readonly variables: tf.Variable[];
  readonly table: tf.Variable<tf.Rank.R2>;
  readonly prefix: number;
  /** Positioned rows N. */
  readonly size: number;

  constructor(private readonly model: ModelDims, readonly config: LearnedApeConfig, rng: Rng | number) {
    headDim('ape', model, 1);
    if (config.kind === '1d') {
      this.dims = 1;
      this.size = positiveInt('trainLength', config.trainLength);
    } else if (config.kind === '2d') {
      this.dims = 2;
      this.size = positiveInt('trainRows', config.trainRows) * positiveInt('trainCols', config.trainCols);
    } else {
      throw new Error(`ape: config.kind must be '1d' or '2d', got ${JSON.stringify((config as { kind: unknown }).kind)}`);
    }
    this.prefix = config.prefix ?? 0;
    if (!Number.isInteger(this.prefix) || this.prefix < 0) throw new Error(`ape: prefix must be a non-negative integer, got ${this.prefix}`);
    const std = config.std ?? 0.02;
    if (!(std > 0) || !Number.isFinite(std)) throw new Error(`ape: std must be a finite number > 0, got ${std}`);
    const truncate = config.truncate ?? config.kind === '2d';
    const r = typeof rng === 'number' ? new Rng(rng) : rng;
    const rows = this.prefix + this.size;
    const init = tf.tensor2d(normalArray(r, rows * model.dModel, std, truncate), [rows, model.dModel]);
    this.table = tf.variable(init, true) as tf.Variable<tf.Rank.R2>;
    init.dispose(); // the variable holds its own reference to the data
    this.variables = [this.table];
  }

  namedVariables(): Map<string, tf.Variable> {
    return new Map([['table', this.table]]);
  }

  apply(layout: PositionLayout, opts: ApplyOptions): EncodingOutput {
    checkNoExtraPositions(this.name, opts);
    checkLayout(this.name, layout, this.dims);
    const prefix = layout.prefix ?? 0;
    if (prefix !== this.prefix) {
      throw new Error(`ape: layout has prefix ${prefix} but the table was built with prefix ${this.prefix}`);
    }
    const d = this.model.dModel;
    const positioned = (rows: tf.Tensor2D): tf.Tensor2D =>
      this.prefix === 0 ? rows : (tf.concat([this.table.slice([0, 0], [this.prefix, d]), rows], 0) as tf.Tensor2D);
    const out = tf.tidy(() => {
      const rows = this.positionRows(layout); // [T, dModel]
      return { inputAdd: positioned(rows), main: rows };
    });
    return { inputAdd: out.inputAdd, vectors: { main: out.main } };
  }

  /** The rows for the positioned tokens only: [layoutSize, dModel]. */
  private positionRows(layout: PositionLayout): tf.Tensor2D {
    const d = this.model.dModel;
    const trained = (): tf.Tensor2D => this.table.slice([this.prefix, 0], [this.size, d]); // [N, d]
    if (layout.kind === '1d') {
      if (this.config.kind !== '1d') throw new Error('unreachable');
      if (layout.start + layout.length <= this.size) return this.table.slice([this.prefix + layout.start, 0], [layout.length, d]);
      if (layout.start === 0) return resizeLinear1d(trained(), layout.length);
      throw new Error(
        `ape: 1-D window [${layout.start}, ${layout.start + layout.length}) reaches past the ${this.size} learned positions ` +
          'with a non-zero start; only start-0 windows can be interpolated',
      );
    }
    if (this.config.kind !== '2d') throw new Error('unreachable');
    const R = this.config.trainRows;
    const C = this.config.trainCols;
    const [r0, c0] = layout.start;
    if (r0 === 0 && c0 === 0) {
      if (layout.rows === R && layout.cols === C) return trained().clone();
      const grid = trained().reshape([R, C, d]) as tf.Tensor3D;
      return resizeBicubic2d(grid, layout.rows, layout.cols).reshape([layout.rows * layout.cols, d]) as tf.Tensor2D;
    }
    if (r0 + layout.rows <= R && c0 + layout.cols <= C) {
      const grid = trained().reshape([R, C, d]) as tf.Tensor3D;
      return grid.slice([r0, c0, 0], [layout.rows, layout.cols, d]).reshape([layout.rows * layout.cols, d]) as tf.Tensor2D;
    }
    throw new Error(
      `ape: 2-D grid at start [${r0}, ${c0}] of ${layout.rows}×${layout.cols} does not fit in the learned ${R}×${C} grid; ` +
        'only start-[0, 0] grids can be interpolated',
    );
  }

  dispose(): void {
    this.table.dispose();
  }
}
