// Type-checked by scripts/test-package.sh against the installed package's .d.ts (tsc, moduleResolution node16):
// the names resolve with the documented types.
import { SeqPEEncoder, toDigits, contrastiveLoss, type DigitSpec } from 'seqpe-ts';
import { initBrowserBackend } from 'seqpe-ts/browser';
import { saveWeightsOf } from 'seqpe-ts/node';

const spec: DigitSpec = { dims: 1, digits: 5, base: 10 };
const digits: number[] = toDigits(123, spec);
const enc: SeqPEEncoder = new SeqPEEncoder({ seed: 1, dims: 1, maxPosition: 1000 });
const loss: typeof contrastiveLoss = contrastiveLoss;
const init: typeof initBrowserBackend = initBrowserBackend;
const save: (o: SeqPEEncoder, dir: string) => void = saveWeightsOf;
export { digits, enc, loss, init, save };
