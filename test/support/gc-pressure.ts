/**
 * Preloaded into a CLI child (`NODE_OPTIONS=--expose-gc --import <this file>`): collects garbage every
 * 20 ms, as the allocations of a long run do sooner or later, so that anything kept alive by nothing
 * but luck (a timer held only weakly) goes within a short test.
 */
const collect = (globalThis as { gc?: () => void }).gc;
if (collect !== undefined) setInterval(collect, 20).unref();

export {};
