/**
 * Admission control for exports: one at a time per person, and at most `capacity` in total,
 * because each export holds a PostgreSQL connection and a long COPY. Over the limit we answer
 * 429 at once rather than queue: a browser download that waits minutes for a slot looks broken.
 */
export type SlotDenial = { busy: 'person' | 'global' };

export interface Slot {
  release(): void;
}

export class ExportSlots {
  readonly #running = new Set<string>();
  #accepting = true;

  constructor(readonly capacity: number) {}

  get active(): number {
    return this.#running.size;
  }

  /** While shutting down: running exports finish, new ones are turned away. */
  stopAccepting(): void {
    this.#accepting = false;
  }

  tryAcquire(sub: string): Slot | SlotDenial {
    if (!this.#accepting) return { busy: 'global' };
    if (this.#running.has(sub)) return { busy: 'person' };
    if (this.#running.size >= this.capacity) return { busy: 'global' };
    this.#running.add(sub);
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        this.#running.delete(sub);
      },
    };
  }
}

export function isDenial(result: Slot | SlotDenial): result is SlotDenial {
  return 'busy' in result;
}
