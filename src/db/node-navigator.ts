/** Node ≥ 21's `navigator` (userAgent only) on Node 20; see ./pg.ts for why. Evaluated before pg. */
if (typeof (globalThis as { navigator?: unknown }).navigator === 'undefined') {
  Object.defineProperty(globalThis, 'navigator', {
    value: Object.freeze({ userAgent: `Node.js/${process.versions.node.split('.')[0] ?? ''}` }),
    configurable: true,
    writable: true,
    enumerable: false,
  });
}
