import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { askHidden } from './hiddenPrompt';

describe('askHidden', () => {
  it('shows the question, returns what was typed, and never writes it to the screen', async () => {
    const keyboard = new PassThrough();
    const screen = new PassThrough();
    let shown = '';
    screen.on('data', (chunk: Buffer) => {
      shown += chunk.toString();
    });
    const asked = askHidden(keyboard, screen, 'Admin password: ');
    for (const key of 'Quiet-River-Copper-42') {
      keyboard.write(key);
    }
    keyboard.write('\r');
    expect(await asked).toBe('Quiet-River-Copper-42');
    expect(shown).toContain('Admin password: ');
    expect(shown).not.toContain('Quiet');
    expect(shown).not.toContain('42');
  });
});
