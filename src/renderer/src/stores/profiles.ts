import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { ProfileDetail, ProfileSummary } from '../../../shared/schemas';
import { getApi } from '../transport';

const PAGE = 60;

/** Search results and the profile open in the detail pane. */
export const useProfilesStore = defineStore('profiles', () => {
  const query = ref('');
  const items = ref<ProfileSummary[]>([]);
  const total = ref(0);
  const searching = ref(false);
  const selected = ref<ProfileDetail | null>(null);
  const selectedHex = ref<string | null>(null);
  const detailMissing = ref(false);
  let seq = 0;

  /** Only the answer to the latest query is kept (typing fires several searches). */
  async function search(q: string, append = false): Promise<void> {
    const mine = ++seq;
    query.value = q;
    searching.value = true;
    try {
      const page = await getApi()['profiles.search']({ query: q, offset: append ? items.value.length : 0, limit: PAGE });
      if (mine !== seq) return;
      items.value = append ? [...items.value, ...page.items] : page.items;
      total.value = page.total;
    } finally {
      if (mine === seq) searching.value = false;
    }
  }
  async function open(hex: string): Promise<void> {
    selectedHex.value = hex;
    detailMissing.value = false;
    const d = await getApi()['profiles.get']({ hex });
    if (selectedHex.value !== hex) return;
    selected.value = d;
    detailMissing.value = d === null;
  }
  function close(): void {
    selectedHex.value = null;
    selected.value = null;
    detailMissing.value = false;
  }
  return { query, items, total, searching, selected, selectedHex, detailMissing, search, open, close };
});
