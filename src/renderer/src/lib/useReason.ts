import { useI18n } from 'vue-i18n';
import { localizeReason } from '../../../shared/reasons';

/**
 * The engine's reasons (why a peer failed, why a service does not answer…) in the window's language. The engine
 * writes them in English for its logs; on a French screen the known phrases are translated and the technical
 * parts (URLs, PeerIDs, error codes) kept as they are.
 */
export function useReason(): (text: string) => string {
  const { locale } = useI18n();
  return (text: string) => localizeReason(text, locale.value === 'fr' ? 'fr' : 'en');
}
