/**
 * The console's Electron lifecycle and nothing more: one instance, one locked-down window, the
 * hosted portal server (single-PC clinic), and the Electron-free core (replica, services, sync).
 */
import { hostname } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { BrowserWindow, app, dialog, powerMonitor, powerSaveBlocker, session, shell } from 'electron';
import { mailDirOf, readConfig, startPortalServer } from '../portal-server/server/index';
import type { PortalHandle } from '../portal-server/server/index';
import { scheduledBackupOf } from '../portal-server/server/index';
import { readConsoleConfig } from './consoleConfig';
import { SMTP_PASSWORD_KEY, hostedPortalSettings, ownPortalUrl, portalConfigOf, readPortalSettings } from './portalSettings';
import type { PinnedCertificate } from './net/serverIdentity';
import { fetchFor } from './net/serverIdentity';
import { createConsoleCore } from './core';
import type { ConsoleCore } from './core';
import { ConsoleHolder } from './consoleHolder';
import { registerIpc } from './ipc/electron';
import { createElectronFileOpener, createElectronSecretStore } from './platform/electron';
import { CLOSE_PROMPT, SleepGuard, closeChoice, onWindowClose } from './platform/keepHosting';
import { devRendererUrl, isAllowedExternalLink, lockDownContents, lockDownSession } from './windowPolicy';

const log = (line: string): void => console.log(line);

let mainWindow: BrowserWindow | null = null;
let holder: ConsoleHolder | null = null;
let portal: PortalHandle | null = null;
let unregisterIpc: (() => void) | null = null;
let stopIdleWatch: (() => void) | null = null;
let shutDown = false;
/** The person chose to quit (or the system quits): windows close without asking again. */
let quitting = false;
const sleepGuard = new SleepGuard(powerSaveBlocker);

