/**
 * Create Flow and Get Flows (revision 2026-07-15). Create Flow is limited to 1/s, 15/min and 100 a
 * day; Get Flows to 3/s and 60/min. Flows are looked up by exact name before one is created.
 */
import type { KlaviyoClientOptions } from './api-client.js';
import { namedCreator, type CreateOutcome } from './create-once.js';

export const GET_FLOWS_LIMITS = { burst: 3, perMinute: 60 } as const;

export interface FlowsApi {
  /** Creates the flow unless one of that name exists; the body is a `FlowCreateQuery`. */
  createFlow(name: string, body: unknown): Promise<CreateOutcome>;
}

export function flowsApi(options: KlaviyoClientOptions): FlowsApi {
  return { createFlow: namedCreator(options, { path: '/api/flows', type: 'flow', readLimits: GET_FLOWS_LIMITS }) };
}
