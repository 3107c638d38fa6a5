/**
 * An error that already knows its HTTP answer. Routes throw these; the error handler renders
 * them as a page (browser routes) or JSON (the /api routes). `detail` is shown to the person,
 * so it is written for them and never carries a secret.
 */
export class HttpProblem extends Error {
  constructor(
    readonly statusCode: number,
    readonly title: string,
    readonly detail: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(`${title}: ${detail}`);
    this.name = 'HttpProblem';
  }
}

/** A form POST without this session's CSRF token, or from another origin. */
export const csrfRefused = (): HttpProblem =>
  new HttpProblem(403, 'Request refused', 'This form has expired or did not come from this site. Reload the page and try again.');

export const notFound = (): HttpProblem =>
  // Same answer for "does not exist" and "not yours": nobody learns which workspaces exist.
  new HttpProblem(404, 'Workspace not found', 'There is no workspace with this ID among the workspaces you are a member of.');
