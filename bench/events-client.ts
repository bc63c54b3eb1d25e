/**
 * The CLI as the events bench runs it, in a child process of its own so its peak memory is its own:
 * `main` with the given arguments, then the process's peak RSS and CPU time as one JSON line on stderr.
 */
import { main } from '../src/cli/main.js';

process.exitCode = await main(process.argv);
const usage = process.resourceUsage();
process.stderr.write(`${JSON.stringify({ peakRssMb: Math.round(usage.maxRSS / 1024), cpuSeconds: Math.round((usage.userCPUTime + usage.systemCPUTime) / 1e4) / 100 })}\n`);
