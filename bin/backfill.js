#!/usr/bin/env node
// Launcher only: the program lives in dist/src/cli/main.js, built by `npm install` (the `prepare` script).
import { main } from '../dist/src/cli/main.js';

process.exitCode = await main(process.argv);
