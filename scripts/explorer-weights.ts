/**
 * The explorer's trained weights: picks the reproduction's SeqPE and learned-baseline runs (LM, 1-D; ViT, 2-D) and writes
 * their position-encoding parameters as compact safetensors files plus one JSON index into the page's assets.
 *
 * Usage: npx tsx scripts/explorer-weights.ts [OUT_DIR]   (default explorer/dist/assets; `npm run explorer` calls it)
 *
 * Where weights come from, best first, per method:
 *   1. results/runs/<id>/weights.safetensors (scripts/export-weights.ts: `param/*` tensors without the prefix, the run's
 *      config in `__metadata__`.config), of the profile ranked highest (paper > small > quick), lowest seed first;
 *   2. results/archive/<name>/<id>/checkpoint.bin (format v1, src/train/checkpoint.ts): those folders hold no config, so the
 *      run is identified by its id: the config of every profile's planned runs is hashed (src/experiments/cache.ts) and
 *      the one whose `<kind>-<hash>` is the folder name is its config. An archived checkpoint matching no planned run is
 *      named and skipped (its settings cannot be known).
 * Each file holds only the encoding's tensors (`pe.*`, the model's parameter names), with the run id, profile, steps,
 * source and config in its metadata; the index labels every entry with the same facts, so the page says exactly which
 * training stands behind a map. Methods without parameters (sinusoidal, RoPE, ALiBi, RoPE-2D) are listed too, built in
 * the page from their spec; a learned method with no run anywhere is listed without weights (the page says so).
 */
import * as fs from 'fs';
import * as path from 'path';
import { configHash, stableStringify } from '../src/experiments/cache';
import { EXPERIMENTS } from '../src/experiments/catalog';
import type { LmRunConfig, MethodSpec, RunConfig, VitRunConfig } from '../src/experiments/configs';
import { getProfile, PROFILE_NAMES } from '../src/experiments/profiles';
import type { EncodingSpec, ModelDims } from '../src/encodings/index';
import { loadCheckpoint } from '../src/train/checkpoint';
import { PROJECT_ROOT } from '../src/util/paths';
import { decodeSafetensors, encodeSafetensors, type NamedArray } from '../src/util/safetensors';

export const INDEX_FORMAT = 'seqpe-explorer weights v1';

/** Where one method's trained weights came from. */
export interface TrainedWeights {
  /** File under the assets folder (`weights/<kind>-<slug>.safetensors`). */
  file: string;
  runId: string;
  profile: string;
  /** Training updates behind the weights. */
  steps: number;
  seed: number;
  /** Repo-relative file the weights were read from. */
  source: string;
  tensors: number;
}

export interface IndexMethod {
  label: string;
  encoding: EncodingSpec;
  /** Whether the encoding has parameters (so "trained" and "random init" differ). */
  learned: boolean;
  /** Present when a trained run was found. */
  trained?: TrainedWeights;
}

export interface IndexTask {
  kind: 'lm' | 'vit';
  /** Model shape the encodings plug into (the chosen runs' profile; every method of a task shares it). */
  dims: ModelDims;
  /** Profile whose settings the specs and dims come from. */
  profile: string;
  /** 1-D: training length T; 2-D: training grid side (native image size / patch). */
  trainExtent: number;
  /** Tokens before the positioned ones (the ViT's CLS). */
  prefix: number;
  methods: IndexMethod[];
}

export interface WeightsIndex {
  format: typeof INDEX_FORMAT;
  tasks: IndexTask[];
}

interface Candidate {
  cfg: LmRunConfig | VitRunConfig;
  runId: string;
  source: string;
  steps: number;
  /** `pe.*` tensors, names as the model's ParamStore has them. */
  tensors: Map<string, NamedArray>;
}

const PROFILE_RANK: Record<string, number> = { paper: 3, small: 2, quick: 1 };

/** Every planned run of every profile, by folder name (`<kind>-<hash of its config>`). */
export function plannedRuns(): Map<string, RunConfig> {
  const out = new Map<string, RunConfig>();
  for (const pn of PROFILE_NAMES) {
    const p = getProfile(pn);
    for (const e of EXPERIMENTS) for (const cfg of e.runs(p)) out.set(`${cfg.kind}-${configHash(cfg)}`, cfg);
  }
  return out;
}

function peTensors(all: Iterable<[string, NamedArray]>, prefix: string): Map<string, NamedArray> {
  const out = new Map<string, NamedArray>();
  for (const [name, t] of all) {
    if (!name.startsWith(prefix)) continue;
    const n = name.slice(prefix.length);
    if (n.startsWith('pe.')) out.set(n, { shape: [...t.shape], data: t.data });
  }
  return out;
}

