/**
 * What `compute` does with each order an adapter delivers: count it, de-duplicate it by id, and add it
 * to the profiles. One collector per thread when a file is read in parts (see io/file-cut.ts and
 * part-threads.ts); the parts are then absorbed in file order, which gives what one collector reading
 * the whole file gives.
 */
import type { Definitions } from '../core/definitions.js';
import { OrderIds, type SeenIds } from '../core/order-ids.js';
import { keyHash } from '../core/key-index.js';
import { accumulatedArrays, profileKey, type AccumulatedPart } from '../core/profiles.js';
import { ProfileShards } from '../core/profile-shards.js';
import type { ApartRows, OrderSink, RejectedRecord } from '../io/formats/format.js';

export interface OrderCounts {
  ordersRead: number;
  ordersAfterAsOf: number;
  ordersWithoutEmail: number;
  ordersExcluded: number;
  /** Orders whose id was already read with the same email and total (overlapping exports): counted once. */
  ordersDuplicate: number;
  /** Orders whose id was already read with a different email or total: rejected, the first one kept. */
  ordersConflicting: number;
}

/** A collector's content as plain data (typed arrays, strings, numbers) for `postMessage`. */
export interface CollectedPart {
  readonly counts: OrderCounts;
  readonly newestOrderAt: number | null;
  /** One per shard (see core/profile-shards.ts). */
  readonly profiles: readonly AccumulatedPart[];
  readonly ids: SeenIds;
}

/** The buffers of a part's typed arrays: `postMessage` moves them instead of copying them. */
export function transferables(part: CollectedPart): ArrayBuffer[] {
  return [...part.profiles.flatMap(accumulatedArrays), part.ids.numeric.keys, part.ids.numeric.fingerprints].map((array) => array.buffer as ArrayBuffer);
}

export class OrderCollector implements OrderSink {
  readonly profiles: ProfileShards;
  readonly counts: OrderCounts = {
    ordersRead: 0,
    ordersAfterAsOf: 0,
    ordersWithoutEmail: 0,
    ordersExcluded: 0,
    ordersDuplicate: 0,
    ordersConflicting: 0,
  };
  /** When the newest order read was placed (after --as-of too), for a run that finds nothing to write. */
  newestOrderAt: number | null = null;
  readonly #orderIds = new OrderIds();
  readonly #onReject: (rejected: RejectedRecord) => void;

  /** `shards`: how many threads may compute the profiles once they are read (see core/profile-shards.ts); every collector of one run has the same. */
  constructor(definitions: Definitions, asOf: number, onReject: (rejected: RejectedRecord) => void, shards = 1) {
    this.profiles = new ProfileShards(definitions, asOf, shards);
    this.#onReject = onReject;
  }

  order: OrderSink['order'] = (order, at, raw) => {
    // The profile key is hashed once, for the id check and for the profile's shard and index.
    const key = profileKey(order);
    const hash = keyHash(key);
    const sighting = order.orderId === '' ? 'new' : this.#orderIds.see(order, hash);
    if (sighting === 'duplicate') {
      this.counts.ordersDuplicate++;
      // The same order read again: its rows may be apart from the first ones read (a sorted file,
      // a one-row-per-item layout), so its sizes count; for a true repeat they are the same ones.
      if (order.sizes.length > 0) this.profiles.addSizes(key, hash, order.placedAt, order.sizes);
      return;
    }
    if (sighting === 'conflict') {
      this.counts.ordersConflicting++;
      this.reject({
        file: at.file,
        line: at.line,
        code: 'DUPLICATE_ORDER_CONFLICT',
        reason: `order ${order.orderId} was already read with a different email or total; the first one read is kept`,
        raw: raw(),
      });
      return;
    }
    this.counts.ordersRead++;
    if (this.newestOrderAt === null || order.placedAt > this.newestOrderAt) this.newestOrderAt = order.placedAt;
    if (!this.profiles.add(order, key, hash)) this.counts.ordersAfterAsOf++;
  };

  withoutEmail(): void {
    this.counts.ordersRead++;
    this.counts.ordersWithoutEmail++;
  }

  excluded(orderId: string): void {
    this.counts.ordersRead++;
    this.counts.ordersExcluded++;
    // Only its rows read apart (if any) ask for it again: they are left out with it, not rejected.
    this.#excludedIds.add(orderId);
  }

  reject(rejected: RejectedRecord): void {
    this.#onReject(rejected);
  }

  /** Rows read apart from their order, matched with it once every file is read (`settleApartRows`). */
  readonly #apart: ApartRows[] = [];
  readonly #excludedIds = new Set<string>();

  apartRows(rows: ApartRows): void {
    this.#apart.push(rows);
  }

  /**
   * Once every file is read: rows read apart from their order add their sizes to it, and rows whose
   * order was never read are rejected. Only this collector, which read in turn, holds any: a part
   * read on another thread that has some is read again in turn (see ShopifyReader.cutState).
   */
  settleApartRows(): void {
    for (const rows of this.#apart.splice(0)) {
      if (this.#orderIds.has(rows.orderId)) {
        const key = profileKey(rows);
        this.profiles.addSizes(key, keyHash(key), rows.placedAt, rows.sizes);
      } else if (!this.#excludedIds.has(rows.orderId)) {
        for (const rejected of rows.unmatched) this.reject(rejected);
      }
    }
  }

  /** Whether `absorb` would take the part: none of its order ids was read here. */
  canAbsorb(part: CollectedPart): boolean {
    return !this.#orderIds.overlaps(part.ids);
  }

  /** Everything collected, for another thread's `absorb`; this collector must not be used afterwards. */
  handOver(): CollectedPart {
    return { counts: { ...this.counts }, newestOrderAt: this.newestOrderAt, profiles: this.profiles.handOver(), ids: this.#orderIds.handOver() };
  }

  /**
   * Takes in a part read by another collector from the input that follows this one's; afterwards this
   * collector is what reading both inputs in turn would have made. Only for a part `canAbsorb` takes:
   * had one of its order ids been read here, reading in turn would have counted that order as a
   * duplicate or a conflict, so such a part must be read again in turn.
   */
  absorb(part: CollectedPart, { keepIds = true }: { readonly keepIds?: boolean } = {}): void {
    // Without keepIds (no more input follows), the part's ids are checked but not kept: at millions
    // of orders, holding them would double the id table at the moment memory peaks.
    // Rows read apart from their order are matched by id once all is read: then the ids are kept too.
    if (keepIds || this.#apart.length > 0) this.#orderIds.absorb(part.ids);
    this.profiles.absorb(part.profiles);
    for (const name of Object.keys(this.counts) as (keyof OrderCounts)[]) this.counts[name] += part.counts[name];
    if (part.newestOrderAt !== null && (this.newestOrderAt === null || part.newestOrderAt > this.newestOrderAt)) this.newestOrderAt = part.newestOrderAt;
  }
}
