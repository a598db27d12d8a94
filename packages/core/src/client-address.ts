import { BlockList, isIP } from 'node:net';

/**
 * The client address of a request. Behind a reverse proxy the socket's peer is the proxy, so the
 * address comes from `X-Forwarded-For` — but only from hops we trust: walking the header from the
 * right (the entry our own proxy appended), every trusted address is skipped and the first untrusted
 * one is the client. Without trusted proxies the header is ignored (any client can write it).
 */
export function parseTrustedProxies(spec: string | undefined): string[] {
  const entries = (spec ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  for (const e of entries) trustedProxyMatcher([e]); // throws on a bad entry
  return entries;
}

const matchers = new WeakMap<readonly string[], (address: string) => boolean>();

/** A predicate for addresses and CIDR blocks (`10.0.0.0/8`, `127.0.0.1`, `::1`, `fd00::/8`). */
export function trustedProxyMatcher(entries: readonly string[]): (address: string) => boolean {
  let m = matchers.get(entries);
  if (m) return m;
  const list = new BlockList();
  for (const e of entries) {
    const [addr, bits, extra] = e.split('/');
    const family = isIP(addr ?? '');
    if (!family || extra !== undefined || (bits !== undefined && !/^\d{1,3}$/.test(bits))) throw new Error(`TRUSTED_PROXIES: not an address or CIDR block: ${e}`);
    const type = family === 4 ? 'ipv4' : 'ipv6';
    if (bits === undefined) list.addAddress(addr!, type);
    else {
      const prefix = Number(bits);
      if (prefix > (family === 4 ? 32 : 128)) throw new Error(`TRUSTED_PROXIES: prefix too long: ${e}`);
      list.addSubnet(addr!, prefix, type);
    }
  }
  m = (address: string) => {
    const a = normalizeAddress(address);
    const family = isIP(a);
    return family !== 0 && list.check(a, family === 4 ? 'ipv4' : 'ipv6');
  };
  if (entries.length) matchers.set(entries, m);
  return m;
}

/** `::ffff:1.2.3.4` (an IPv4 client on a dual-stack socket) is `1.2.3.4`. */
export function normalizeAddress(address: string): string {
  const a = address.trim();
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(a);
  return mapped ? mapped[1]! : a.toLowerCase();
}

export function clientAddressOf(socketAddress: string | undefined, forwardedFor: string | string[] | undefined, trustedProxies: readonly string[] = []): string {
  let address = normalizeAddress(socketAddress ?? 'unknown');
  if (!trustedProxies.length || forwardedFor === undefined) return address;
  const trusted = trustedProxyMatcher(trustedProxies);
  const hops = (Array.isArray(forwardedFor) ? forwardedFor.join(',') : forwardedFor).split(',').map((h) => h.trim()).filter(Boolean);
  while (trusted(address) && hops.length) {
    const next = normalizeAddress(hops.pop()!);
    // a malformed entry is where the trustworthy part of the header ends
    if (!isIP(next)) break;
    address = next;
  }
  return address;
}
