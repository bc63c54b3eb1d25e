/**
 * The pieces the Django conformance suite runs: order histories as Klaviyo events and as the CSV
 * `compute` reads, the built CLI's `flow --json` and `compute --mode flow`, and the replay of the
 * flows by Django's template engine (test/conformance/replay_flow.py).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'csv-stringify/sync';
import { parseTimestamp } from '../../src/domain/timestamp.js';
import { csvRows, REPO_ROOT, runCliSync, tempDir } from './cli.js';

export interface ReplayEvent {
  /** Epoch seconds. */
  readonly time: number;
  readonly properties: Record<string, unknown>;
}

export interface History {
  readonly email: string;
  readonly events: readonly ReplayEvent[];
}

/** How the events name the order's fields, and how compute is told to read the same CSV. */
export interface EventShape {
  readonly value: string;
  readonly date: string;
  readonly items: string;
  readonly itemSize: string;
}

export const RECIPE_SHAPE: EventShape = { value: '$value', date: 'created_at', items: 'items', itemSize: 'Size' };

/** The order value of an event as the flow reads it: `default:0` makes a missing or null value 0. */
export function eventValue(event: ReplayEvent, shape: EventShape): number {
  const value = event.properties[shape.value];
  return typeof value === 'number' ? value : 0;
}

/** Events in the order Klaviyo runs them and compute replays them: by time, ties by value. */
export function inReplayOrder(history: History, shape: EventShape): History {
  return { email: history.email, events: [...history.events].sort((a, b) => a.time - b.time || eventValue(a, shape) - eventValue(b, shape)) };
}

/**
 * The histories as a json-items CSV (`Items` holds each event's items as they are) and its config.
 * A blank total is a rejected row for compute, while the flow's `default:0` counts it as 0: such an
 * event is written with the value 0, which is what the flow does with it.
 */
export function writeOrders(dir: string, histories: readonly History[], shape: EventShape, config: Record<string, unknown> = {}): { csv: string; config: string } {
  const rows: string[][] = [['$event_id', 'Timestamp', '$email', '$value', 'Items']];
  let id = 1;
  for (const history of histories) {
    for (const event of history.events) {
      rows.push([String(id++), String(event.properties[shape.date]), history.email, String(eventValue(event, shape)), JSON.stringify(event.properties[shape.items] ?? [])]);
    }
  }
  const csv = join(dir, 'orders.csv');
  writeFileSync(csv, stringify(rows));
  const configPath = join(dir, 'backfill.config.json');
  writeFileSync(
    configPath,
    JSON.stringify({
      format: 'json-items',
      columns: { email: '$email', orderId: '$event_id', placedAt: 'Timestamp', value: '$value', items: 'Items' },
      sizeOption: shape.itemSize,
      ...config,
    }),
  );
  return { csv, config: configPath };
}

export type Properties = Record<string, string | number>;

/** `backfill compute --mode flow` on the CSV: email -> properties (numbers as numbers). */
export function computeFlowMode(orders: { csv: string; config: string }, args: readonly string[], asOf: string): Map<string, Properties> {
  const dir = tempDir();
  const out = join(dir, 'profiles.csv');
  const run = runCliSync(['compute', orders.csv, '--config', orders.config, '--mode', 'flow', '--as-of', asOf, '-o', out, '--quiet', ...args], { cwd: dir });
  if (run.code !== 0) throw new Error(`compute failed (${run.code}): ${run.stderr}`);
  const profiles = new Map<string, Properties>();
  for (const row of csvRows(readFileSync(out, 'utf8'))) {
    const properties: Properties = {};
    for (const [column, cell] of Object.entries(row)) {
      if (column === 'Email' || cell === '') continue;
      properties[column] = /^-?\d+(\.\d+)?$/.test(cell) ? Number(cell) : cell;
    }
    profiles.set(row['Email']!, properties);
  }
  return profiles;
}

/** `backfill flow --json`: the Create Flow bodies. */
export function flowBodies(args: readonly string[], cwd?: string): unknown[] {
  const run = runCliSync(['flow', '--json', ...args], cwd !== undefined ? { cwd } : {});
  if (run.code !== 0) throw new Error(`flow --json failed (${run.code}): ${run.stderr}`);
  return JSON.parse(run.stdout) as unknown[];
}

/** A Python with Django: $PYTHON, else python3 on the PATH, else Debian's /usr/bin/python3. */
export function pythonWithDjango(): string {
  const candidates = [process.env.PYTHON, 'python3', '/usr/bin/python3'].filter((c): c is string => c !== undefined && c !== '');
  for (const candidate of candidates) {
    if (spawnSync(candidate, ['-c', 'import django'], { stdio: 'ignore' }).status === 0) return candidate;
  }
  throw new Error(`no Python with Django (tried ${candidates.join(', ')}): apt-get install -y python3-django`);
}

export interface ReplayResult {
  readonly profiles: Record<string, Properties>;
  readonly bodies: unknown[];
  /** Webhooks whose body named another email than the profile's (sent to another profile, so not applied). */
  readonly misaddressed: { email: string; named: unknown }[];
}

/** Django renders the flows' webhooks over the histories (see replay_flow.py for the rules). */
export function replayWithDjango(flows: readonly unknown[], histories: readonly History[], missing: 'empty' | 'none'): ReplayResult {
  const run = spawnSync(pythonWithDjango(), [join(REPO_ROOT, 'test', 'conformance', 'replay_flow.py')], {
    input: JSON.stringify({ flows, profiles: histories, missing }),
    encoding: 'utf8',
    maxBuffer: 512 * 1024 * 1024,
  });
  if (run.status !== 0) throw new Error(`the Django replay failed (${run.status}): ${run.stderr}`);
  return JSON.parse(run.stdout) as ReplayResult;
}

/** A stored date as an instant: Unix seconds (`{% now "U" %}`) or any form the backfill reads. */
export function instantOf(value: string | number): number | undefined {
  if (typeof value === 'number') return undefined;
  if (/^\d{9,11}$/.test(value)) return Number(value) * 1000;
  const parsed = parseTimestamp(value, true);
  return parsed.ok ? parsed.epochMs : undefined;
}

/** How one profile's flow properties differ from compute's, by value (numbers) and instant (dates); [] when they agree. */
export function differences(flow: Properties, computed: Properties): string[] {
  const problems: string[] = [];
  for (const name of new Set([...Object.keys(flow), ...Object.keys(computed)])) {
    const a = flow[name];
    const b = computed[name];
    if (a === undefined || b === undefined) {
      problems.push(`${name}: flow ${JSON.stringify(a)}, compute ${JSON.stringify(b)}`);
      continue;
    }
    const same = typeof b === 'number' ? a === b : instantOf(a) !== undefined && instantOf(a) === instantOf(b);
    if (!same) problems.push(`${name}: flow ${JSON.stringify(a)}, compute ${JSON.stringify(b)}`);
  }
  return problems;
}
