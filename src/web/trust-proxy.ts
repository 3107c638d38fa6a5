/**
 * Which address a request comes from, behind proxies (TRUST_PROXY). Rate limits are keyed on
 * it, so getting it wrong either lets one client spoof many addresses (trusting too much) or
 * puts every visitor in the proxy's single bucket (trusting too little).
 *
 * - unset / `false`: no proxy, the TCP peer is the client;
 * - `true`: trust every X-Forwarded-For entry (only for a proxy that strips what clients send);
 * - a hop count (`1`): the last N peers are proxies, the entry before them is the client;
 * - addresses/CIDRs (`10.0.0.1, 10.1.0.0/16`, or proxy-addr's `loopback`, `linklocal`,
 *   `uniquelocal`): peers at those addresses are proxies;
 * - `fly`: Fly.io's proxy, whose `Fly-Client-IP` header is the client. Only valid on a Fly
 *   machine (FLY_APP_NAME is set there), the default there, since anywhere else a client can
 *   send that header itself.
 */
import { isIP } from 'node:net';
import type { FastifyInstance } from 'fastify';

export type TrustProxy =
  | { kind: 'none' }
  | { kind: 'all' }
  | { kind: 'hops'; hops: number }
  | { kind: 'addresses'; addresses: string[] }
  | { kind: 'fly' };

const NAMED_RANGES = new Set(['loopback', 'linklocal', 'uniquelocal']);

function isAddressOrCidr(value: string): boolean {
  if (NAMED_RANGES.has(value)) return true;
  const [address = '', prefix, ...rest] = value.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128);
}

/** The setting, or a problem sentence that names the variable but never echoes the value. */
export function parseTrustProxy(env: Readonly<Record<string, string | undefined>>): TrustProxy | string {
  const raw = env.TRUST_PROXY?.trim() ?? '';
  const onFly = (env.FLY_APP_NAME?.trim() ?? '') !== '';
  if (raw === '') return onFly ? { kind: 'fly' } : { kind: 'none' };
  if (raw === 'false') return { kind: 'none' };
  if (raw === 'true') return { kind: 'all' };
  if (raw === 'fly') {
    return onFly ? { kind: 'fly' } : 'TRUST_PROXY=fly is only valid on a Fly.io machine (FLY_APP_NAME is not set): elsewhere clients could send Fly-Client-IP themselves';
  }
  if (/^\d+$/.test(raw)) {
    const hops = Number(raw);
    return hops >= 1 && hops <= 10 ? { kind: 'hops', hops } : 'TRUST_PROXY as a hop count must be from 1 to 10';
  }
  const addresses = raw.split(',').map((part) => part.trim()).filter((part) => part !== '');
  if (addresses.length === 0 || !addresses.every(isAddressOrCidr)) {
    return 'TRUST_PROXY must be true, false, fly, a hop count, or comma-separated proxy addresses/CIDRs';
  }
  return { kind: 'addresses', addresses };
}

type TrustFunction = (address: string, hop: number) => boolean;

/** Fastify's `trustProxy` option for the setting. */
export function fastifyTrustProxy(setting: TrustProxy): boolean | string[] | TrustFunction {
  switch (setting.kind) {
    case 'none':
      return false;
    case 'all':
      return true;
    case 'addresses':
      return setting.addresses;
    // Fastify reads a bare number as "trust nothing"; proxy-addr's hop semantics are this function.
    case 'hops':
      return (_address, hop) => hop < setting.hops;
    // The peer is Fly's proxy; the X-Forwarded-For it sees is replaced by Fly-Client-IP (below).
    case 'fly':
      return (_address, hop) => hop === 0;
  }
}

/**
 * On Fly, the client is what Fly's proxy says in Fly-Client-IP (it overwrites whatever a client
 * sent). Fastify derives request.ip from X-Forwarded-For on every read, so the header is put
 * there before any hook or route looks at the address.
 */
export function useFlyClientIp(app: FastifyInstance, setting: TrustProxy): void {
  if (setting.kind !== 'fly') return;
  app.addHook('onRequest', (request, _reply, done) => {
    const headers = request.raw.headers;
    const client = headers['fly-client-ip'];
    if (typeof client === 'string' && isIP(client.trim()) !== 0) headers['x-forwarded-for'] = client.trim();
    else delete headers['x-forwarded-for'];
    done();
  });
}
