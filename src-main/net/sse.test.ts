import { describe, expect, it } from 'vitest';
import { Backoff } from './backoff';
import { readServerSentEvents } from './sse';
import type { ServerSentEvent } from './sse';

function streamOf(chunks: string[]): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream({
    start(controller) {
      for (const chunk of chunks) {
        controller.enqueue(encoder.encode(chunk));
      }
      controller.close();
    },
  });
}

describe('readServerSentEvents', () => {
  it('parses events split across chunks, skips comments, counts heartbeats as activity', async () => {
    const events: ServerSentEvent[] = [];
    let activity = 0;
    await readServerSentEvents(
      streamOf([': heartbeat\n\n', 'event: po', 'ke\ndata: {"epoch":"e1",', '"head":3}\r\n\r\n', 'data: a\ndata: b\n\n', 'event: poke\n']),
      (e) => events.push(e),
      () => (activity += 1),
    );
    expect(events).toEqual([
      { event: 'poke', data: '{"epoch":"e1","head":3}' },
      { event: 'message', data: 'a\nb' },
    ]);
    expect(activity).toBeGreaterThanOrEqual(7);
  });
});

describe('Backoff', () => {
  it('doubles up to the cap and starts over after reset', () => {
    const b = new Backoff(100, 1000, () => 1);
    expect([b.next(), b.next(), b.next(), b.next(), b.next(), b.next()]).toEqual([100, 200, 400, 800, 1000, 1000]);
    b.reset();
    expect(b.next()).toBe(100);
  });
});
