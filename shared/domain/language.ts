/**
 * The languages the portal, its emails and letters speak (issue 15). A patient's preference is one
 * of these or null (not chosen: the browser's Accept-Language decides, English otherwise).
 */
export const PATIENT_LANGUAGES = ['en', 'es'] as const;
export type PatientLanguage = (typeof PATIENT_LANGUAGES)[number];

export function isPatientLanguage(value: unknown): value is PatientLanguage {
  return typeof value === 'string' && (PATIENT_LANGUAGES as readonly string[]).includes(value);
}

/**
 * The first supported language in an Accept-Language header, by its q weights; English when none
 * is supported or there is no header. "es-MX;q=0.8, en;q=0.5" → 'es'.
 */
export function languageFromAcceptLanguage(header: string | null | undefined): PatientLanguage {
  if (!header) {
    return 'en';
  }
  const ranked = header
    .split(',')
    .map((part, index) => {
      const [tag = '', ...params] = part.trim().split(';');
      const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
      const weight = q ? Number(q.slice(2)) : 1;
      return { base: tag.trim().toLowerCase().split('-')[0] ?? '', weight: Number.isFinite(weight) ? weight : 0, index };
    })
    .filter((l) => l.weight > 0)
    .sort((a, b) => b.weight - a.weight || a.index - b.index);
  return ranked.map((l) => l.base).find(isPatientLanguage) ?? 'en';
}
