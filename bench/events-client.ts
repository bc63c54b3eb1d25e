/**
 * The CLI as the events bench runs it, in a child process of its own so its peak memory is its own:
 * `main` with the given arguments, then the process's peak RSS as one JSON line on stderr.
 */
import { main } from '../src/cli/main.js';

process.exitCode = await main(process.argv);
process.stderr.write(`${JSON.stringify({ peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024) })}\n`);
