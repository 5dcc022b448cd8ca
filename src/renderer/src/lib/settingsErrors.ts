import { localizeReason } from '../../../shared/reasons';
import { renderReason, type Lang, type Reason } from '../../../shared/i18n';

/**
 * The engine refuses bad settings with a reason naming each field ("settings.set: invalid input: relayUrl: …; days:
 * …", or "invalid settings: …"). Split it into one message per field, in the window's language, so it shows next to
 * the input like the window's own checks: from the reason's codes when the engine gave them, else from its English.
 */
export function engineFieldErrors(message: string, why?: Reason | null, lang: Lang = 'en'): Record<string, string> {
  const out: Record<string, string> = {};
  const issues = why?.params?.issues;
  if (Array.isArray(issues)) {
    for (const issue of issues as Reason[]) {
      const path = issue.params?.path;
      const field = typeof path === 'string' ? /^[A-Za-z]+/.exec(path)?.[0] : undefined;
      const inner = issue.params?.why as Reason | undefined;
      if (field && inner && !(field in out)) out[field] = renderReason(inner, lang);
    }
    return out;
  }
  const m0 = /invalid (?:input|settings):/.exec(message);
  if (!m0) return out;
  for (const part of message.slice(m0.index + m0[0].length).split(';')) {
    const m = /^\s*([A-Za-z]+)(?:\.[\w.]+)?:\s*(.+)$/.exec(part);
    if (m && m[1] && m[2] && !(m[1] in out)) out[m[1]] = localizeReason(m[2].trim(), lang);
  }
  return out;
}
