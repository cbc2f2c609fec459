/**
 * The paper's Fig. 1 (SeqPE's architecture and its two objectives) redrawn as a plotly figure spec, from real data
 * (./content.ts): nothing is typed in by hand, so the figure cannot drift from the code it illustrates. This is paper
 * content, so it lives with the experiments; the generic drawing canvas it uses is src/report/canvas.ts.
 *
 * The figure is drawn on one hidden axis whose units are 10 px at the default 1400 × 700 size (x ∈ [0, 140],
 * y ∈ [0, 70], y up), with layout shapes (boxes, lines) and annotations (text, arrows); two small inset axes hold the
 * sampled positions as scatter traces. Every shape and annotation that carries data has a `name` (e.g. 'digit-token-2',
 * 'patch-highlight', 'candidate-5-sqdist', 'student-1') so tests and readers can find it.
 *
 * Three panels:
 *   left    the image as a grid × grid patch grid, the chosen patch highlighted, and the main-task Transformer fed with
 *           position embeddings e(0,0), e(0,1), …, e(r,c), … (./panels-model.ts);
 *   middle  the sequential position encoder ℰ: Seq Token / Seq Pos / Data Dim rows, [CLS] last, causal Transformer × 2,
 *           the [CLS] output becoming e(r,c) (./panels-model.ts);
 *   right   L_δ (pivot, first candidates, the nearest one ticked, squared distances) and L_OOD (teacher positions,
 *           student = teacher + offset, similarity distributions tied by D_KL) (./panels-objectives.ts).
 */
import { Canvas } from '../../report/canvas';
import type { Figure, Trace } from '../../report/figure';
import { architectureContent, type ArchitectureOptions } from './content';
import { drawEncoder, drawMainTask } from './panels-model';
import { drawDistance, drawOod } from './panels-objectives';
import { FONT, ORANGE, MUTED, STYLE, sub } from './style';

/**
 * The paper's Fig. 1, recreated from the library's own numbers (see the file comment). Pure: builds a plotly spec,
 * renders nothing. Throws on a position outside the grid, too few digits for the grid, or other bad options.
 */
export function architectureFigure(opts: ArchitectureOptions = {}): Figure {
  const k = architectureContent(opts);
  const cv = new Canvas(STYLE);
  const traces: Trace[] = [];
  const layout: Record<string, unknown> = {
    width: 1400,
    height: 700,
    margin: { l: 0, r: 0, t: 0, b: 0, pad: 0 },
    paper_bgcolor: '#fff',
    plot_bgcolor: '#fff',
    showlegend: false,
    font: { family: FONT, size: 13 },
    xaxis: { range: [0, 140], visible: false, fixedrange: true, domain: [0, 1] },
    yaxis: { range: [0, 70], visible: false, fixedrange: true, domain: [0, 1] },
    shapes: cv.shapes,
    annotations: cv.annotations,
  };

  const { peX, peBottom } = drawMainTask(cv, k);
  const { outX, outY } = drawEncoder(cv, k);
  // ℰ's output becomes the main model's e(r,c): route left above the encoder's Transformer, down past the row labels,
  // then under the embedding row into e(r,c) from below (going straight left would cross the boxes after it).
  const routeX = 44.5;
  const routeY = 39.5;
  cv.path([[outX, outY], [routeX, outY], [routeX, routeY], [peX, routeY], [peX, routeY + 0.3]], { color: ORANGE, width: 1.8, name: 'encoder-to-main' });
  cv.arrow(peX, routeY, peX, peBottom, { color: ORANGE, width: 1.8 });
  drawDistance(cv, k, traces, layout);
  drawOod(cv, k, traces, layout);

  cv.text(
    70, 2.9,
    `Digits, Seq Pos and Data Dim ids from toDigits / digitPositionIds / dimensionIds; L<sub>δ</sub> and L<sub>OOD</sub> examples are real ` +
      `ContrastiveSampler / TransferSampler draws (2-D, maxPosition ${k.contrastive.maxPosition}, seed ${k.contrastive.seed}).`,
    { size: 11, color: MUTED, name: 'caption-1' },
  );
  cv.text(
    70, 1.2,
    `Seq Pos follows the code: O${sub('0')}…O${sub(String(k.seqPos.length - 1))}, not reset per dimension ` +
      `(the paper's Fig. 1 draws O${sub('0')} O${sub('1')} O${sub('0')} O${sub('1')}). The P<sub>T</sub> / P<sub>S</sub> bars are illustrative shapes, not measured similarities.`,
    { size: 11, color: MUTED, name: 'caption-2' },
  );
  // The main axis needs one (invisible) trace so plotly lays it out before the insets.
  traces.unshift({ type: 'scatter', mode: 'markers', x: [], y: [], xaxis: 'x', yaxis: 'y', hoverinfo: 'skip', showlegend: false });
  return { data: traces, layout };
}
