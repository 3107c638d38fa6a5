/**
 * The parts of the issuer's OpenID discovery document the app uses beyond @fastify/oauth2
 * (which keeps its copy private): the JWKS that signs access tokens, and the end-session
 * endpoint for signing out at the issuer. Fetched with the sign-in discovery and retried with it.
 */
export interface IssuerMetadata {
  issuer: string;
  jwksUri: string;
  /** OIDC RP-initiated logout; absent when the issuer does not publish one. */
  endSessionEndpoint?: string;
}

function httpUrl(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:' ? url.toString() : undefined;
  } catch {
    return undefined;
  }
}

export async function fetchIssuerMetadata(issuer: string, timeoutMs: number): Promise<IssuerMetadata> {
  const response = await fetch(`${issuer}/.well-known/openid-configuration`, {
    headers: { accept: 'application/json', 'user-agent': 'fief-exporter' },
    signal: AbortSignal.timeout(timeoutMs),
  });
  if (!response.ok) throw new Error(`the discovery document answered ${response.status}`);
  const doc = (await response.json()) as Record<string, unknown>;
  // OIDC Discovery 1.0 §4.3: the document must name the issuer it was fetched for.
  if (typeof doc.issuer !== 'string' || doc.issuer.replace(/\/+$/, '') !== issuer) {
    throw new Error('the discovery document names another issuer');
  }
  const jwksUri = httpUrl(doc.jwks_uri);
  if (jwksUri === undefined) throw new Error('the discovery document has no jwks_uri');
  const endSessionEndpoint = httpUrl(doc.end_session_endpoint);
  return { issuer: doc.issuer, jwksUri, ...(endSessionEndpoint ? { endSessionEndpoint } : {}) };
}
