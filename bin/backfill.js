#!/usr/bin/env node
// Launcher only: the program lives in dist/src/cli.js, built by `npm install` (the `prepare` script).
import { main } from '../dist/src/cli.js';

process.exitCode = await main(process.argv);
