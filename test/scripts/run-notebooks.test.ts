/**
 * scripts/run-notebooks.sh's plan (--dry-run: no kernel started): by default each notebook runs at the profile it is
 * committed at, reusing results/, with its executed copy and figures in the git-ignored .scratch/, so `npm run
 * notebooks` leaves the committed files alone; another profile also keeps its runs out of results/; --in-place writes the
 * committed notebook and is refused at a profile other than the committed one.
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { committedProfile, ipynbProfile, parsePercent } from '../../scripts/make-notebook';

const ROOT = path.join(__dirname, '..', '..');
const NB = path.join(ROOT, 'notebooks');

function plan(...args: string[]): { status: number | null; stderr: string; rows: Record<string, string>[] } {
  const env = { ...process.env };
  delete env.SEQPE_PROFILE;
  delete env.SEQPE_RESULTS_DIR;
  delete env.SEQPE_FIGURES_DIR;
  const r = spawnSync('bash', [path.join(ROOT, 'scripts', 'run-notebooks.sh'), '--dry-run', ...args], { cwd: ROOT, encoding: 'utf8', env });
  const rows = r.stdout.split('\n').filter((l) => l.startsWith('plan: ')).map((l) => {
    const [nb, ...kv] = l.slice(6).split(' ');
    return { nb, ...Object.fromEntries(kv.map((x) => [x.slice(0, x.indexOf('=')), x.slice(x.indexOf('=') + 1)])) };
  });
  return { status: r.status, stderr: r.stderr, rows };
}

const sources = fs.readdirSync(NB).filter((f) => /^\d\d-.*\.nb\.ts$/.test(f)).sort();

describe('run-notebooks plan', () => {
  it('every chapter names the profile it is committed at, and its notebook records the same', () => {
    expect(sources.length).toBe(10);
    for (const f of sources) {
      const p = committedProfile(parsePercent(fs.readFileSync(path.join(NB, f), 'utf8'), f));
      expect(p, `${f}: startChapter({ committed: '…' })`).toMatch(/^(quick|small|paper)$/);
      expect(ipynbProfile(fs.readFileSync(path.join(NB, f.replace(/\.nb\.ts$/, '.ipynb')), 'utf8'))).toBe(p);
    }
  });

  it('by default: the committed profile, results/ reused, notebooks and figures in .scratch/ (nothing tracked is written)', () => {
    const r = plan();
    expect(r.status).toBe(0);
    expect(r.rows.map((x) => path.basename(x.nb))).toEqual(sources.map((f) => f.replace(/\.nb\.ts$/, '.ipynb')));
    for (const x of r.rows) {
      expect(x.profile).toBe(x.committed);
      expect(x.output).toBe(path.join(ROOT, '.scratch', 'notebooks', path.basename(x.nb)));
      expect(x.figures).toBe(path.join(ROOT, '.scratch', 'figures'));
      expect(x.results).toBe('results');
    }
    for (const f of ['.scratch/notebooks/x.ipynb', '.scratch/figures/small/x.png', '.scratch/results/runs/x/result.json']) {
      expect(spawnSync('git', ['check-ignore', '-q', f], { cwd: ROOT }).status, `${f} must be git-ignored`).toBe(0);
    }
  });

  it('--profile quick (CI): results too go to .scratch/, never into results/', () => {
    const r = plan('--profile', 'quick', '01', '03');
    expect(r.status).toBe(0);
    expect(r.rows.map((x) => path.basename(x.nb).slice(0, 2))).toEqual(['01', '03']);
    for (const x of r.rows) {
      expect(x.profile).toBe('quick');
      expect(x.results).toBe(path.join(ROOT, '.scratch', 'results'));
      expect(x.output.startsWith(path.join(ROOT, '.scratch') + path.sep)).toBe(true);
    }
  });

  it('--in-place writes the committed notebook and figures/, and only at the committed profile', () => {
    const r = plan('--in-place', '03');
    expect(r.status).toBe(0);
    expect(r.rows).toHaveLength(1);
    expect(r.rows[0].output).toBe(r.rows[0].nb);
    expect(r.rows[0].figures).toBe('figures');
    const bad = plan('--in-place', '--profile', 'quick', '03');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/--in-place would replace notebooks\/03-.*\.ipynb \(committed at 'small'\) with outputs at 'quick'/);
    expect(plan('--profile', 'huge').stderr).toMatch(/profile 'huge' is not one of quick, small, paper/);
    expect(plan('--in-place', '--out-dir', 'x').status).toBe(2);
    expect(plan('77').stderr).toMatch(/no notebook matches '77'/);
  });
});
