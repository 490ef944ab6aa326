/**
 * The Host header of a request, checked before anything reads it (RFC 9110 §7.2: host [":" port], the host a
 * registered name, an IPv4 address or a bracketed IPv6 literal; RFC 3986 §3.2.2). Astro builds each request's
 * URL from it: one it cannot parse ("a b", "x/y") gave the home page in place of the page asked for. Node
 * itself refuses an HTTP/1.1 request with no Host at all.
 */
const REGISTERED_NAME =
  /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?$/;
const IPV6_LITERAL = /^\[[0-9A-Fa-f:.]{2,45}\]$/;
/** The longest host name DNS allows (RFC 1035 §2.3.4), plus a port. */
const MAX_HOST_HEADER_LENGTH = 253 + 6;

export function isValidHostHeader(host: string | undefined): boolean {
  if (host === undefined || host.length === 0 || host.length > MAX_HOST_HEADER_LENGTH) return false;
  const portAt = host.lastIndexOf(':');
  const bracketed = host.startsWith('[');
  const hasPort = portAt > 0 && (!bracketed || host.indexOf(']') < portAt);
  const name = hasPort ? host.slice(0, portAt) : host;
  if (hasPort) {
    const port = host.slice(portAt + 1);
    if (!/^\d{1,5}$/.test(port) || Number(port) > 65535) return false;
  }
  return bracketed ? IPV6_LITERAL.test(name) : REGISTERED_NAME.test(name);
}
