#!/usr/bin/env node
// The `seqpe-eval` command of the installed package: runs the compiled CLI (src/cli/eval.ts → dist/cjs/cli/eval.js, npm run build).
'use strict';
require('../dist/cjs/cli/eval.js').cli();