const rel = (f: string): string => path.relative(PROJECT_ROOT, f).split(path.sep).join('/');

/** A results/runs/<id>/weights.safetensors file as a candidate (undefined for a QA run). */
export function candidateFromWeightsFile(file: string, notes: string[]): Candidate | undefined {
  const st = decodeSafetensors(new Uint8Array(fs.readFileSync(file)), file);
  const raw = st.metadata.config;
  if (raw === undefined) throw new Error(`${file}: no __metadata__.config (not written by scripts/export-weights.ts?)`);
  const cfg = JSON.parse(raw) as RunConfig;
  if (cfg.kind !== 'lm' && cfg.kind !== 'vit') return undefined; // QA runs: the explorer shows the LM and ViT encodings
  const steps = Number(st.metadata.step);
  if (!Number.isInteger(steps) || steps < 0) throw new Error(`${file}: __metadata__.step ${JSON.stringify(st.metadata.step)} is not a step count`);
  return { cfg, runId: path.basename(path.dirname(file)), source: rel(file), steps, tensors: peTensors(st.tensors, '') };
}

/** An archived checkpoint as a candidate, its config found by run id (undefined for a QA run, and with a note when no planned run has it). */
export function candidateFromCheckpoint(file: string, planned: Map<string, RunConfig>, notes: string[]): Candidate | undefined {
  const runId = path.basename(path.dirname(file));
  const cfg = planned.get(runId);
  if (!cfg) {
    notes.push(`skip ${rel(file)}: run id ${runId} is no planned run of any profile, so its settings are unknown`);
    return undefined;
  }
  if (cfg.kind !== 'lm' && cfg.kind !== 'vit') return undefined; // QA runs: the explorer shows the LM and ViT encodings
  const ck = loadCheckpoint(file);
  const steps = ck.meta.step;
  if (typeof steps !== 'number' || !Number.isInteger(steps)) throw new Error(`${file}: checkpoint meta.step ${JSON.stringify(steps)} is not a step count`);
  return { cfg, runId, source: rel(file), steps, tensors: peTensors(ck.tensors, 'param/') };
}

/** All candidates under `root` (results/runs/*\/weights.safetensors, then results/archive/*\/*\/checkpoint.bin). */
export function findCandidates(root: string, notes: string[]): Candidate[] {
  const out: Candidate[] = [];
  const runs = path.join(root, 'results', 'runs');
  if (fs.existsSync(runs)) {
    for (const d of fs.readdirSync(runs).sort()) {
      const f = path.join(runs, d, 'weights.safetensors');
      if (fs.existsSync(f)) {
        const c = candidateFromWeightsFile(f, notes);
        if (c) out.push(c);
      }
    }
  }
  const archive = path.join(root, 'results', 'archive');
  if (fs.existsSync(archive)) {
    const planned = plannedRuns();
    for (const a of fs.readdirSync(archive).sort()) {
      const dir = path.join(archive, a);
      if (!fs.statSync(dir).isDirectory()) continue;
      for (const d of fs.readdirSync(dir).sort()) {
        const f = path.join(dir, d, 'checkpoint.bin');
        if (fs.existsSync(f)) {
          const c = candidateFromCheckpoint(f, planned, notes);
          if (c) out.push(c);
        }
      }
    }
  }
  return out;
}

/** Best candidate for a method: weights files before archived checkpoints, then profile rank, then lowest seed. */
function better(a: Candidate, b: Candidate): boolean {
  const fa = a.source.endsWith('.safetensors') ? 1 : 0;
  const fb = b.source.endsWith('.safetensors') ? 1 : 0;
  if (fa !== fb) return fa > fb;
  const ra = PROFILE_RANK[a.cfg.profile] ?? 0;
  const rb = PROFILE_RANK[b.cfg.profile] ?? 0;
  if (ra !== rb) return ra > rb;
  return a.cfg.seed < b.cfg.seed;
}

function slug(label: string): string {
  return label.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
}

/** The methods the page shows per task: the reproduction's tables' rows (NoPE has no map). */
function methodsOf(kind: 'lm' | 'vit', profileName: string): MethodSpec[] {
  const p = getProfile(profileName);
  const plan = kind === 'lm' ? EXPERIMENTS.find((e) => e.name === 'lm-extrapolation')! : EXPERIMENTS.find((e) => e.name === 'vit-resolution')!;
  const seen = new Map<string, MethodSpec>();
  for (const cfg of plan.runs(p)) if (cfg.method.encoding.name !== 'none' && !seen.has(cfg.method.label)) seen.set(cfg.method.label, cfg.method);
  return [...seen.values()];
}

