/**
 * Validators for the Klaviyo stand-ins, compiled from fixtures/klaviyo/bulk-import.schema.json and
 * flows-segments.schema.json (derived from Klaviyo's OpenAPI spec; see the README there). One set per
 * operation: headers, query, body, and the responses the stand-in sends, so the stand-in cannot drift
 * from the API's shape either; and one per request body schema, for bodies the CLI prints.
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
  | 'create_or_update_profile'
  | 'create_client_profile'
  | 'create_flow'
  | 'get_flows'
  | 'create_segment'
  | 'get_segments'
  | 'get_metrics'
  | 'get_events';

interface OperationValidators {
  readonly headers: ValidateFunction;
  readonly query: ValidateFunction;
  readonly body: ValidateFunction | undefined;
  readonly response: (status: number) => ValidateFunction | undefined;
}

interface DerivedDocument {
  operations: Record<string, { body?: unknown; responses: Record<string, unknown> }>;
}

const readDocument = (name: string): DerivedDocument => JSON.parse(readFileSync(join(FIXTURES, 'klaviyo', name), 'utf8')) as DerivedDocument;
const documents = { klaviyo: readDocument('bulk-import.schema.json'), 'klaviyo-flows': readDocument('flows-segments.schema.json') };

// strict: false because the OpenAPI text keeps keywords Ajv does not know (`description` is fine, `default` inside refs).
const ajv = addFormats(new Ajv({ strict: false, allErrors: true }));
// Query values arrive as strings; page[size] is an integer in the spec.
const queryAjv = addFormats(new Ajv({ strict: false, allErrors: true, coerceTypes: true }));
for (const [key, document] of Object.entries(documents)) {
  ajv.addSchema(document, key);
  queryAjv.addSchema(document, key);
}

function documentOf(operation: OperationId): [string, DerivedDocument] {
  return operation in documents.klaviyo.operations ? ['klaviyo', documents.klaviyo] : ['klaviyo-flows', documents['klaviyo-flows']];
}

/**
 * A request body schema by name: FlowCreateQuery, SegmentCreateQuery, OnsiteProfileCreateQuery (the
 * flows and segments subset), ProfileUpsertQuery (Create or Update Profile, the bulk-import subset).
 */
export function bodySchema(name: 'FlowCreateQuery' | 'SegmentCreateQuery' | 'OnsiteProfileCreateQuery' | 'ProfileUpsertQuery'): ValidateFunction {
  return ajv.getSchema(`${name === 'ProfileUpsertQuery' ? 'klaviyo' : 'klaviyo-flows'}#/components/schemas/${name}`)!;
}

const cache = new Map<OperationId, OperationValidators>();

export function validatorsFor(operation: OperationId): OperationValidators {
  let validators = cache.get(operation);
  if (validators === undefined) {
    const [key, document] = documentOf(operation);
    const base = `${key}#/operations/${operation}`;
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
