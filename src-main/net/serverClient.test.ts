import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ServerUnreachableError, callServer } from './serverClient';

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
});

async function listen(handle: (req: IncomingMessage, res: ServerResponse) => void): Promise<string> {
  const server = createServer(handle);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('callServer', () => {
  it.each([307, 308])('never follows a %i redirect: the sign-in body does not reach the other origin', async (status) => {
    const received: string[] = [];
    const elsewhere = await listen((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        received.push(`${req.method} ${req.url} ${body}`);
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    const clinic = await listen((req, res) => {
      req.resume();
      res.writeHead(status, { location: `${elsewhere}/api/staff/sign-in` }).end();
    });
    const call = callServer(fetch, clinic, { method: 'POST', path: '/api/staff/sign-in', body: { username: 'admin', password: 'Copper-Kettle-Desk-99' } });
    await expect(call).rejects.toBeInstanceOf(ServerUnreachableError);
    expect(received).toEqual([]);
  });
});