function createWindow(rendererFile: string, devServerUrl: string | undefined, portalOrigins: () => string[]): BrowserWindow {
  const win = new BrowserWindow({
    width: 1280,
    height: 860,
    minWidth: 900,
    minHeight: 600,
    title: 'Clinic console',
    show: false,
    webPreferences: {
      preload: join(__dirname, '../preload/index.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      spellcheck: true,
    },
  });
  win.once('ready-to-show', () => win.show());
  // The window shows the console and nothing else; links to the clinic's portal open in the browser.
  win.webContents.setWindowOpenHandler(({ url }) => {
    if (isAllowedExternalLink(url, portalOrigins())) {
      void shell.openExternal(url);
    }
    return { action: 'deny' };
  });
  if (devServerUrl) {
    void win.loadURL(devServerUrl);
  } else {
    void win.loadFile(rendererFile);
  }
  return win;
}

/**
 * Beside the renderer's own idle timer: the console also locks when the computer has been idle
 * that long (a hung or hidden window cannot keep it open), when the screen locks, and on sleep.
 */
function watchIdle(current: () => ConsoleCore): () => void {
  const lockNow = (): void => {
    // Refused when nobody is signed in: then there is nothing to hide.
    current().services.lock.lock().catch(() => undefined);
  };
  const check = (): void => {
    current().services.auth
      .status()
      .then((s) => {
        if (s.mode === 'ready' && !s.locked && powerMonitor.getSystemIdleTime() >= s.idleLockSeconds) {
          lockNow();
        }
      })
      .catch(() => undefined);
  };
  const timer = setInterval(check, 15_000);
  powerMonitor.on('lock-screen', lockNow);
  powerMonitor.on('suspend', lockNow);
  return () => {
    clearInterval(timer);
    powerMonitor.off('lock-screen', lockNow);
    powerMonitor.off('suspend', lockNow);
  };
}

async function start(): Promise<void> {
  const userData = app.getPath('userData');
  const config = readConsoleConfig(userData);
  const secrets = await createElectronSecretStore(userData, log);
  // The hosting desk's own certificate, when it lets other desks join (issue 16 item 2): it then
  // reaches its own portal over https on loopback and accepts only that certificate.
  let ownPin: PinnedCertificate | null = null;
  if (config.hostServer) {
    // The "Portal server" settings (console.json "portal", SMTP password in the protected store)
    // win over the environment; the server's own readConfig judges them (issue 16 item 4).
    const hosted = await hostedPortalSettings(userData, readPortalSettings(userData));
    const settings = hosted.settings;
    ownPin = hosted.pin;
    portal = await startPortalServer(
      portalConfigOf(
        readConfig,
        settings,
        await secrets.store.get(SMTP_PASSWORD_KEY),
        {
          dataDir: join(userData, 'portal'),
          port: settings.port ?? config.port,
          host: settings.host ?? config.host ?? '127.0.0.1',
          webDir: join(app.getAppPath(), 'out', 'portal-web'),
          ...(settings.publicUrl ?? config.publicUrl ? { publicUrl: settings.publicUrl ?? config.publicUrl } : {}),
        },
        process.env,
      ),
      log,
    );
  }
  let portalOrigins = [portal ? ownPortalUrl(portal.url) : config.serverUrl, config.publicUrl ?? ''].filter(Boolean);
  holder = await ConsoleHolder.open({
    open: (server) =>
      createConsoleCore({
        ...server,
        dataDir: userData,
        sqlitePath: join(userData, 'console.sqlite'),
        secretStore: secrets.store,
        tokenProtectionWarning: secrets.warning,
        portalRules: { readConfig, mailDirOf, env: process.env },
        log,
        openFile: createElectronFileOpener(log),
      }),
    first: {
      serverUrl: portal ? ownPortalUrl(portal.url) : config.serverUrl,
      host: portal,
      // A hosting desk backs the clinic's records up every night into <userData>/backups (issue 18 item 5).
      hostedBackup: portal ? scheduledBackupOf(join(userData, 'portal'), join(userData, 'backups')) : null,
      // A joining desk accepts only the self-signed certificate it confirmed (issue 16); a hosting
      // desk serving its own certificate accepts only that one; otherwise normal checks.
      fetch: fetchFor(portal ? ownPin : (config.pinnedCertificate ?? null)),
      // The name given when this desk joined; otherwise one from the computer's own name.
      deviceName: config.deviceName ?? `Staff console on ${hostname()}`,
    },
    // Joined another clinic server from the first-run screen: this computer no longer hosts one.
    beforeSwitch: async (joined) => {
      sleepGuard.release();
      await portal?.close().catch(() => undefined);
      portal = null;
      portalOrigins = [joined.serverUrl];
    },
    log,
  });
  const consoles = holder;
  const rendererFile = join(__dirname, '../renderer/index.html');
  // Only `electron-vite dev` builds honour the dev server; a packaged or built console never does.
  const devServerUrl = app.isPackaged ? undefined : devRendererUrl(import.meta.env.DEV, process.env.ELECTRON_RENDERER_URL);
  stopIdleWatch = watchIdle(() => consoles.current);
  unregisterIpc = registerIpc(consoles.registry, { rendererFileUrl: pathToFileURL(rendererFile).href, devServerUrl, getWindow: () => mainWindow });
  mainWindow = createWindow(rendererFile, devServerUrl, () => portalOrigins);
  if (portal) {
    // Patients and the other desks depend on this computer while it hosts: it must not sleep.
    sleepGuard.hold();
  }
  mainWindow.on('close', (event) => {
    const win = mainWindow;
    if (!win || onWindowClose({ hosting: portal !== null, quitting }) === 'close') {
      return;
    }
    event.preventDefault();
    void dialog
      .showMessageBox(win, { type: 'question', message: CLOSE_PROMPT.message, detail: CLOSE_PROMPT.detail, buttons: [...CLOSE_PROMPT.buttons], defaultId: 0, cancelId: 0 })
      .then(({ response }) => {
        if (closeChoice(response) === 'quit') {
          quitting = true;
          app.quit();
        } else {
          win.minimize();
        }
      });
  });
  mainWindow.on('closed', () => {
    mainWindow = null;
  });
}

async function shutdown(): Promise<void> {
  sleepGuard.release();
  stopIdleWatch?.();
  unregisterIpc?.();
  await holder?.close().catch(() => undefined);
  await portal?.close().catch(() => undefined);
}

if (!app.requestSingleInstanceLock()) {
  // Another console is running on this account: it gets focus (below), this one leaves.
  app.quit();
} else {
  app.enableSandbox();
  app.on('second-instance', () => {
    if (mainWindow) {
      if (mainWindow.isMinimized()) {
        mainWindow.restore();
      }
      mainWindow.focus();
    }
  });
  // Every web contents starts locked (windowPolicy.ts); the main window then allows links to the
  // clinic's own portal to open in the system browser.
  app.on('web-contents-created', (_event, contents) => lockDownContents(contents));
  app.on('before-quit', () => {
    quitting = true;
  });
  app.on('window-all-closed', () => app.quit());
  app.on('will-quit', (event) => {
    if (shutDown) {
      return;
    }
    // Stop syncing, close the replica and the hosted server before the process ends.
    event.preventDefault();
    shutDown = true;
    void shutdown().finally(() => app.quit());
  });
  app
    .whenReady()
    .then(async () => {
      // The console asks for no camera, microphone, notifications or the like.
      lockDownSession(session.defaultSession);
      await start();
    })
    .catch((err: unknown) => {
      const code = (err as NodeJS.ErrnoException | null)?.code;
      const message =
        code === 'EADDRINUSE'
          ? `Another program already uses the clinic server's port. Close it, or choose another "port" in ${join(app.getPath('userData'), 'console.json')}.`
          : err instanceof Error
            ? err.message
            : String(err);
      dialog.showErrorBox('The clinic console could not start', message);
      shutDown = true;
      void shutdown().finally(() => app.exit(1));
    });
}
