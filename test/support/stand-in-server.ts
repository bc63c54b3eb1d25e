/**
 * What every Klaviyo stand-in shares: a real HTTP server on 127.0.0.1 (port chosen by the system, every
 * socket closed on stop), request bodies read whole, and answers checked against the derived schema
 * before they are sent, so no stand-in drifts from the API's shape.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { describeValidation, validatorsFor, type OperationId } from './klaviyo-schema.js';

export abstract class StandInServer {
  readonly #sockets = new Set<Socket>();
  #server: Server | undefined;

  /** Answers one request (each stand-in speaks its own endpoints). */
  protected abstract handle(request: IncomingMessage, response: ServerResponse): Promise<void>;

  get baseUrl(): string {
    return `http://127.0.0.1:${(this.#server!.address() as AddressInfo).port}`;
  }

  async start(): Promise<this> {
    this.#server = createServer((request, response) => void this.handle(request, response));
    this.#server.on('connection', (socket) => {
      this.#sockets.add(socket);
      socket.on('close', () => this.#sockets.delete(socket));
    });
    await new Promise<void>((resolve) => this.#server!.listen(0, '127.0.0.1', resolve));
    return this;
  }

  async stop(): Promise<void> {
    for (const socket of this.#sockets) socket.destroy();
    await new Promise<void>((resolve) => this.#server?.close(() => resolve()) ?? resolve());
  }
}

export async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Sends a JSON:API answer; one outside the operation's response schema is recorded in `violations`. */
export function sendChecked(response: ServerResponse, operation: OperationId, status: number, body: unknown, violations: string[]): void {
  const validate = validatorsFor(operation).response(status);
  if (validate === undefined || !validate(body)) {
    violations.push(`stand-in answered ${operation} ${status} outside the schema: ${validate ? describeValidation(validate) : 'no schema'}`);
  }
  response.writeHead(status, { 'Content-Type': 'application/vnd.api+json' });
  response.end(JSON.stringify(body));
}
