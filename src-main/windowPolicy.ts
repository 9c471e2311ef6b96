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
