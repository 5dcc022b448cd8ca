import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { Reason } from '../../../shared/i18n';

export interface Notice {
  id: number;
  kind: 'error' | 'info';
  /** What was being done, already translated ("Sync now"). */
  what: string;
  /** The engine's own reason, shown as text. */
  reason: string;
  /** The same reason as a code, when the engine gave one: said in the window's language. */
  why?: Reason;
}

/** Failures of calls, shown at the top of the window until dismissed: nothing fails silently. */
export const useNotices = defineStore('notices', () => {
  const items = ref<Notice[]>([]);
  let next = 1;

  function push(kind: Notice['kind'], what: string, reason: string, why?: Reason): void {
    items.value = [...items.value.slice(-4), { id: next++, kind, what, reason, ...(why ? { why } : {}) }];
  }
  function fail(what: string, err: unknown): void {
    push('error', what, err instanceof Error ? err.message : String(err), (err as { reason?: Reason } | null)?.reason);
  }
  function dismiss(id: number): void {
    items.value = items.value.filter((n) => n.id !== id);
  }
  return { items, push, fail, dismiss };
});
