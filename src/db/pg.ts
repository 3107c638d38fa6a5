/**
 * The `pg` module, imported through here so that Node 20 does not load undici at start-up.
 * When pg loads, it checks for Cloudflare Workers by reading `navigator.userAgent`; Node 20
 * has no `navigator`, so pg falls back to constructing a `Response`, which loads Node's
 * bundled undici: ~25 ms and a few MB on every CLI run. Node ≥ 21 defines `navigator`
 * itself (what our Docker image runs); on Node 20 we define the same minimal one first, so
 * every dependency sees what it sees on Node 24.
 */
import './node-navigator.js';
import pg from 'pg';

export default pg;
