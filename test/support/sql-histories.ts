/**
 * Order histories for the SQL equality tests, generated with fast-check, and the same orders in the two
 * forms the tests feed: a generic-layout CSV that `backfill compute` reads (through a config `columns`
 * mapping) and rows of typed SQL tables (`orders`, `order_lines`) that `backfill sql`'s statement reads.
 *
 * The histories are made of what people get wrong: orders at the very same instant, gaps of exactly
 * N days (and a millisecond either side), times written with the offsets of zones crossing DST changes,
 * equal values, values with many decimals, cancelled orders in any spelling, sizes in every alias and
 * case, emails in any case with white space around them, a second email column, orders without an
 * email, a time or a value, and orders after the as-of.
 */
import fc from 'fast-check';
import { stringify } from 'csv-stringify/sync';
import { DAY_MS } from '../../src/domain/definitions.js';
import { TimeZone } from '../../src/domain/time-zone.js';

export interface HistoryOrder {
  readonly orderId: string;
  /** Per email column (one or two), as written: any case, padded, blank, or NULL. */
  readonly emails: readonly (string | null)[];
  /** Epoch ms; null: no time. */
  readonly placedAt: number | null;
  /** The zone whose offset the time is written with. */
  readonly zone: string;
  /** Decimal text; null: no value. */
  readonly value: string | null;
  readonly status: string | null;
  /** One entry per order line: its size as written, or NULL. */
  readonly sizes: readonly (string | null)[];
}

/** What the generator bends the histories around. */
export interface HistoryShape {
  readonly asOf: number;
  /** The windows' lengths in days: gaps of exactly these are generated. */
  readonly windowDays: readonly number[];
  /** Whether a second email column exists (the first non-blank of the two is the email). */
  readonly secondEmail: boolean;
}

/** Zones whose offsets change within the histories (March and October/November DST changes). */
const ZONES = ['America/New_York', 'Europe/Berlin', 'Australia/Sydney', 'UTC'];

const SIZE_TEXTS = ['S', 's', ' small ', 'SMALL', 'Small', 'M', 'medium', 'Medium ', 'L', 'LARGE', 'large', 'XL', 'xl', 'X-Large', 'x-large', 'Extra Large', 'EXTRA LARGE', 'xlarge', 'XS', 'xs', 'Blue', '', 'M/L'];

const STATUSES = [null, 'paid', 'Paid', 'cancelled', 'Canceled', ' REFUNDED ', 'voided', 'declined', 'failed', 'pending', 'wc-cancelled'];

/** Values that collide: equal values, 999 before 1000, values equal to the cent and beyond it. */
const COMMON_VALUES = ['10', '10.00', '10.0', '999', '1000', '1359.60', '1359.99', '1359.6', '0', '0.00', '-5.00', '129.99'];

/** A decimal with up to 8 decimals and at most 13 significant digits: distinct as text means distinct as a double. */
const decimalValue = fc
  .tuple(fc.integer({ min: 0, max: 99_999 }), fc.integer({ min: 0, max: 8 }), fc.integer({ min: 0, max: 99_999_999 }))
  .map(([whole, decimals, fraction]) => (decimals === 0 ? String(whole) : `${whole}.${String(fraction).padStart(8, '0').slice(0, decimals)}`));

const valueText = fc.oneof({ weight: 2, arbitrary: fc.constantFrom('10', '10.00', '1000') }, { weight: 3, arbitrary: fc.constantFrom(...COMMON_VALUES) }, { weight: 2, arbitrary: decimalValue });

/** How the next order's time is found: from the one before, or at an instant the as-of makes special. */
type Step = { readonly kind: 'gap'; readonly ms: number } | { readonly kind: 'asOf'; readonly ms: number };

function stepArbitrary(shape: HistoryShape): fc.Arbitrary<Step> {
  const windowMs = shape.windowDays.map((days) => days * DAY_MS);
  const gap = (ms: fc.Arbitrary<number>) => ms.map((value): Step => ({ kind: 'gap', ms: value }));
  return fc.oneof(
    { weight: 3, arbitrary: gap(fc.constant(0)) },
    { weight: 4, arbitrary: gap(fc.constantFrom(...windowMs.flatMap((ms) => [ms, ms, ms - 1, ms + 1, ms - 1000]))) },
    { weight: 3, arbitrary: gap(fc.integer({ min: 1, max: 3 * DAY_MS })) },
    { weight: 4, arbitrary: gap(fc.integer({ min: 1, max: Math.max(...windowMs) * 2 })) },
    // At the as-of, at the start of a window before it (a bound, inclusive), a millisecond either side.
    { weight: 2, arbitrary: fc.constantFrom(...[0, ...windowMs].flatMap((ms) => [-ms, -ms, -ms - 1, -ms + 1])).map((ms): Step => ({ kind: 'asOf', ms })) },
    // Inside the shortest window before the as-of, where window mode looks and ties decide.
    { weight: 2, arbitrary: fc.integer({ min: 0, max: Math.min(...windowMs) }).map((ms): Step => ({ kind: 'asOf', ms: -ms })) },
  );
}

