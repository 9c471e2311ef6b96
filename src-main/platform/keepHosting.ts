import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Issue 16 item 6: while this console hosts the clinic's portal, closing its window must not stop
 * the portal unnoticed, the computer must not fall asleep, and the console may start with the
 * computer. The decisions live here, free of Electron, so they are tested in Node; index.ts hands
 * in Electron's pieces (powerSaveBlocker, app.setLoginItemSettings, dialog).
 */

/** What closing the console's window does. */
export type CloseDecision = 'close' | 'ask';

/** A hosting console asks first: quitting stops the portal for patients and the other desks. */
export function onWindowClose(o: { hosting: boolean; quitting: boolean }): CloseDecision {
  return o.hosting && !o.quitting ? 'ask' : 'close';
}

/** The question asked, in the desk's words; the first button is the safe default. */
export const CLOSE_PROMPT = {
  message: 'This computer keeps the clinic\'s records.',
  detail: 'If you quit, patients cannot use the portal and the other desks cannot sync until the console is open again here.',
  buttons: ['Keep running (minimize)', 'Quit anyway'] as const,
};

/** What the person chose (the index of CLOSE_PROMPT.buttons; Escape/close of the box counts as the safe choice). */
export function closeChoice(response: number): 'minimize' | 'quit' {
  return response === 1 ? 'quit' : 'minimize';
}

/** The part of Electron's powerSaveBlocker used here. */
export interface PowerSaveBlockerLike {
  start(type: 'prevent-app-suspension' | 'prevent-display-sleep'): number;
  stop(id: number): void;
  isStarted(id: number): boolean;
}

/** Keeps the computer from sleeping while the portal is hosted here (the display may still turn off). */
export class SleepGuard {
  private id: number | null = null;
  constructor(private readonly blocker: PowerSaveBlockerLike) {}

  /** Started once however often it is called. */
  hold(): void {
    if (this.id === null || !this.blocker.isStarted(this.id)) {
      this.id = this.blocker.start('prevent-app-suspension');
    }
  }

  release(): void {
    if (this.id !== null) {
      if (this.blocker.isStarted(this.id)) {
        this.blocker.stop(this.id);
      }
      this.id = null;
    }
  }

  get holding(): boolean {
    return this.id !== null && this.blocker.isStarted(this.id);
  }
}

export const AUTOSTART_FILE = 'clinic-console.desktop';

/** A path as one argument of a desktop entry's Exec key (the XDG spec's quoting rules). */
function quoteExecArg(arg: string): string {
  if (!/[\s"'\\`$<>|&;*?#()~]/.test(arg)) {
    return arg.replace(/%/g, '%%');
  }
  return `"${arg.replace(/[\\"`$]/g, (c) => `\\${c}`).replace(/%/g, '%%')}"`;
}

/** The XDG autostart entry that starts the console when this person signs in to the computer (Linux). */
export function xdgAutostartEntry(execPath: string, args: string[] = []): string {
  return [
    '[Desktop Entry]',
    'Type=Application',
    'Name=Clinic Console',
    'Comment=Keeps the clinic\'s portal running on this computer',
    `Exec=${[execPath, ...args].map(quoteExecArg).join(' ')}`,
    'X-GNOME-Autostart-enabled=true',
    'Terminal=false',
    '',
  ].join('\n');
}

export interface StartAtLoginDeps {
  platform: NodeJS.Platform;
  /** $XDG_CONFIG_HOME, or ~/.config (Linux). */
  configHome: string;
  execPath: string;
  args?: string[];
  /** Electron's app.setLoginItemSettings / getLoginItemSettings (Windows and macOS). */
  setLoginItem(openAtLogin: boolean): void;
  getLoginItem(): boolean;
}

/** "Start when this computer starts": a login item on Windows and macOS, an XDG autostart entry on Linux. */
export function setStartAtLogin(enabled: boolean, d: StartAtLoginDeps): void {
  if (d.platform !== 'linux') {
    d.setLoginItem(enabled);
    return;
  }
  const dir = join(d.configHome, 'autostart');
  const file = join(dir, AUTOSTART_FILE);
  if (enabled) {
    mkdirSync(dir, { recursive: true });
    writeFileSync(file, xdgAutostartEntry(d.execPath, d.args), { mode: 0o644 });
  } else {
    rmSync(file, { force: true });
  }
}

export function startsAtLogin(d: StartAtLoginDeps): boolean {
  return d.platform === 'linux' ? existsSync(join(d.configHome, 'autostart', AUTOSTART_FILE)) : d.getLoginItem();
}
