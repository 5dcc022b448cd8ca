import type { StationProblem } from '../../shared/schemas';
import { reasonText, type Reason } from '../../shared/i18n';

/** A station file that could not be used: its path, why (a code), and the English text logs and scripts read. */
export function problem(path: string, why: Reason): StationProblem {
  return { path, reason: reasonText(why), why };
}
