import { defineStore } from 'pinia';
import { ref } from 'vue';

export interface Notice {
  id: number;
  kind: 'error' | 'info';
  /** What was being done, already translated ("Sync now"). */
  what: string;
  /** The engine's own reason, shown as text. */
  reason: string;
}

/** Failures of calls, shown at the top of the window until dismissed: nothing fails silently. */
export const useNotices = defineStore('notices', () => {
  const items = ref<Notice[]>([]);
  let next = 1;

  function push(kind: Notice['kind'], what: string, reason: string): void {
    items.value = [...items.value.slice(-4), { id: next++, kind, what, reason }];
  }
  function fail(what: string, err: unknown): void {
    push('error', what, err instanceof Error ? err.message : String(err));
  }
  function dismiss(id: number): void {
    items.value = items.value.filter((n) => n.id !== id);
  }
  return { items, push, fail, dismiss };
});
