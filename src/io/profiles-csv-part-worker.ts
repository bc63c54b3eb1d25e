/**
 * Worker thread entry: reads the second part of a cut profiles CSV (see profiles-csv-cut.ts) on its
 * own and posts its rows (read-profiles-csv.ts takes them in). Typed arrays are transferred, not copied.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { readProfilesPart, type ProfilesPartOutcome, type ProfilesPartTask } from './read-profiles-csv.js';
import { partTransferables } from './profiles-csv-rows.js';

readProfilesPart(workerData as ProfilesPartTask).then(
  (outcome) => parentPort!.postMessage(outcome, outcome.ok ? partTransferables(outcome.part) : []),
  (error: unknown) => parentPort!.postMessage({ ok: false, reason: error instanceof Error ? error.message : String(error) } satisfies ProfilesPartOutcome),
);
