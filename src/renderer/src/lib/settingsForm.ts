/**
 * Client-side validation of the Settings form with the contract's own zod schema, turned into one message per
 * field so each error shows next to its input.
 */
import type { z } from 'zod';
import { Settings } from '../../../shared/schemas';

export interface FieldError {
  /** The field's path, joined with dots: "fallbackRelays.1", "notifications.finished". */
  path: string;
  /** The field at the top of the form the error belongs to ("fallbackRelays"). */
  field: string;
  code: string;
  message: string;
  minimum?: number;
  maximum?: number;
}

export function issueToFieldError(issue: z.core.$ZodIssue): FieldError {
  const path = issue.path.map(String).join('.');
  const out: FieldError = { path, field: String(issue.path[0] ?? ''), code: issue.code, message: issue.message };
  if (issue.code === 'too_small') out.minimum = Number(issue.minimum);
  if (issue.code === 'too_big') out.maximum = Number(issue.maximum);
  return out;
}

/** Every problem of a whole settings object, keyed by top-level field (first problem per field). */
export function validateSettings(candidate: unknown): Record<string, FieldError> {
  const r = Settings.safeParse(candidate);
  const errors: Record<string, FieldError> = {};
  if (r.success) return errors;
  for (const issue of r.error.issues) {
    const e = issueToFieldError(issue);
    errors[e.field] ??= e;
  }
  return errors;
}

/** The fallback relays are edited as one URL per line. */
export function parseRelayLines(text: string): string[] {
  return text
    .split(/[\n,]+/)
    .map((l) => l.trim())
    .filter(Boolean);
}

/** Fields whose values differ, so only what the captain changed is sent with settings.set. */
export function diffSettings(before: Settings, after: Settings): Partial<Settings> {
  const patch: Record<string, unknown> = {};
  for (const key of Object.keys(after) as (keyof Settings)[]) {
    if (JSON.stringify(before[key]) !== JSON.stringify(after[key])) patch[key] = after[key];
  }
  return patch as Partial<Settings>;
}
