/** The portal's dates and times come from the UI kit both apps share. */
export { formatInstant, formatUsDate, formatVisitDate, formatTimeWithZone, timeZoneName } from '@ui-kit/dates';
