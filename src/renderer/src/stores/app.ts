import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { AppInfo, Settings, SettingsPatch } from '../../../shared/schemas';
import { getApi, onConnection, type ConnectionState } from '../transport';

/** app.info, the settings, and the link to the engine. */
export const useAppStore = defineStore('app', () => {
  const info = ref<AppInfo | null>(null);
  const settings = ref<Settings | null>(null);
  const connection = ref<ConnectionState>('connecting');
  const connectionReason = ref<string | null>(null);
  const transport = ref('');

  async function loadInfo(): Promise<void> {
    info.value = await getApi()['app.info']();
  }
  async function loadSettings(): Promise<void> {
    settings.value = await getApi()['settings.get']();
  }
  /** Sends a patch; the engine validates it again and answers the settings it kept. Throws its reason. */
  async function saveSettings(patch: SettingsPatch): Promise<Settings> {
    const saved = await getApi()['settings.set'](patch);
    settings.value = saved;
    return saved;
  }
  function watchConnection(): () => void {
    transport.value = getApi().transport;
    return onConnection((state, reason) => {
      connection.value = state;
      connectionReason.value = reason;
    });
  }
  return { info, settings, connection, connectionReason, transport, loadInfo, loadSettings, saveSettings, watchConnection };
});
