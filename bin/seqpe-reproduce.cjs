#!/usr/bin/env node
// The `seqpe-reproduce` command of the installed package: runs the compiled CLI (src/cli/reproduce.ts →
// dist/cjs/cli/reproduce.js, npm run build). Its worker processes run the compiled worker with plain node (no src/, no tsx
// in an installed package): src/experiments/pool.ts reads SEQPE_WORKER_SCRIPT. Results go under the working folder
// (or SEQPE_ROOT), see src/util/paths.ts.
'use strict';
const path = require('path');
process.env.SEQPE_WORKER_SCRIPT = process.env.SEQPE_WORKER_SCRIPT || path.join(__dirname, '..', 'dist', 'cjs', 'experiments', 'worker.js');
require('../dist/cjs/cli/reproduce.js');
