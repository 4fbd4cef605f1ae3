import type { AppEvent } from '../../shared/api/events.ts';

/** Fan-out of core events to every connected face (IPC, SSE, CLI progress line). */
export class EventBus {
  private readonly listeners = new Set<(e: AppEvent) => void>();

  on(listener: (e: AppEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(event: AppEvent): void {
    for (const l of this.listeners) {
      try {
        l(event);
      } catch {
        // a failing face must not stop the others or the operation that emitted
      }
    }
  }
}
