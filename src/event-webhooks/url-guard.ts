import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';
import { badInput } from '../core/errors';

export const MAX_URL_LENGTH = 2048;

/** Why an endpoint's address may not be called; the words are shown on the delivery. */
export class UrlRefused extends Error {}

/**
 * The address is a public unicast one. Everything else is refused outside development: loopback,
 * private (10/8, 172.16/12, 192.168/16), link-local (169.254/16, where cloud metadata answers;
 * fe80::/10), unique-local (fc00::/7), carrier-grade NAT, multicast, reserved, and the IPv6 forms
 * that carry an IPv4 address (::ffff:127.0.0.1 is 127.0.0.1; 6to4, NAT64 and Teredo likewise).
 */
export function isPublicAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return false;
  // process() turns an IPv4-mapped IPv6 address into the IPv4 address it is.
  return ipaddr.process(address).range() === 'unicast';
}

/** The URL as registered: absolute, https (http too in development), no credentials in it. */
export function checkUrlShape(raw: string, development: boolean): URL {
  if (raw.length > MAX_URL_LENGTH) throw badInput('url', `must be at most ${MAX_URL_LENGTH} characters`);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw badInput('url', `"${raw.slice(0, 100)}" is not an absolute URL`);
  }
  if (url.protocol !== 'https:' && !(development && url.protocol === 'http:')) {
    throw badInput('url', development ? 'must be an http or https URL' : 'must be an https URL (http is allowed only with WEBHOOKS_DEVELOPMENT=on)');
  }
  if (url.username || url.password) throw badInput('url', 'must not carry a user name or password: the signature authenticates each delivery');
  if (!url.hostname) throw badInput('url', 'must name a host');
  return url;
}

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

/**
 * The address to connect to for `url`: its IP literal, or what its host name resolves to now.
 * Outside development every address the name resolves to must be public, and the caller connects
 * to the one answered here, never resolving again: a name that turns private between this check
 * and the connection (DNS rebinding) is not followed.
 */
export async function resolveAllowed(url: URL, development: boolean): Promise<ResolvedAddress> {
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  let addresses: ResolvedAddress[];
  if (isIP(host)) {
    addresses = [{ address: host, family: isIP(host) as 4 | 6 }];
  } else {
    try {
      addresses = (await lookup(host, { all: true, verbatim: true })).map((a) => ({ address: a.address, family: a.family as 4 | 6 }));
    } catch (error) {
      throw new UrlRefused(`${host} does not resolve (${(error as NodeJS.ErrnoException).code ?? 'DNS error'})`);
    }
    if (!addresses.length) throw new UrlRefused(`${host} does not resolve`);
  }
  if (!development) {
    const refused = addresses.find((a) => !isPublicAddress(a.address));
    if (refused) throw new UrlRefused(`${host} resolves to ${refused.address}, a ${ipaddr.isValid(refused.address) ? ipaddr.process(refused.address).range() : 'invalid'} address: only public addresses may receive webhooks`);
  }
  return addresses[0];
}

/** The registration-time check: the shape, then the addresses, as a BAD_USER_INPUT naming `url`. */
export async function checkEndpointUrl(raw: string, development: boolean): Promise<string> {
  const url = checkUrlShape(raw.trim(), development);
  try {
    await resolveAllowed(url, development);
  } catch (error) {
    if (error instanceof UrlRefused) throw badInput('url', error.message);
    throw error;
  }
  return url.toString();
}
