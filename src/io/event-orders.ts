/**
 * The orders of the events in the local event store, for `--from klaviyo`: each event becomes an
 * order, a skipped order (no email, no phone) or a reject naming the event id, exactly as its row in
 * a json-items export would (the items are read by that format's own code).
 */
import { orderOfEvent, type EventReading } from '../domain/events-to-orders.js';
import type { EventStore } from './event-store.js';
import type { OrderSink, SizeSource } from './formats/format.js';
import { readEventItems } from './formats/json-items.js';
import { normalizePhone } from './formats/row-per-order.js';
import type { OrderSource } from './order-source.js';

const PROGRESS_EVERY = 10_000;

export function eventReading(itemPaths: readonly string[], sizes: SizeSource): EventReading {
  return { itemPaths, readItems: (found, items) => readEventItems(found, items, sizes), normalizePhone };
}

export function storedEventOrders(store: EventStore, reading: EventReading, label: string): OrderSource {
  return {
    label,
    async read(sink: OrderSink, onProgress?: (recordsRead: number) => void): Promise<number> {
      let count = 0;
      let reported = 0;
      for await (const batch of store.batches()) {
        for (const event of batch) {
          count++;
          // The event's position in the store stands in for a line number; the reason names the event id.
          const at = { file: label, line: count };
          const outcome = orderOfEvent(event, reading);
          if (outcome.kind === 'order') sink.order(outcome.order, at, () => JSON.stringify(event));
          else if (outcome.kind === 'without-profile') sink.withoutEmail(event.id, at);
          else sink.reject({ file: label, line: count, code: outcome.code, reason: outcome.reason, raw: JSON.stringify(event) });
        }
        if (count - reported >= PROGRESS_EVERY) {
          reported = count;
          onProgress?.(count);
        }
      }
      onProgress?.(count);
      return count;
    },
  };
}
