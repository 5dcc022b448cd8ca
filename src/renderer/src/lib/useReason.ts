import { useI18n } from 'vue-i18n';
import { sayReason, type Reason } from '../../../shared/i18n';

/**
 * The engine's reasons (why a peer failed, why a service does not answer…) in the window's language: from the
 * reason's code when the engine gave one (`why`), else its English text through the fragment translator (reasons
 * of parts not converted yet, runs recorded before); the technical parts (URLs, PeerIDs, error codes) kept as they are.
 */
export function useReason(): (text: string | null | undefined, why?: Reason | null) => string {
  const { locale } = useI18n();
  return (text, why) => sayReason(text, why, locale.value === 'fr' ? 'fr' : 'en');
}
