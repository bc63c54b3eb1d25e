/**
 * `backfill diff`'s three outputs from one result: a short summary with the first N changes for a
 * person, Markdown for a CI job summary or a pull-request comment, and JSON listing everything for
 * machines. Pure: strings and objects out, the CLI writes them.
 */
import type { DiffResult } from '../commands/diff.js';
import { formatValue } from '../core/money.js';
import type { PropertyChange } from '../core/profile-diff.js';
import { compareCodeUnits, type PropertyValue } from '../core/profiles.js';

/** One profile that would change, as listed: added (every property it sets) or changed (old -> new). */
interface ListedChange {
  readonly kind: 'added' | 'changed';
  readonly email: string;
  readonly changes: readonly PropertyChange[];
}

/** Added and changed profiles together, by email, each with its property changes. */
export function listedChanges(result: DiffResult): ListedChange[] {
  const added = result.diff.added.map((row): ListedChange => ({
    kind: 'added',
    email: row.email,
    changes: result.columns.flatMap((property) => (row.properties[property] === undefined ? [] : [{ property, from: undefined, to: row.properties[property]! }])),
  }));
  const changed = result.diff.changed.map((change): ListedChange => ({ kind: 'changed', ...change }));
  return [...added, ...changed].sort((a, b) => compareCodeUnits(a.email, b.email));
}

export function diffCounts(result: DiffResult) {
  const { diff, counts } = result;
  return {
    computed: counts.profiles,
    added: diff.added.length,
    changed: diff.changed.length,
    unchanged: diff.unchangedCount,
    onlyInBaseline: diff.onlyInBaseline.length,
    emptied: diff.stale.length,
    withoutEmail: diff.withoutEmail,
    rowsRejected: counts.rowsRejected,
    baselineRowsRejected: result.baselineRowsRejected,
    ...(result.clears !== undefined ? { clears: result.clears.clears.length } : {}),
  };
}

export function diffJson(result: DiffResult, baseline: string): unknown {
  return {
    baseline,
    counts: diffCounts(result),
    definitionsChanged: result.definitionsChanged ?? null,
    propertiesOnlyInBaseline: result.propertiesOnlyInBaseline,
    added: result.diff.added.map((row) => ({ email: row.email, properties: row.properties })),
    changed: result.diff.changed.map((change) => ({
      email: change.email,
      changes: change.changes.map((c) => ({ property: c.property, from: c.from ?? null, to: c.to })),
    })),
    onlyInBaseline: result.diff.onlyInBaseline,
    emptied: result.diff.stale,
    ...(result.clears !== undefined ? { clears: result.clears.clears } : {}),
    rejectsFile: result.rejectsFile ?? null,
  };
}

export function diffText(result: DiffResult, baseline: string, limit: number): string {
  const c = diffCounts(result);
  const lines = [`backfill diff against ${baseline}: ${c.added} added, ${c.changed} changed, ${c.unchanged} unchanged`];
  const listed = listedChanges(result);
  for (const change of listed.slice(0, limit)) {
    const parts = change.changes.map((p) =>
      change.kind === 'added' ? `${p.property} ${show(p.to)}` : `${p.property} ${p.from === undefined ? '(blank)' : show(p.from)} -> ${show(p.to)}`,
    );
    lines.push(`  ${change.kind === 'added' ? '+' : '~'} ${change.email}: ${parts.join('; ')}`);
  }
  if (listed.length > limit) lines.push(`  ... and ${listed.length - limit} more (--limit <n> to show more, --json for all)`);
  const clears = result.clears?.clears ?? [];
  for (const clear of clears.slice(0, limit)) lines.push(`  - ${clear.email}: clear ${clear.properties.join(', ')}`);
  if (clears.length > limit) lines.push(`  ... and ${clears.length - limit} more clears (--limit <n> to show more, --json for all)`);
  lines.push(...notes(result).map((note) => `  note: ${note}`));
  return `${lines.join('\n')}\n`;
}

