/**
 * Export finished runs' trained weights as weights.safetensors next to their result.json (format:
 * src/experiments/run-weights.ts), so notebooks and outside tools can use them from a fresh clone; checkpoint.bin
 * (weights + optimiser state, large) stays uncommitted.
 *
 * Usage: npx tsx scripts/export-weights.ts [RUN_DIR …] [--force]
 *   RUN_DIR   results/runs/<kind>-<hash> folders (default: every folder under the results root, SEQPE_RESULTS_DIR or
 *             results/, that has a checkpoint.bin and a result.json)
 *   --force   rewrite a weights file that is newer than its checkpoint (default: skip it)
 * A run folder without checkpoint.bin is named and skipped when scanning, an error when given explicitly.
 */
import * as fs from 'fs';
import * as path from 'path';
import { resultsRoot } from '../src/experiments/cache';
import { exportRunWeights, runWeightsPath } from '../src/experiments/run-weights';

function main(argv: string[]): number {
  const force = argv.includes('--force');
  const bad = argv.filter((a) => a.startsWith('-') && a !== '--force');
  if (bad.length) throw new Error(`unknown option ${bad.join(', ')}; usage: export-weights.ts [RUN_DIR …] [--force]`);
  const given = argv.filter((a) => !a.startsWith('-'));
  const root = path.join(resultsRoot(), 'runs');
  const dirs = given.length
    ? given.map((d) => path.resolve(d))
    : fs.existsSync(root) ? fs.readdirSync(root).sort().map((d) => path.join(root, d)).filter((d) => fs.statSync(d).isDirectory()) : [];
  let written = 0;
  let failed = 0;
  for (const dir of dirs) {
    const ck = path.join(dir, 'checkpoint.bin');
    const rel = path.relative(process.cwd(), dir) || dir;
    if (!fs.existsSync(ck) || !fs.existsSync(path.join(dir, 'result.json'))) {
      const why = !fs.existsSync(ck) ? 'no checkpoint.bin' : 'no result.json (run not finished)';
      if (given.length) { console.error(`export-weights: ${rel}: ${why}`); failed++; } else console.log(`skip ${rel}: ${why}`);
      continue;
    }
    const out = runWeightsPath(dir);
    if (!force && fs.existsSync(out) && fs.statSync(out).mtimeMs >= fs.statSync(ck).mtimeMs) {
      console.log(`up to date ${path.relative(process.cwd(), out)}`);
      continue;
    }
    try {
      const r = exportRunWeights(dir);
      console.log(`wrote ${path.relative(process.cwd(), r.file)}: ${r.tensors} tensors, step ${r.step}, ${(fs.statSync(r.file).size / 1024).toFixed(0)} KiB`);
      written++;
    } catch (e) {
      console.error(`export-weights: ${rel}: ${(e as Error).message}`);
      failed++;
    }
  }
  console.log(`export-weights: ${written} written, ${failed} failed, ${dirs.length} run folder(s) looked at`);
  return failed ? 1 : 0;
}

try {
  process.exitCode = main(process.argv.slice(2));
} catch (e) {
  console.error(`export-weights: ${(e as Error).message}`);
  process.exitCode = 2;
}
