/**
 * Runs the CLI in this process and reports its wall time and peak RSS, so the benchmark measures
 * memory on any machine (no dependency on GNU time). Usage: node dist/bench/measured-run.js <backfill args...>
 *
 * The time is the whole process's, from Node's start (performance.now() counts from it): loading the
 * tool's modules is part of every run a user makes.
 */
import { main } from '../src/cli/main.js';

const exitCode = await main(['node', 'backfill', ...process.argv.slice(2)]);
const seconds = performance.now() / 1000;
process.stderr.write(`BENCH ${JSON.stringify({ exitCode, seconds, maxRssKb: process.resourceUsage().maxRSS })}\n`);
process.exitCode = exitCode;
