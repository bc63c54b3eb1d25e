/**
 * Where a computation's orders come from when they are not export files: today, the events of a
 * Klaviyo metric held in the local event store. `compute`, `diff` and `push` take either.
 */
import type { OrderSink } from './formats/format.js';

export interface OrderSource {
  /** How summaries and rejects name the source (`klaviyo metric "Placed Order" (RkXyZ1)`). */
  readonly label: string;
  /** Delivers every order to `sink`; resolves with the number of records (events) read. */
  read(sink: OrderSink, onProgress?: (recordsRead: number) => void): Promise<number>;
}
