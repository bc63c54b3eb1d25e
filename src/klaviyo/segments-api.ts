/**
 * Create Segment and Get Segments (revision 2026-07-15). Create Segment is limited to 1/s, 15/min and
 * 100 a day; Get Segments to 75/s and 750/min. Segments are looked up by exact name before one is created.
 */
import type { KlaviyoClientOptions } from './api-client.js';
import { namedCreator, type CreateOutcome } from './create-once.js';

export const GET_SEGMENTS_LIMITS = { burst: 75, perMinute: 750 } as const;

export interface SegmentsApi {
  /** Creates the segment unless one of that name exists; the body is a `SegmentCreateQuery`. */
  createSegment(name: string, body: unknown): Promise<CreateOutcome>;
}

export function segmentsApi(options: KlaviyoClientOptions): SegmentsApi {
  return { createSegment: namedCreator(options, { path: '/api/segments', type: 'segment', readLimits: GET_SEGMENTS_LIMITS }) };
}
