/**
 * Create Flow and Get Flows (revision 2026-07-15). Create Flow is limited to 1/s, 15/min and 100 a
 * day; Get Flows to 3/s and 60/min. Flows are looked up by exact name before one is created.
 */
import { nameFilter, pacedHttp, pagedResources, resourceId, type KlaviyoClientOptions } from './api-client.js';
import { createOnce, type CreateOutcome } from './create-once.js';

const FLOWS_PATH = '/api/flows';
export const GET_FLOWS_LIMITS = { burst: 3, perMinute: 60 } as const;

export interface FlowsApi {
  /** Creates the flow unless one of that name exists; the body is a `FlowCreateQuery`. */
  createFlow(name: string, body: unknown): Promise<CreateOutcome>;
}

export function flowsApi(options: KlaviyoClientOptions): FlowsApi {
  const reads = pacedHttp(options, GET_FLOWS_LIMITS);
  const creates = pacedHttp(options, { burst: options.tuning.createBurst, perMinute: options.tuning.createPerMinute });
  const find = async (name: string): Promise<string | undefined> => {
    for await (const flow of pagedResources(reads, FLOWS_PATH, { filter: nameFilter(name), 'fields[flow]': 'name' })) {
      const id = resourceId(flow);
      if (id !== undefined) return id;
    }
    return undefined;
  };
  return { createFlow: (name, body) => createOnce(creates, { name, path: FLOWS_PATH, body, find }) };
}
