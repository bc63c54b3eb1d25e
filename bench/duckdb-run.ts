/**
 * One timed DuckDB run of the reference job in this process, reporting wall time and peak RSS like
 * measured-run.ts does. Usage: node dist/bench/duckdb-run.js <file> <as-of> <windows> <sizes>
 */
import { duckdbWindowProfiles } from './duckdb-reference.js';

const [file, asOf, windows, sizes] = process.argv.slice(2) as [string, string, string, string];
const started = performance.now();
const profiles = await duckdbWindowProfiles(file, Date.parse(asOf), windows.split(',').map(Number), sizes.split(','));
const seconds = (performance.now() - started) / 1000;
process.stderr.write(`BENCH ${JSON.stringify({ exitCode: 0, seconds, maxRssKb: process.resourceUsage().maxRSS, profiles: profiles.length })}\n`);
