/**
 * Answers a misbehaving network or server gives, for the stand-in's faults: an HTML page with 200 (a
 * proxy's login page, a wrong base URL), a body that drips a few bytes at a time, and an answer
 * changed on its way (a page linking to itself, `included` dropped, ids as numbers). They are outside
 * the schema on purpose, so they are sent unchecked.
 */
import type { ServerResponse } from 'node:http';

export type HostileAnswer =
  /** 200 with an HTML page. */
  | { readonly kind: 'html' }
  /** The real answer in `pieces` pieces, `everyMs` apart: the whole of it takes longer than the client waits. */
  | { readonly kind: 'drip'; readonly pieces: number; readonly everyMs: number }
  /** The real answer, changed: `request` is the URL the client asked for. */
  | { readonly kind: 'rewrite'; readonly rewrite: (body: JsonObject, request: string) => unknown };

export type JsonObject = Record<string, unknown>;

export const HTML_PAGE = '<!DOCTYPE html>\n<html><head><title>Sign in</title></head><body><form action="/login">Please sign in to continue.</form></body></html>\n';

export function sendHostile(response: ServerResponse, answer: HostileAnswer, status: number, body: unknown, request: string): void {
  switch (answer.kind) {
    case 'html':
      response.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
      response.end(HTML_PAGE);
      return;
    case 'rewrite':
      response.writeHead(status, { 'Content-Type': 'application/vnd.api+json' });
      response.end(JSON.stringify(answer.rewrite(body as JsonObject, request)));
      return;
    case 'drip':
      return drip(response, status, Buffer.from(JSON.stringify(body)), answer);
  }
}

/** Headers at once, then the body a piece at a time; stops when the client hangs up. */
function drip(response: ServerResponse, status: number, body: Buffer, answer: { pieces: number; everyMs: number }): void {
  response.writeHead(status, { 'Content-Type': 'application/vnd.api+json' });
  const size = Math.ceil(body.length / answer.pieces);
  let sent = 0;
  const next = () => {
    if (response.destroyed) return;
    const piece = body.subarray(sent, sent + size);
    sent += piece.length;
    if (sent >= body.length) return void response.end(piece);
    response.write(piece);
    // Unref'd: a test that ends while a body drips does not wait for it.
    setTimeout(next, answer.everyMs).unref();
  };
  next();
}

/** A page whose `links.next` is the page itself. */
export const linkToItself = (body: JsonObject, request: string): unknown => ({ ...body, links: { ...(body.links as JsonObject), next: request } });
