/**
 * Reasons as codes with parameters (Motrix's errors.ts shape): the engine says *why* as
 * `{ code: 'peer.stale', params: { age: 46800, staleHours: 12 } }`, and each language's catalogue
 * (reasons-en.ts, reasons-fr.ts) renders it. English is what the logs, the history and `--json` write; every
 * reader (window, tray, report, command) renders the code in its own language. A reworded English sentence can
 * no longer lose its French, and a code without a French entry fails the typecheck.
 *
 * A reason can nest reasons in its parameters (`12345.json: <why>`). Text from elsewhere that has no code (a
 * Node or relay error message, a reason from a part of the engine not converted yet) travels as the `text` code:
 * its French goes through the older fragment translator (src/shared/reasons.ts), the fallback that keeps what is
 * not converted yet in French.
 */
import { localizeReason } from '../reasons';
import { formats, type Formats } from './format';
import type { Lang } from './lang';
import { en } from './reasons-en';
import { fr } from './reasons-fr';

export type ReasonParam = string | number | boolean | null | Reason | ReasonParam[];
export interface Reason {
  code: string;
  params?: { [name: string]: ReasonParam };
}

/** What a catalogue entry gets besides its parameters: the language's formats, and nested rendering. */
export interface ReasonTools extends Formats {
  /** A nested reason in the same language. */
  reason(r: Reason | null | undefined): string;
  /** Text without a code (a Node or relay message): as is in English, through the fragment translator in French. */
  text(s: string): string;
  /** Reasons joined the way the engine joins them ("a; b"). */
  join(rs: readonly Reason[], sep?: string): string;
}

type English = typeof en;
export type ReasonCode = keyof English;
/** The parameters of a code, as its English entry declares them (undefined when it has none). */
export type ParamsOf<C extends ReasonCode> = Parameters<English[C]> extends [] ? undefined : Parameters<English[C]>[0];
/** A language's catalogue: one entry per code of the English one, taking the same parameters. */
export type ReasonCatalogue = { [C in ReasonCode]: (p: ParamsOf<C>, t: ReasonTools) => string };

const CATALOGUES: Readonly<Record<Lang, ReasonCatalogue>> = { en, fr };

/** A reason of the catalogue, its parameters checked against the entry that renders it. */
export function reason<C extends ReasonCode>(code: C, ...params: ParamsOf<C> extends undefined ? [] : [ParamsOf<C>]): Reason {
  const p = params[0] as Record<string, ReasonParam | undefined> | undefined;
  if (p === undefined) return { code };
  // Absent optional parameters are left out: the reason travels as JSON and is checked by the contract's schema.
  return { code, params: Object.fromEntries(Object.entries(p).filter(([, v]) => v !== undefined)) as Reason['params'] };
}

/** Text without a code, carried as a reason (see the module comment). */
export function textReason(text: string): Reason {
  return { code: 'text', params: { text } };
}

function isReason(v: unknown): v is Reason {
  return typeof v === 'object' && v !== null && typeof (v as Reason).code === 'string';
}

function tools(lang: Lang): ReasonTools {
  const f = formats(lang);
  const t: ReasonTools = {
    ...f,
    reason: (r) => (r ? renderReason(r, lang) : ''),
    text: (s) => (lang === 'en' ? s : localizeReason(s, lang)),
    join: (rs, sep = '; ') => rs.map((r) => renderReason(r, lang)).join(lang === 'fr' && sep.startsWith(';') ? `\u00a0${sep}` : sep),
  };
  return t;
}
const toolsCache = new Map<Lang, ReasonTools>();

/** A reason in a language. An unknown code (a newer engine) says its `text` parameter, else the code itself. */
export function renderReason(r: Reason, lang: Lang): string {
  let t = toolsCache.get(lang);
  if (!t) toolsCache.set(lang, (t = tools(lang)));
  const entry = (CATALOGUES[lang] as Record<string, ((p: never, t: ReasonTools) => string) | undefined>)[r.code];
  if (entry) {
    try {
      return entry((r.params ?? {}) as never, t);
    } catch {
      // Parameters that do not fit the entry (a hand-made or older reason): fall through to what it carries.
    }
  }
  const text = r.params?.text;
  return typeof text === 'string' ? t.text(text) : r.code;
}

/** The English text of a reason: what logs, the history and `--json` write. */
export function reasonText(r: Reason): string {
  return renderReason(r, 'en');
}

/** A reason and its English text, side by side, as the contract's schemas carry them (`reason` and `why`). */
export function withReason(r: Reason): { reason: string; why: Reason } {
  return { reason: reasonText(r), why: r };
}

/**
 * A reason as its reader's language shows it: the code when there is one, else the English text through the
 * fragment translator (reasons not converted yet, runs recorded before).
 */
export function sayReason(text: string | null | undefined, why: Reason | null | undefined, lang: Lang): string {
  if (why) return renderReason(why, lang);
  return text ? localizeReason(text, lang) : '';
}

/** A reason without the peer it names first (`peer.named`): next to its peer, or inside a reason naming it, the name is noise. */
export function withoutPeer(r: Reason): Reason;
export function withoutPeer(r: Reason | null | undefined): Reason | null | undefined;
export function withoutPeer(r: Reason | null | undefined): Reason | null | undefined {
  const inner = r?.code === 'peer.named' ? r.params?.why : undefined;
  return isReason(inner) ? inner : r;
}

/** An error that carries its reason: thrown by the engine, its message is the English text. */
export class ReasonError extends Error {
  override name = 'ReasonError';
  constructor(
    readonly reason: Reason,
    options?: { cause?: unknown },
  ) {
    super(reasonText(reason), options);
  }
}

/** The reason of anything thrown: its own when it carries one, else its message as text. */
export function reasonOf(err: unknown): Reason {
  if (err instanceof ReasonError) return err.reason;
  if (typeof err === 'object' && err !== null && isReason((err as { reason?: unknown }).reason)) return (err as { reason: Reason }).reason;
  // errors whose `reason` is other text (a relay's refusal) carry their reason as `why`
  if (typeof err === 'object' && err !== null && isReason((err as { why?: unknown }).why)) return (err as { why: Reason }).why;
  return textReason(err instanceof Error ? err.message : String(err));
}
