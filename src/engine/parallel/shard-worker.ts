/** Worker thread entry for a thread started only to compute a shard (see shard-threads.ts). */
import { parentPort } from 'node:worker_threads';
import { serveShard } from './shard-service.js';

serveShard(parentPort!);
