import { createInterface } from 'node:readline/promises';
import type { Readable } from 'node:stream';
import { Writable } from 'node:stream';

/**
 * Asks for a secret on a terminal without echoing what is typed: the question is shown, the
 * keystrokes are not (`npm run portal:setup` asks the admin password this way).
 */
export async function askHidden(input: Readable, output: NodeJS.WritableStream, question: string): Promise<string> {
  let muted = false;
  const screen = new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      if (!muted) {
        output.write(chunk);
      }
      done();
    },
  });
  const rl = createInterface({ input, output: screen, terminal: true });
  try {
    const answer = rl.question(question);
    // The question is written synchronously above; from here on nothing typed reaches the screen.
    muted = true;
    return await answer;
  } finally {
    rl.close();
    output.write('\n');
  }
}
