import { describe, expect, test } from 'vitest';
import { clientAddressOf, parseTrustedProxies, readConfig } from '../src/index.js';

describe('client address', () => {
  test('without trusted proxies the socket peer is the client, whatever the header says', () => {
    expect(clientAddressOf('10.0.0.1', '203.0.113.9')).toBe('10.0.0.1');
    expect(clientAddressOf('::ffff:192.0.2.4', undefined)).toBe('192.0.2.4');
    expect(clientAddressOf(undefined, undefined)).toBe('unknown');
  });

  test('through trusted hops, the first untrusted address from the right', () => {
    const trusted = ['10.0.0.0/8', '::1'];
    expect(clientAddressOf('10.0.0.1', '198.51.100.1, 203.0.113.7, 10.2.3.4', trusted)).toBe('203.0.113.7');
    expect(clientAddressOf('::1', ['198.51.100.1', '203.0.113.7'], trusted)).toBe('203.0.113.7');
    // a forged entry left of the client's own is never reached
    expect(clientAddressOf('10.0.0.1', '10.9.9.9, 203.0.113.7', trusted)).toBe('203.0.113.7');
    // an untrusted peer's header is ignored
    expect(clientAddressOf('192.0.2.50', '203.0.113.7', trusted)).toBe('192.0.2.50');
    // garbage ends the trusted part
    expect(clientAddressOf('10.0.0.1', 'not-an-address', trusted)).toBe('10.0.0.1');
  });

  test('TRUSTED_PROXIES is checked at start', () => {
    expect(parseTrustedProxies(' 10.0.0.0/8, ::1 ,')).toEqual(['10.0.0.0/8', '::1']);
    expect(readConfig({}).trustedProxies).toEqual([]);
    expect(() => parseTrustedProxies('10.0.0.0/33')).toThrow(/TRUSTED_PROXIES/);
    expect(() => parseTrustedProxies('proxy.local')).toThrow(/TRUSTED_PROXIES/);
  });
});
