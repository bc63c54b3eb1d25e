/**
 * Create Segment and Get Segments (revision 2026-07-15). Create Segment is limited to 1/s, 15/min and
 * 100 a day; Get Segments to 75/s and 750/min. Segments are looked up by exact name before one is created.
 */
import { nameFilter, pacedHttp, pagedResources, resourceId, type KlaviyoClientOptions } from './api-client.js';
import { createOnce, type CreateOutcome } from './create-once.js';

const SEGMENTS_PATH = '/api/segments';
export const GET_SEGMENTS_LIMITS = { burst: 75, perMinute: 750 } as const;

export interface SegmentsApi {
  /** Creates the segment unless one of that name exists; the body is a `SegmentCreateQuery`. */
  createSegment(name: string, body: unknown): Promise<CreateOutcome>;
}

export function segmentsApi(options: KlaviyoClientOptions): SegmentsApi {
  const reads = pacedHttp(options, GET_SEGMENTS_LIMITS);
  const creates = pacedHttp(options, { burst: options.tuning.createBurst, perMinute: options.tuning.createPerMinute });
  const find = async (name: string): Promise<string | undefined> => {
    for await (const segment of pagedResources(reads, SEGMENTS_PATH, { filter: nameFilter(name), 'fields[segment]': 'name' })) {
      const id = resourceId(segment);
      if (id !== undefined) return id;
    }
    return undefined;
  };
  return { createSegment: (name, body) => createOnce(creates, { name, path: SEGMENTS_PATH, body, find }) };
}
