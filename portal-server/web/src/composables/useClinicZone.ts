import { computed } from 'vue';
import { useClinicStore } from '../stores/clinic';

/** The clinic's IANA time zone: every instant in the portal is shown in it, with the zone named. */
export function useClinicZone() {
  const clinic = useClinicStore();
  return computed(() => clinic.info?.timeZone ?? 'UTC');
}
