/**
 * The paper's Fig. 1 (SeqPE architecture and objectives), drawn from the library's own numbers:
 *
 *   npx tsx scripts/draw-architecture.ts            → figures/architecture.png and figures/architecture.html
 *
 * Options go through environment variables, e.g. GRID=14 ROW=12 COL=7 DIGITS=2 SEED=3.
 */
import * as path from 'path';
import { architectureContent, architectureFigure, type ArchitectureOptions } from '../src/experiments/figure1';
import { renderFigure, withRenderer } from '../src/report/render';

function envInt(name: string): number | undefined {
  const v = process.env[name];
  if (v === undefined || v === '') return undefined;
  const n = Number(v);
  if (!Number.isInteger(n)) throw new Error(`${name}=${v}; expected an integer`);
  return n;
}

async function main(): Promise<void> {
  const row = envInt('ROW');
  const col = envInt('COL');
  if ((row === undefined) !== (col === undefined)) throw new Error('give both ROW and COL, or neither');
  const opts: ArchitectureOptions = {
    grid: envInt('GRID'),
    position: row !== undefined && col !== undefined ? [row, col] : undefined,
    digits: envInt('DIGITS'),
    base: envInt('BASE'),
    seed: envInt('SEED'),
  };
  const k = architectureContent(opts);
  console.log(`position ${k.position.join(',')} → digits ${k.digits.join(' ')}; Seq Pos ${k.seqPos.join(' ')}; Data Dim ${k.dimIds.join(' ')}`);
  console.log(`L_δ: pivot (${k.contrastive.pivot}) mode ${k.contrastive.mode}, nearest candidate #${k.contrastive.label} (${k.contrastive.candidates[k.contrastive.label]})`);
  console.log(`L_OOD: offset (${k.transfer.offset}), first pair (${k.transfer.teachers[0]}) → (${k.transfer.students[0]})`);
  const dir = path.join(__dirname, '..', 'figures');
  const out = await withRenderer(() =>
    renderFigure(architectureFigure(opts), {
      pngPath: path.join(dir, 'architecture.png'),
      htmlPath: path.join(dir, 'architecture.html'),
      title: 'SeqPE: architecture and objectives (Fig. 1)',
    }),
  );
  console.log(`wrote ${out.htmlPath}${out.pngPath ? ` and ${out.pngPath}` : ` (${out.pngSkipped})`}`);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
