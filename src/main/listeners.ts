// A set of listeners for one kind of change, as services offer them: `add` returns the function
// that removes the listener again. One listener that throws does not keep the others from hearing
// the change; its error is reported, not dropped.

export type Listener<T> = (value: T) => void;

export class Listeners<T> {
  private readonly listeners = new Set<Listener<T>>();

  constructor(
    private readonly reportError: (error: unknown) => void = (error) =>
      console.error('A listener failed:', error),
  ) {}

  add(listener: Listener<T>): () => void {
    // Wrapped so the same function can be added twice and removed once per add.
    const entry: Listener<T> = (value) => listener(value);
    this.listeners.add(entry);
    return () => {
      this.listeners.delete(entry);
    };
  }

  emit(value: T): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(value);
      } catch (error) {
        this.reportError(error);
      }
    }
  }
}
