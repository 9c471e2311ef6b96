import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../testSupport';
import { AUTOSTART_FILE, SleepGuard, closeChoice, onWindowClose, setStartAtLogin, startsAtLogin, xdgAutostartEntry } from './keepHosting';
import type { PowerSaveBlockerLike, StartAtLoginDeps } from './keepHosting';

/** Stands in for Electron's powerSaveBlocker (it cannot run here): records what was started and stopped. */
class FakeBlocker implements PowerSaveBlockerLike {
  next = 1;
  started = new Map<number, string>();
  start(type: 'prevent-app-suspension' | 'prevent-display-sleep'): number {
    const id = this.next++;
    this.started.set(id, type);
    return id;
  }
  stop(id: number): void {
    this.started.delete(id);
  }
  isStarted(id: number): boolean {
    return this.started.has(id);
  }
}

const dirs: { remove(): void }[] = [];
afterEach(() => dirs.splice(0).forEach((d) => d.remove()));

describe('keeping the hosted portal alive', () => {
  it('asks before a hosting console\'s window closes; a desk that does not host, or a quit already chosen, just closes', () => {
    expect(onWindowClose({ hosting: true, quitting: false })).toBe('ask');
    expect(onWindowClose({ hosting: false, quitting: false })).toBe('close');
    expect(onWindowClose({ hosting: true, quitting: true })).toBe('close');
    expect(closeChoice(0)).toBe('minimize');
    expect(closeChoice(1)).toBe('quit');
    // Escape or closing the box (Electron reports the cancel id, here 0 — or -1 on some systems) keeps it running.
    expect(closeChoice(-1)).toBe('minimize');
  });

  it('keeps the computer from sleeping once, however often asked, and lets go', () => {
    const blocker = new FakeBlocker();
    const guard = new SleepGuard(blocker);
    guard.hold();
    guard.hold();
    expect([...blocker.started.values()]).toEqual(['prevent-app-suspension']);
    expect(guard.holding).toBe(true);
    guard.release();
    expect(blocker.started.size).toBe(0);
    expect(guard.holding).toBe(false);
  });

  it('writes and removes an XDG autostart entry on Linux; elsewhere sets the login item', () => {
    const home = tempDir('autostart-');
    dirs.push(home);
    const calls: boolean[] = [];
    const deps: StartAtLoginDeps = { platform: 'linux', configHome: home.path, execPath: '/opt/Clinic Console/clinic-console', setLoginItem: (v) => calls.push(v), getLoginItem: () => false };
    expect(startsAtLogin(deps)).toBe(false);
    setStartAtLogin(true, deps);
    expect(startsAtLogin(deps)).toBe(true);
    const entry = readFileSync(join(home.path, 'autostart', AUTOSTART_FILE), 'utf8');
    expect(entry).toContain('[Desktop Entry]');
    expect(entry).toContain('Exec="/opt/Clinic Console/clinic-console"');
    setStartAtLogin(false, deps);
    expect(startsAtLogin(deps)).toBe(false);
    expect(calls).toEqual([]);

    setStartAtLogin(true, { ...deps, platform: 'win32' });
    expect(calls).toEqual([true]);
  });

  it('quotes what a desktop entry would otherwise split or expand', () => {
    expect(xdgAutostartEntry('/usr/bin/clinic-console', ['--hidden'])).toContain('Exec=/usr/bin/clinic-console --hidden\n');
    expect(xdgAutostartEntry('/home/a$b/100%/x')).toContain('Exec="/home/a\\$b/100%%/x"');
  });
});
