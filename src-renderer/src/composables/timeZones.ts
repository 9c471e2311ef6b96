import type { SelectOption } from '../components/forms/SelectField.vue';

/** This computer's zone: the likely clinic zone on a first run. */
export function localTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone;
}

/** Every IANA zone the browser knows, with `current` kept even if the list lacks it (e.g. "UTC"). */
export function timeZoneOptions(current: string): SelectOption[] {
  const zones = new Set(Intl.supportedValuesOf('timeZone'));
  zones.add(current);
  return [...zones].sort().map((zone) => ({ value: zone, label: zone.replaceAll('_', ' ') }));
}
