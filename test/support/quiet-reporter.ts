/**
 * The reporter `npm test` runs with: nothing while tests pass; each failure as it happens (its name,
 * where it is, the error with expected and actual); at the end what each failing test file wrote to
 * stderr, and the runner's closing totals. A suite of hundreds of tests is then eight lines when
 * green, and a failure is not lost among 1,800 lines of passes.
 */
import { Transform, type TransformCallback } from 'node:stream';
import { inspect } from 'node:util';

interface ReporterEvent {
  readonly type: string;
  readonly data: {
    readonly name?: string;
    readonly nesting?: number;
    readonly file?: string;
    readonly line?: number;
    readonly column?: number;
    readonly message?: string;
    readonly details?: { readonly error?: Error & { readonly cause?: unknown } };
  };
}

export default class QuietReporter extends Transform {
  /** What each test file wrote to stderr, shown only for a file with a failure. */
  readonly #stderr = new Map<string, string>();
  readonly #failedFiles = new Set<string>();
  readonly #totals: string[] = [];

  constructor() {
    super({ writableObjectMode: true });
  }

  override _transform(event: ReporterEvent, _encoding: BufferEncoding, done: TransformCallback): void {
    const { data } = event;
    const file = data.file ?? '';
    if (event.type === 'test:stderr') this.#stderr.set(file, (this.#stderr.get(file) ?? '') + (data.message ?? ''));
    // The closing totals are the diagnostics outside every test.
    else if (event.type === 'test:diagnostic' && data.nesting === 0) this.#totals.push(`ℹ ${data.message ?? ''}\n`);
    else if (event.type === 'test:fail') {
      this.#failedFiles.add(file);
      const where = data.line === undefined ? file : `${file}:${data.line}:${data.column ?? 1}`;
      const error = data.details?.error;
      // The runner wraps what the test threw; the assertion itself is the cause.
      const thrown = error?.cause ?? error;
      this.push(`✖ ${data.name ?? '(unnamed)'}\n  at ${where}\n${indent(inspect(thrown, { depth: 4 }))}\n\n`);
    }
    done();
  }

  override _flush(done: TransformCallback): void {
    for (const file of this.#failedFiles) {
      const written = this.#stderr.get(file) ?? '';
      if (written !== '') this.push(`stderr of ${file}:\n${indent(written.trimEnd())}\n\n`);
    }
    for (const line of this.#totals) this.push(line);
    done();
  }
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((line) => `  ${line}`)
    .join('\n');
}
