/**
 * The invitation email links to `/register#token=…`. The token is a secret: read it once at page
 * load, keep it in memory only, and take it out of the address bar (and so out of history,
 * bookmarks and screenshots) before the router ever sees it.
 */
let registrationToken: string | null = null;

export function captureRegistrationToken(): void {
  const fragment = new URLSearchParams(window.location.hash.replace(/^#/, ''));
  const token = fragment.get('token');
  if (token === null) {
    return;
  }
  registrationToken = token.trim() === '' ? null : token.trim();
  fragment.delete('token');
  const rest = fragment.toString();
  const cleanUrl = `${window.location.pathname}${window.location.search}${rest === '' ? '' : `#${rest}`}`;
  window.history.replaceState(window.history.state, '', cleanUrl);
}

export function registrationTokenFromLink(): string | null {
  return registrationToken;
}

/** A completed registration used the invitation up: forget its token. */
export function forgetRegistrationToken(): void {
  registrationToken = null;
}
