/** Which frames may call the main process and which links may leave the app (no Electron here, so it is testable). */

/**
 * Whether a frame URL is the console's own renderer: a file inside the renderer folder, or the dev
 * server's origin during development. Anything else (a navigated or injected frame) is refused.
 */
export function isOwnRenderer(frameUrl: string | undefined, rendererFileUrl: string, devServerUrl?: string): boolean {
  const url = parse(frameUrl);
  if (!url) {
    return false;
  }
  if (devServerUrl) {
    return url.origin === parse(devServerUrl)?.origin;
  }
  const rendererDir = new URL('.', rendererFileUrl).href;
  return url.protocol === 'file:' && url.href.startsWith(rendererDir) && !url.pathname.includes('..');
}

/** Links that may open in the system browser: http(s) pages of the clinic's own portal, nothing else. */
export function isAllowedExternalLink(link: string, portalOrigins: string[]): boolean {
  const url = parse(link);
  if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:') || url.username || url.password) {
    return false;
  }
  return portalOrigins.some((origin) => parse(origin)?.origin === url.origin);
}

function parse(text: string | undefined): URL | null {
  if (!text) {
    return null;
  }
  try {
    return new URL(text);
  } catch {
    return null;
  }
}

/**
 * The dev server's address (ELECTRON_RENDERER_URL) is honoured only in a development build and
 * only on this computer: an installed console always loads its own files, whatever the environment
 * of the person starting it says.
 */
export function devRendererUrl(isDevelopmentBuild: boolean, value: string | undefined): string | undefined {
  const url = parse(value);
  if (!isDevelopmentBuild || !url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    return undefined;
  }
  return ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname) ? url.href : undefined;
}

/** The parts of Electron's WebContents and Session the lock-down uses (structural, so Node tests can drive it). */
interface PreventableEvent {
  preventDefault(): void;
}
export interface LockableContents {
  on(event: 'will-navigate' | 'will-frame-navigate' | 'will-attach-webview' | 'will-redirect', listener: (event: PreventableEvent) => void): unknown;
  setWindowOpenHandler(handler: () => { action: 'deny' }): void;
}
export interface LockableSession {
  setPermissionRequestHandler(handler: (contents: unknown, permission: string, callback: (granted: boolean) => void) => void): void;
  setPermissionCheckHandler(handler: (contents: unknown, permission: string) => boolean): void;
}

/**
 * Every web contents starts locked: no navigation of the window or of any frame in it (the
 * console routes inside its page, by hash), no redirects, no webviews, no new windows. The main
 * window then allows links to the clinic's own portal to open in the system browser.
 */
export function lockDownContents(contents: LockableContents): void {
  const refuse = (event: PreventableEvent): void => event.preventDefault();
  contents.on('will-navigate', refuse);
  contents.on('will-frame-navigate', refuse);
  contents.on('will-redirect', refuse);
  contents.on('will-attach-webview', refuse);
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
}

/**
 * The console asks for no camera, microphone, notifications, clipboard reading or the like:
 * requests are refused, and checks (which web APIs make without asking) answer "no" too.
 */
export function lockDownSession(session: LockableSession): void {
  session.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
}
