/**
 * The pages of one listing, read by following `links.next` as Klaviyo gives it. Every paged read
 * (metrics, events, profiles, import jobs, import errors, flows, segments) goes through one of these:
 * a cursor already followed (a page that links to itself, two pages that link to each other) would
 * read the same pages forever, so it stops the run instead, with exit 4.
 */
import { BackfillError } from '../errors.js';

export class PageTrail {
  /** The URLs asked for so far, their query sorted: the same page however its parameters are ordered. */
  readonly #followed = new Set<string>();
  readonly #what: string;
  readonly #first: URL;
  #pages = 0;

  /** `what`: the request in messages (`GET /api/events`); `first`: the first page's URL. */
  constructor(what: string, first: URL) {
    this.#what = what;
    this.#first = first;
    this.#followed.add(key(first));
  }

  /** The page after `body`, or undefined after the last one; throws when Klaviyo links back to a page already read. */
  next(body: unknown): string | undefined {
    this.#pages++;
    const link = (body as { links?: { next?: unknown } } | null | undefined)?.links?.next;
    if (typeof link !== 'string' || link === '') return undefined;
    let url: URL;
    try {
      url = new URL(link, this.#first);
    } catch {
      throw new BackfillError('KLAVIYO_UNEXPECTED', `Klaviyo sent a links.next that is not a URL on page ${this.#pages} of ${this.#what}`);
    }
    const seen = key(url);
    if (this.#followed.has(seen)) {
      const cursor = url.searchParams.get('page[cursor]');
      // The cursor only, never the whole URL: a filter can hold customer emails.
      const which = cursor === null ? 'the first page' : `the page of cursor ${cursor.length > 40 ? `${cursor.slice(0, 40)}...` : cursor}`;
      throw new BackfillError('KLAVIYO_UNAVAILABLE', `Klaviyo's links.next on page ${this.#pages} of ${this.#what} points to ${which}, which was already read: following it would read the same pages forever`, {
        hint: 'Nothing more was asked for. Run again later; if it happens again, a proxy or Klaviyo is sending the same cursor over and over.',
      });
    }
    this.#followed.add(seen);
    return url.href;
  }
}

function key(url: URL): string {
  const copy = new URL(url.href);
  copy.searchParams.sort();
  copy.hash = '';
  return copy.href;
}
