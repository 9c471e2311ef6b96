/** What vue-router's `router.resolve` answers, as far as this check needs it (no import: shared code). */
export interface ResolvedPortalRoute {
  matched: readonly { redirect?: unknown }[];
  meta: { requiresSession?: boolean };
  name?: unknown;
  fullPath: string;
}

/**
 * Where Sign In may send the patient afterwards: only a path inside this portal, to a page that
 * needs a session (an email's link to a thread, Appointments, Renewals...). Anything else — another
 * site ("//evil.example", "https://…", "/\\evil.example"), a path the router does not know, a
 * sign-in or registration page — goes home instead: an open redirect would let a forged link
 * bounce a freshly signed-in patient to a look-alike site.
 */
export function safeReturnPath(router: { resolve(path: string): ResolvedPortalRoute }, raw: unknown): string | null {
  if (typeof raw !== 'string' || raw.length === 0 || raw.length > 512) {
    return null;
  }
  // One leading slash, then no second one anywhere, no backslash, no control or space characters.
  if (!raw.startsWith('/') || raw.includes('//') || raw.includes('\\') || /\s/.test(raw) || hasControlCharacter(raw)) {
    return null;
  }
  // Percent-encoded slashes or backslashes could become one of the above after decoding.
  if (/%(2f|5c)/i.test(raw)) {
    return null;
  }
  try {
    const resolved = router.resolve(raw);
    // The catch-all route redirects, so it has no name; known portal pages that need a session only.
    if (resolved.matched.length === 0 || resolved.matched.some((r) => r.redirect !== undefined) || !resolved.meta.requiresSession || resolved.name === 'home') {
      return null;
    }
    return resolved.fullPath === raw ? raw : null;
  } catch {
    return null;
  }
}

function hasControlCharacter(s: string): boolean {
  for (let i = 0; i < s.length; i += 1) {
    const code = s.charCodeAt(i);
    if (code < 0x20 || code === 0x7f) {
      return true;
    }
  }
  return false;
}
