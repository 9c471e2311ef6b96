import './locale';
import { boolean, number, object, string } from 'yup';
import type { ObjectSchema } from 'yup';
import { ALLERGY_SEVERITIES, LAB_FLAGS } from '../domain/record';
import type { RecordFields, RecordKind } from '../domain/record';
import { parseIsoDate } from '../time/dateOnly';

const text = (label: string, max: number) => string().trim().required(`Enter the ${label}.`).max(max, `The ${label} can have at most ${max} characters.`);
const optionalText = (max: number) => string().trim().max(max, `At most ${max} characters.`).default('');
const isoDate = (label: string) =>
  string()
    .required(`Enter the ${label}.`)
    .test('date', `The ${label} must be a real date (YYYY-MM-DD).`, (v) => (v ? parseIsoDate(v) !== null : true));

/** One schema per record section; the console's forms and the server's mutations use the same one. */
export const RECORD_SCHEMAS: { [K in RecordKind]: ObjectSchema<RecordFields[K]> } = {
  problem: object({
    name: text('problem', 120),
    status: string().oneOf(['active', 'resolved'] as const, 'Choose active or resolved.').required('Choose active or resolved.'),
    onsetDate: string()
      .nullable()
      .defined()
      .default(null)
      .test('date', 'The onset date must be a real date (YYYY-MM-DD).', (v) => !v || parseIsoDate(v) !== null),
    note: optionalText(500),
  }) as ObjectSchema<RecordFields['problem']>,
  medication: object({
    name: text('medication name', 120),
    dose: text('dose', 60),
    instructions: optionalText(300),
    prescriberName: text('prescriber', 80),
    refillsLeft: number().typeError('Refills must be a number.').required('Enter the refills left.').integer('Refills must be a whole number.').min(0, 'Refills cannot be negative.').max(99, 'At most 99 refills.'),
    active: boolean().required().default(true),
  }) as ObjectSchema<RecordFields['medication']>,
  allergy: object({
    substance: text('substance', 120),
    reaction: text('reaction', 200),
    severity: string().oneOf(ALLERGY_SEVERITIES, 'Choose mild, moderate or severe.').required('Choose mild, moderate or severe.'),
  }) as ObjectSchema<RecordFields['allergy']>,
  immunization: object({
    vaccine: text('vaccine', 120),
    date: isoDate('date given'),
    note: optionalText(300),
  }) as ObjectSchema<RecordFields['immunization']>,
  labResult: object({
    test: text('test name', 120),
    value: text('value', 40),
    unit: optionalText(30),
    referenceRange: optionalText(60),
    flag: string().oneOf(LAB_FLAGS, 'Choose a flag.').required('Choose a flag.'),
    date: isoDate('result date'),
  }) as ObjectSchema<RecordFields['labResult']>,
  visitSummary: object({
    date: isoDate('visit date'),
    physicianName: text('physician', 80),
    reason: text('reason for the visit', 200),
    summary: text('summary', 4000),
  }) as ObjectSchema<RecordFields['visitSummary']>,
};
