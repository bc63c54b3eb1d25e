/**
 * One timed DuckDB run of the reference query in this process, reporting wall time and peak RSS like
 * measured-run.ts does. Usage: node dist/bench/duckdb-run.js <file> <as-of> <out.csv>
 *
 * The time runs from before DuckDB's library is loaded (as a DuckDB command line loads it too) to the
 * query's end; only the start of Node itself, which DuckDB's own command line would not have, is left out.
 */
const started = performance.now();
const { runDuckdbWindow } = await import('./duckdb-reference.js');
const [file, asOf, out] = process.argv.slice(2) as [string, string, string];
await runDuckdbWindow(file, out, Date.parse(asOf));
const seconds = (performance.now() - started) / 1000;
process.stderr.write(`BENCH ${JSON.stringify({ exitCode: 0, seconds, maxRssKb: process.resourceUsage().maxRSS })}\n`);
