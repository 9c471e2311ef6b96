import { describe, expect, it } from 'vitest';
import { ConfigError, readConfig } from './config';

describe('readConfig', () => {
  it('defaults to loopback on port 3000 with a data folder', () => {
    const c = readConfig({});
    expect(c.host).toBe('127.0.0.1');
    expect(c.port).toBe(3000);
    expect(c.dataDir).toMatch(/data$/);
  });

  it('refuses a non-loopback HOST without TLS or the explicit plain-HTTP opt-in, and says why', () => {
    expect(() => readConfig({ HOST: '0.0.0.0' })).toThrow(ConfigError);
    expect(() => readConfig({ HOST: '0.0.0.0' })).toThrow(/clear text/);
    expect(() => readConfig({ HOST: '0.0.0.0', TRUST_PROXY: '10.0.0.5' })).toThrow(/PLAIN_HTTP_BEHIND_PROXY/);
    expect(readConfig({ HOST: '0.0.0.0', TLS_CERT: 'c.pem', TLS_KEY: 'k.pem' }).tlsCert).toBe('c.pem');
    const behindProxy = readConfig({ HOST: '10.0.0.9', TRUST_PROXY: '10.0.0.5', PLAIN_HTTP_BEHIND_PROXY: '1', PUBLIC_URL: 'https://portal.example.org' });
    expect([behindProxy.plainHttpBehindProxy, behindProxy.trustProxy]).toEqual([true, '10.0.0.5']);
    expect(readConfig({ TRUST_PROXY: 'loopback', PUBLIC_URL: 'https://portal.example.org' }).trustProxy).toBe('loopback');
  });

  it('takes PUBLIC_URL only as https (http on loopback), without user, query or fragment', () => {
    expect(readConfig({ PUBLIC_URL: 'http://127.0.0.1:3000' }).publicUrl).toBe('http://127.0.0.1:3000');
    expect(readConfig({ PUBLIC_URL: 'http://localhost:3000' }).publicUrl).toBe('http://localhost:3000');
    expect(readConfig({ PUBLIC_URL: 'http://[::1]:3000' }).publicUrl).toBe('http://[::1]:3000');
    for (const bad of ['http://portal.example.org', 'portal.example.org', 'ftp://portal.example.org', 'https://user:pw@portal.example.org', 'https://portal.example.org/?x=1', 'https://portal.example.org/#x', 'javascript:alert(1)']) {
      expect(() => readConfig({ PUBLIC_URL: bad }), bad).toThrow(/PUBLIC_URL/);
    }
  });

  it('refuses TRUST_PROXY=true, half a TLS pair and a bad port', () => {
    expect(() => readConfig({ TRUST_PROXY: 'true' })).toThrow(/not "true"/);
    expect(() => readConfig({ TLS_CERT: 'c.pem' })).toThrow(/both/);
    expect(() => readConfig({ PORT: 'eighty' })).toThrow(/PORT/);
  });

  it('reads LOG_LEVEL and SHUTDOWN_GRACE_MS and refuses what they cannot be', () => {
    expect(readConfig({ LOG_LEVEL: 'warn', SHUTDOWN_GRACE_MS: '30000' })).toMatchObject({ logLevel: 'warn', shutdownGraceMs: 30000 });
    expect(readConfig({}).logLevel).toBeUndefined();
    expect(() => readConfig({ LOG_LEVEL: 'verbose' })).toThrow(/LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent/);
    expect(() => readConfig({ SHUTDOWN_GRACE_MS: '0' })).toThrow(/SHUTDOWN_GRACE_MS must be a whole number above 0/);
    expect(() => readConfig({ SHUTDOWN_GRACE_MS: 'soon' })).toThrow(/SHUTDOWN_GRACE_MS/);
  });

  it('reads the patient write limit (0 turns it off, for load benchmarks) and refuses anything but a whole number', () => {
    expect(readConfig({}).patientWritesPerHour).toBeUndefined();
    expect(readConfig({ PATIENT_WRITES_PER_HOUR: '0' }).patientWritesPerHour).toBe(0);
    expect(readConfig({ PATIENT_WRITES_PER_HOUR: '500' }).patientWritesPerHour).toBe(500);
    expect(() => readConfig({ PATIENT_WRITES_PER_HOUR: 'lots' })).toThrow(/PATIENT_WRITES_PER_HOUR/);
    expect(() => readConfig({ PATIENT_WRITES_PER_HOUR: '-1' })).toThrow(ConfigError);
  });
});
