/**
 * One timed DuckDB run of the reference query in this process, reporting wall time and peak RSS like
 * measured-run.ts does. Usage: node dist/bench/duckdb-run.js <file> <as-of> <out.csv>
 */
import { runDuckdbWindow } from './duckdb-reference.js';

const [file, asOf, out] = process.argv.slice(2) as [string, string, string];
const started = performance.now();
await runDuckdbWindow(file, out, Date.parse(asOf));
const seconds = (performance.now() - started) / 1000;
process.stderr.write(`BENCH ${JSON.stringify({ exitCode: 0, seconds, maxRssKb: process.resourceUsage().maxRSS })}\n`);
