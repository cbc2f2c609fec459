#!/usr/bin/env node
// The `seqpe-train` command of the installed package: runs the compiled CLI (src/cli/train.ts → dist/cjs/cli/train.js, npm run build).
'use strict';
require('../dist/cjs/cli/train.js').cli();