export function diffMarkdown(result: DiffResult, baseline: string, limit: number): string {
  const c = diffCounts(result);
  const out = [
    `### backfill diff against ${cell(baseline)}`,
    '',
    `| added | changed | unchanged | only in baseline | emptied, ${result.clears !== undefined ? 'to clear' : 'left as they are'} |`,
    '|---:|---:|---:|---:|---:|',
    `| ${c.added} | ${c.changed} | ${c.unchanged} | ${c.onlyInBaseline} | ${result.clears !== undefined ? clearedProperties(result) : c.emptied} |`,
    '',
  ];
  const listed = listedChanges(result);
  if (listed.length === 0) {
    out.push(`No changes: the ${c.computed} computed profiles match the baseline.`, '');
  } else {
    out.push('| | email | property | before | after |', '|---|---|---|---|---|');
    for (const change of listed.slice(0, limit)) {
      change.changes.forEach((p, index) => {
        const who = index === 0 ? `${change.kind} | ${cell(change.email)}` : ' | ';
        out.push(`| ${who} | ${cell(p.property)} | ${p.from === undefined ? '' : cell(show(p.from))} | ${cell(show(p.to))} |`);
      });
    }
    out.push('');
    if (listed.length > limit) out.push(`${listed.length - limit} more profiles change; \`backfill diff --json\` lists them all.`, '');
  }
  for (const note of notes(result)) out.push(`> ${cell(note)}`, '');
  return out.join('\n');
}

/** Properties the clears would remove (each emptied window's value and date). */
function clearedProperties(result: DiffResult): number {
  return (result.clears?.clears ?? []).reduce((sum, clear) => sum + clear.properties.length, 0);
}

/** What a reader should know beyond the counts. */
function notes(result: DiffResult): string[] {
  const c = diffCounts(result);
  const notes: string[] = [];
  if (result.definitionsChanged === true) notes.push(`the definitions differ from the state's: backfill push --incremental would send all ${c.computed - c.withoutEmail} profiles`);
  if (result.propertiesOnlyInBaseline.length > 0) {
    notes.push(`the baseline has properties no longer computed (${result.propertiesOnlyInBaseline.join(', ')}): a push leaves them in Klaviyo as they are`);
  }
  if (result.clears !== undefined) {
    const clears = result.clears.clears;
    if (clears.length > 0) notes.push(`push --incremental --clear-emptied would clear ${clearedProperties(result)} properties of emptied windows on ${clears.length} profiles (one request each)`);
    if (result.clears.withoutEmail > 0) notes.push(`${result.clears.withoutEmail} profiles known only by phone have an emptied window: they are not cleared`);
  } else if (c.emptied > 0) notes.push(`${c.emptied} properties left blank by the computation (an emptied window) keep their value in Klaviyo: blanks are never sent (--clear-emptied shows what push --incremental --clear-emptied would clear)`);
  if (c.onlyInBaseline > 0) notes.push(`${c.onlyInBaseline} profiles only in the baseline are left as they are`);
  if (c.withoutEmail > 0) notes.push(`${c.withoutEmail} profiles known only by phone were not compared`);
  if (c.baselineRowsRejected > 0) {
    notes.push(`${c.baselineRowsRejected} rows of the baseline failed its checks and were not compared${result.rejectsFile ? ` (see ${result.rejectsFile})` : ' (--rejects <file> writes them out)'}`);
  }
  if (c.rowsRejected > 0) notes.push(`${c.rowsRejected} order rows could not be read${result.rejectsFile ? ` (see ${result.rejectsFile})` : ' (--rejects <file> writes them out)'}`);
  return notes;
}

function show(value: PropertyValue): string {
  return typeof value === 'number' ? formatValue(value) : value;
}

/** Text safe inside a Markdown table cell: no pipe, line break or HTML breaks the table. */
export function cell(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/</g, '&lt;').replace(/\r?\n/g, ' ').replace(/`/g, '\\`');
}
