// Bundled by scripts/test-package.sh with esbuild for the browser platform: `seqpe-ts` must resolve to the Node-free
// build (the "browser" condition of its exports map) and pull in no Node built-in.
import { toDigits, SeqPEEncoder, initBrowserBackend, decodeSafetensors, contrastiveLoss } from 'seqpe-ts';
export const digits = toDigits(123, { dims: 1, digits: 5, base: 10 });
export { SeqPEEncoder, initBrowserBackend, decodeSafetensors, contrastiveLoss };
