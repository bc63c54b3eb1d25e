/**
 * Runs the CLI in this process and reports its peak RSS, so the benchmark measures memory on any
 * machine (no dependency on GNU time). Usage: node dist/bench/measured-run.js <backfill args...>
 */
import { main } from '../src/cli/main.js';

const started = performance.now();
const exitCode = await main(['node', 'backfill', ...process.argv.slice(2)]);
const seconds = (performance.now() - started) / 1000;
process.stderr.write(`BENCH ${JSON.stringify({ exitCode, seconds, maxRssKb: process.resourceUsage().maxRSS })}\n`);
process.exitCode = exitCode;