interface OrderDraft {
  readonly step: Step;
  readonly zone: string;
  /** A value, null for none, or a number: one of the profile's own few values (so that equal values meet). */
  readonly value: string | null | number;
  readonly status: string | null;
  readonly sizes: readonly (string | null)[];
  /** 0: as is, 1: upper case, 2: padded with white space, 3: blank, 4: NULL. */
  readonly emailForm: number;
  readonly secondEmailForm: number;
  readonly noTime: boolean;
}

function draftArbitrary(shape: HistoryShape): fc.Arbitrary<OrderDraft> {
  return fc.record({
    step: stepArbitrary(shape),
    zone: fc.constantFrom(...ZONES),
    value: fc.oneof({ weight: 15, arbitrary: valueText }, { weight: 15, arbitrary: fc.nat(1) }, { weight: 1, arbitrary: fc.constant(null) }),
    status: fc.constantFrom(...STATUSES),
    sizes: fc.array(fc.oneof({ weight: 8, arbitrary: fc.constantFrom(...SIZE_TEXTS) }, { weight: 1, arbitrary: fc.constant(null) }), { maxLength: 3 }),
    emailForm: fc.oneof({ weight: 20, arbitrary: fc.constantFrom(0, 1, 2) }, { weight: 1, arbitrary: fc.constantFrom(3, 4) }),
    secondEmailForm: fc.constantFrom(0, 1, 2, 3, 4),
    noTime: fc.oneof({ weight: 40, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
  });
}

/** Where histories start: a little before the DST changes of 2025 (US 9 March, EU 30 March, US 2 November, EU 26 October). */
const ANCHORS = ['2025-02-20T10:00:00Z', '2025-03-08T23:30:00Z', '2025-03-29T12:00:00Z', '2025-10-01T08:15:30Z', '2025-10-25T22:00:00Z'].map(Date.parse);

/** One profile's orders (its number `profile` makes its emails and order ids unique in a batch). */
export function historyArbitrary(shape: HistoryShape): fc.Arbitrary<(profile: number) => HistoryOrder[]> {
  return fc
    .tuple(fc.constantFrom(...ANCHORS), fc.integer({ min: 0, max: 40 * DAY_MS }), fc.tuple(valueText, valueText), fc.array(draftArbitrary(shape), { minLength: 1, maxLength: 8 }))
    .map(([anchor, shift, ownValues, drafts]) => (profile: number) => {
      let time = anchor + shift;
      return drafts.map((draft, k) => {
        time = draft.step.kind === 'gap' ? time + draft.step.ms : shape.asOf + draft.step.ms;
        return {
          orderId: `${profile}-${k + 1}`,
          emails: [emailText(`customer${profile}@example.com`, draft.emailForm), ...(shape.secondEmail ? [emailText(`billing${profile}@example.com`, draft.secondEmailForm)] : [])],
          placedAt: draft.noTime ? null : time,
          zone: draft.zone,
          value: typeof draft.value === 'number' ? ownValues[draft.value]! : draft.value,
          status: draft.status,
          sizes: draft.sizes,
        };
      });
    });
}

/** Many profiles' histories, numbered, as one batch: one `compute` run and one query for all of them. */
export function batchArbitrary(shape: HistoryShape, profiles: number): fc.Arbitrary<HistoryOrder[]> {
  return fc.array(historyArbitrary(shape), { minLength: profiles, maxLength: profiles }).map((histories) => histories.flatMap((history, profile) => history(profile)));
}

function emailText(email: string, form: number): string | null {
  return [email, `${email[0]!.toUpperCase()}${email.slice(1).toUpperCase()}`, ` \t${email} `, '  ', null][form]!;
}

/** The column names of both forms: `default` is backfill sql's default names. */
export interface HistoryColumns {
  readonly orderId: string;
  readonly emails: readonly string[];
  readonly placedAt: string;
  readonly value: string;
  readonly status: string;
  readonly size: string;
}

/**
 * The orders as a generic-layout CSV: one row per order line (one row for an order without lines),
 * consecutive rows sharing the order id; times written in the order's zone with its offset then.
 */
export function historyCsv(orders: readonly HistoryOrder[], columns: HistoryColumns): string {
  const header = [columns.orderId, ...columns.emails, columns.placedAt, columns.value, columns.status, columns.size];
  const rows = orders.flatMap((order) => {
    const time = order.placedAt === null ? '' : localText(order.placedAt, order.zone, ' ', '');
    const sizes = order.sizes.length === 0 ? [null] : order.sizes;
    return sizes.map((size) => [order.orderId, ...order.emails.map((email) => email ?? ''), time, order.value ?? '', order.status ?? '', size ?? '']);
  });
  return stringify([header, ...rows]);
}

/** `2025-03-09 03:00:00.123 -0400` (as exports write it), or with `+hh:mm` (as SQL engines read it). */
export function localText(epochMs: number, zone: string, beforeOffset: string, offsetColon: string): string {
  const offset = TimeZone.named(zone)!.offsetAt(epochMs);
  const wall = new Date(epochMs + offset).toISOString().replace('T', ' ').replace('Z', '');
  const minutes = Math.abs(offset) / 60_000;
  const sign = offset < 0 ? '-' : '+';
  return `${wall}${beforeOffset}${sign}${String(Math.floor(minutes / 60)).padStart(2, '0')}${offsetColon}${String(minutes % 60).padStart(2, '0')}`;
}