const LEARNED = new Set(['ape', 'seqpe', 'rope-mixed']);

/**
 * The index and the files to write for `candidates`. Per task the profile is that of the best SeqPE candidate (else
 * 'small'); a method's trained weights come only from runs of that profile, since the maps must share one model shape.
 */
export function buildIndex(candidates: Candidate[]): { index: WeightsIndex; files: Map<string, Uint8Array> } {
  const files = new Map<string, Uint8Array>();
  const tasks: IndexTask[] = [];
  for (const kind of ['lm', 'vit'] as const) {
    const ofKind = candidates.filter((c) => c.cfg.kind === kind);
    const seq = ofKind.filter((c) => c.cfg.method.encoding.name === 'seqpe' && c.cfg.method.label === 'SeqPE');
    const bestSeq = seq.reduce<Candidate | undefined>((b, c) => (!b || better(c, b) ? c : b), undefined);
    const profileName = bestSeq?.cfg.profile ?? 'small';
    const p = getProfile(profileName);
    const methods: IndexMethod[] = [];
    for (const m of methodsOf(kind, profileName)) {
      const learned = LEARNED.has(m.encoding.name);
      const entry: IndexMethod = { label: m.label, encoding: m.encoding, learned };
      if (learned) {
        const want = stableStringify(m);
        const pool = ofKind.filter((c) => c.cfg.profile === profileName && stableStringify(c.cfg.method) === want);
        const best = pool.reduce<Candidate | undefined>((b, c) => (!b || better(c, b) ? c : b), undefined);
        if (best) {
          if (best.tensors.size === 0) throw new Error(`${best.source}: a '${m.encoding.name}' run without any pe.* tensor`);
          const file = `weights/${kind}-${slug(m.label)}.safetensors`;
          files.set(file, encodeSafetensors(best.tensors, {
            format: INDEX_FORMAT,
            runId: best.runId,
            profile: best.cfg.profile,
            steps: String(best.steps),
            source: best.source,
            config: stableStringify(best.cfg),
          }));
          entry.trained = {
            file, runId: best.runId, profile: best.cfg.profile, steps: best.steps, seed: best.cfg.seed, source: best.source,
            tensors: best.tensors.size,
          };
        }
      }
      methods.push(entry);
    }
    const dims: ModelDims = kind === 'lm'
      ? { dModel: p.lm.dModel, heads: p.lm.heads, layers: p.lm.layers }
      : { dModel: p.vit.dModel, heads: p.vit.heads, layers: p.vit.layers };
    tasks.push({
      kind, dims, profile: profileName,
      trainExtent: kind === 'lm' ? p.lm.seqLen : p.vit.nativeSize / p.vit.patch,
      prefix: kind === 'lm' ? 0 : 1,
      methods,
    });
  }
  return { index: { format: INDEX_FORMAT, tasks }, files };
}

/** Writes index.json and the weight files under `outDir`; returns one line per entry for the build log. */
export function writeExplorerWeights(outDir: string, root = PROJECT_ROOT): string[] {
  const notes: string[] = [];
  const { index, files } = buildIndex(findCandidates(root, notes));
  fs.mkdirSync(path.join(outDir, 'weights'), { recursive: true });
  for (const [f, bytes] of files) fs.writeFileSync(path.join(outDir, f), bytes);
  fs.writeFileSync(path.join(outDir, 'index.json'), JSON.stringify(index, null, 1));
  const lines = [...notes];
  for (const t of index.tasks) {
    for (const m of t.methods) {
      const w = m.trained;
      lines.push(`${t.kind} ${m.label}: ${w ? `${w.runId} (${w.profile} profile, ${w.steps} steps, from ${w.source})` : m.learned ? 'no trained run found' : 'no parameters'}`);
    }
  }
  return lines;
}

if (require.main === module) {
  try {
    const out = path.resolve(process.argv[2] ?? path.join(PROJECT_ROOT, 'explorer', 'dist', 'assets'));
    for (const l of writeExplorerWeights(out)) console.log(l);
    console.log(`explorer-weights: wrote ${path.relative(process.cwd(), path.join(out, 'index.json'))}`);
  } catch (e) {
    console.error(`explorer-weights: ${(e as Error).message}`);
    process.exitCode = 1;
  }
}
