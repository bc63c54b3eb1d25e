/**
 * `backfill pussh`: compute is the default command, so an unknown word would be read as an order
 * file. A word that is no file, has no extension, and is one or two edits from a command is a typo.
 * `backfill help pussh` is one too, and so is help for any word that is no command.
 */
import { existsSync } from 'node:fs';
import { extname, resolve } from 'node:path';
import { BackfillError } from '../errors.js';

export function suggestCommand(args: readonly string[], commands: readonly string[], cwd: string): BackfillError | undefined {
  if (args[0] === 'help') return unknownHelpTopic(args[1], commands);
  const word = args[0];
  if (word === undefined || word.startsWith('-') || commands.includes(word) || word === 'help') return undefined;
  if (extname(word) !== '' || /[/\\*?[]/.test(word) || existsSync(resolve(cwd, word))) return undefined;
  const near = nearest(word, commands);
  if (near === undefined) return undefined;
  return new BackfillError('USAGE', `unknown command "${word}" (and no file of that name); did you mean ${near}?`, {
    hint: `Run backfill ${near} --help, or backfill --help for every command.`,
  });
}

/** `backfill help nope`: help on a command there is none of is a usage error, not the root help. */
function unknownHelpTopic(word: string | undefined, commands: readonly string[]): BackfillError | undefined {
  if (word === undefined || word.startsWith('-') || commands.includes(word) || word === 'help') return undefined;
  const near = nearest(word, commands);
  return new BackfillError('USAGE', `no help for "${word}": there is no such command${near === undefined ? '' : `; did you mean ${near}?`}`, {
    hint: `Commands: ${commands.join(', ')}. Run backfill --help for all of them, with examples.`,
  });
}

function nearest(word: string, commands: readonly string[]): string | undefined {
  return commands
    .map((name) => ({ name, distance: editDistance(word.toLowerCase(), name) }))
    .filter(({ distance }) => distance <= 2)
    .sort((a, b) => a.distance - b.distance)[0]?.name;
}

/** Levenshtein distance: insertions, deletions and substitutions. */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}
