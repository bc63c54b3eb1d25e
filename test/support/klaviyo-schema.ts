/**
 * Validators for the Klaviyo stand-in, compiled from fixtures/klaviyo/bulk-import.schema.json and
 * events.schema.json (derived from Klaviyo's OpenAPI spec; see the README there). One set per operation: headers, query, body, and
 * the responses the stand-in sends, so the stand-in cannot drift from the API's shape either.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { FIXTURES } from './cli.js';

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

export type OperationId =
  | 'bulk_import_profiles'
  | 'get_bulk_import_profiles_jobs'
  | 'get_bulk_import_profiles_job'
  | 'get_errors_for_bulk_import_profiles_job'
  | 'get_profiles'
  | 'get_metrics'
  | 'get_events';

interface OperationValidators {
  readonly headers: ValidateFunction;
  readonly query: ValidateFunction;
  readonly body: ValidateFunction | undefined;
  readonly response: (status: number) => ValidateFunction | undefined;
}

interface SchemaDocument {
  operations: Record<string, { body?: unknown; responses: Record<string, unknown> }>;
}

// strict: false because the OpenAPI text keeps keywords Ajv does not know (`description` is fine, `default` inside refs).
const ajv = addFormats(new Ajv({ strict: false, allErrors: true }));
// Query values arrive as strings; page[size] is an integer in the spec.
const queryAjv = addFormats(new Ajv({ strict: false, allErrors: true, coerceTypes: true }));
/** Each derived file under its own name; an operation is looked up in the file that has it. */
const documents = new Map<string, SchemaDocument>();
for (const [name, file] of [['klaviyo', 'bulk-import.schema.json'], ['klaviyo-events', 'events.schema.json']] as const) {
  const document = JSON.parse(readFileSync(join(FIXTURES, 'klaviyo', file), 'utf8')) as SchemaDocument;
  ajv.addSchema(document, name);
  queryAjv.addSchema(document, name);
  documents.set(name, document);
}

function documentOf(operation: OperationId): [string, SchemaDocument] {
  for (const entry of documents) if (operation in entry[1].operations) return entry;
  throw new Error(`no derived schema has the operation ${operation}`);
}

const cache = new Map<OperationId, OperationValidators>();

export function validatorsFor(operation: OperationId): OperationValidators {
  let validators = cache.get(operation);
  if (validators === undefined) {
    const [name, document] = documentOf(operation);
    const base = `${name}#/operations/${operation}`;
    const responses = document.operations[operation]!.responses;
    validators = {
      headers: ajv.getSchema(`${base}/headers`)!,
      query: queryAjv.getSchema(`${base}/query`)!,
      body: document.operations[operation]!.body !== undefined ? ajv.getSchema(`${base}/body`)! : undefined,
      response: (status) => {
        const key = String(status) in responses ? String(status) : `${String(status)[0]}XX`;
        return key in responses ? ajv.getSchema(`${base}/responses/${key}`) : undefined;
      },
    };
    cache.set(operation, validators);
  }
  return validators;
}

export function describeValidation(validate: ValidateFunction): string {
  return ajv.errorsText(validate.errors, { separator: '; ' });
}
