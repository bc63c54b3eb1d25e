/**
 * Every reducer the tool computes, in the order of their columns (after `Email`): the highest order
 * per window (the flow's replay or the trailing window, as `--mode` says), then the date per size.
 * Adding a reducer is a file beside these and a line here (README, "Adding a reducer").
 */
import { flowReplay } from './flow-replay.js';
import { latestSizeDate } from './latest-size-date.js';
import type { ReducerKind } from './reducer.js';
import { trailingWindow } from './trailing-window.js';

export const REDUCER_KINDS: readonly ReducerKind[] = [flowReplay, trailingWindow, latestSizeDate];
