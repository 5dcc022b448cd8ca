import { EventEmitter } from 'node:events';
import type { EventName, EventPayload } from '../shared/api';

/** The engine's one outgoing stream of typed events (progress, logs, changes). */
export class EngineEvents {
  private readonly emitter = new EventEmitter();
  constructor() {
    // Many front ends (window, tray, CLI, web clients) listen at once.
    this.emitter.setMaxListeners(100);
  }
  emit<E extends EventName>(event: E, payload: EventPayload<E>): void {
    this.emitter.emit(event, payload);
    this.emitter.emit('*', event, payload);
  }
  on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void {
    this.emitter.on(event, listener);
    return () => this.emitter.off(event, listener);
  }
  onAny(listener: (event: EventName, payload: unknown) => void): () => void {
    this.emitter.on('*', listener);
    return () => this.emitter.off('*', listener);
  }
}
