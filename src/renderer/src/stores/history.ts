import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { RunReport, RunSummary } from '../../../shared/schemas';
import { summarizeRun } from '../../../shared/schemas';
import { getApi } from '../transport';

/** Past runs (summaries), the reports already opened, and the HTML export. */
export const useHistoryStore = defineStore('history', () => {
  const runs = ref<RunSummary[]>([]);
  const reports = ref<Record<string, RunReport>>({});
  const loaded = ref(false);

  async function load(): Promise<void> {
    runs.value = await getApi()['history.list']({ limit: 200 });
    loaded.value = true;
  }
  async function get(id: string): Promise<RunReport | null> {
    const cached = reports.value[id];
    if (cached) return cached;
    const r = await getApi()['history.get']({ id });
    if (r) reports.value = { ...reports.value, [id]: r };
    return r;
  }
  /** Asks the engine for the report as one HTML file and hands it to the browser as a download. */
  /** The report in the window's language (the same resolution the window used: src/shared/i18n/lang.ts). */
  async function exportHtml(id: string, lang?: 'en' | 'fr'): Promise<string> {
    const { filename, html } = await getApi()['history.exportHtml']({ id, ...(lang ? { lang } : {}) });
    const url = URL.createObjectURL(new Blob([html], { type: 'text/html;charset=utf-8' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = filename;
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
    return filename;
  }
  /** A finished run arrives by event: put it first without asking the engine again. */
  function onFinished(r: RunReport): void {
    reports.value = { ...reports.value, [r.id]: r };
    const summary = summarizeRun(r);
    runs.value = [summary, ...runs.value.filter((x) => x.id !== r.id)];
  }
  return { runs, reports, loaded, load, get, exportHtml, onFinished };
});
