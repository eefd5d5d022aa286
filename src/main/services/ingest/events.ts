// The one stream of ingest events the renderer subscribes to. Listeners are the shell's IPC
// forwarders; one that throws must not abort an ingest half-way, so its error is reported to the
// injected handler (the console by default) and the next listener still runs.
import type { IngestEvent } from '../../../shared/ingest/model.js';

export type IngestListener = (event: IngestEvent) => void;

export class IngestEvents {
  private readonly listeners = new Set<IngestListener>();

  constructor(
    private readonly onListenerError: (error: unknown) => void = (error) =>
      console.error('An ingest event listener failed:', error),
  ) {}

  subscribe(listener: IngestListener): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  emit(event: IngestEvent): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(event);
      } catch (error) {
        this.onListenerError(error);
      }
    }
  }
}
