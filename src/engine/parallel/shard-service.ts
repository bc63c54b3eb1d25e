/**
 * What a thread does with a shard it is given (see shard-threads.ts): takes the shard's pieces in,
 * sorts and reduces them, says whether a profile is known only by phone, and, once told whether the
 * whole CSV has a phone column, sends the shard's lines in key order. Run by a thread started for it
 * (shard-worker.ts) or by one that has just read a part of the export (reading/read-part-worker.ts).
 */
import type { MessagePort } from 'node:worker_threads';
import { computationOf } from '../../domain/computation.js';
import { mergeShard } from '../profiles/profile-shards.js';
import { profileCsvLines } from '../../io/profiles-csv.js';
import { linesArrays, type ShardReply, type ShardTask, type ShardWrite } from './shard-threads.js';

export function serveShard(port: MessagePort): void {
  const post = (reply: ShardReply, transfer: ArrayBuffer[] = []) => port.postMessage(reply, transfer);
  port.once('message', (task: ShardTask) => {
    try {
      const accumulator = mergeShard(computationOf(task.computation), task.pieces);
      const source = accumulator.values();
      post({ kind: 'prepared', withPhone: source.withPhone, profileCount: accumulator.profileCount });
      port.once('message', ({ withPhone }: ShardWrite) => {
        try {
          for (const lines of profileCsvLines(source, withPhone, { keyed: true })) post({ kind: 'lines', lines }, linesArrays(lines));
          post({ kind: 'done' });
        } catch (error) {
          post({ kind: 'failed', reason: reasonOf(error) });
        }
      });
    } catch (error) {
      post({ kind: 'failed', reason: reasonOf(error) });
    }
  });
}

function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
