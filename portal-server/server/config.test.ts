import { describe, expect, it } from 'vitest';
import { ConfigError, readConfig } from './config';

describe('readConfig', () => {
  it('defaults to loopback on port 3000 with a data folder', () => {
    const c = readConfig({});
    expect(c.host).toBe('127.0.0.1');
    expect(c.port).toBe(3000);
    expect(c.dataDir).toMatch(/data$/);
  });

  it('refuses a non-loopback HOST without TLS or a trusted proxy, and says why', () => {
    expect(() => readConfig({ HOST: '0.0.0.0' })).toThrow(ConfigError);
    expect(() => readConfig({ HOST: '0.0.0.0' })).toThrow(/clear text/);
    expect(readConfig({ HOST: '0.0.0.0', TRUST_PROXY: 'loopback' }).trustProxy).toBe('loopback');
    expect(readConfig({ HOST: '0.0.0.0', TLS_CERT: 'c.pem', TLS_KEY: 'k.pem' }).tlsCert).toBe('c.pem');
  });

  it('refuses TRUST_PROXY=true, half a TLS pair and a bad port', () => {
    expect(() => readConfig({ TRUST_PROXY: 'true' })).toThrow(/not "true"/);
    expect(() => readConfig({ TLS_CERT: 'c.pem' })).toThrow(/both/);
    expect(() => readConfig({ PORT: 'eighty' })).toThrow(/PORT/);
  });

  it('reads the patient write limit (0 turns it off, for load benchmarks) and refuses anything but a whole number', () => {
    expect(readConfig({}).patientWritesPerHour).toBeUndefined();
    expect(readConfig({ PATIENT_WRITES_PER_HOUR: '0' }).patientWritesPerHour).toBe(0);
    expect(readConfig({ PATIENT_WRITES_PER_HOUR: '500' }).patientWritesPerHour).toBe(500);
    expect(() => readConfig({ PATIENT_WRITES_PER_HOUR: 'lots' })).toThrow(/PATIENT_WRITES_PER_HOUR/);
    expect(() => readConfig({ PATIENT_WRITES_PER_HOUR: '-1' })).toThrow(ConfigError);
  });
});
