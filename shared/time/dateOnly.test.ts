import { describe, expect, it } from 'vitest';
import { formatUsDate, parseIsoDate, parseUsDate, todayInZone } from './dateOnly';

describe('date-only helpers', () => {
  it('parses m/d/yyyy with optional leading zeros into YYYY-MM-DD', () => {
    expect(parseUsDate('4/12/1986')).toBe('1986-04-12');
    expect(parseUsDate(' 04/12/1986 ')).toBe('1986-04-12');
    expect(parseUsDate('02/30/2000')).toBeNull();
    expect(parseUsDate('1986-04-12')).toBeNull();
    expect(parseUsDate('4/12/86')).toBeNull();
  });

  it('checks ISO dates and formats them back', () => {
    expect(parseIsoDate('2000-02-29')).toBe('2000-02-29');
    expect(parseIsoDate('1900-02-29')).toBeNull();
    expect(formatUsDate('1986-04-12')).toBe('04/12/1986');
  });

  it('takes today in the clinic\'s zone, not the machine\'s', () => {
    const instant = new Date('2026-11-27T03:30:00Z');
    expect(todayInZone('America/Los_Angeles', instant)).toBe('2026-11-26');
    expect(todayInZone('Asia/Tokyo', instant)).toBe('2026-11-27');
  });
});
