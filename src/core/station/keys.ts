/**
 * Member keys: a line is a key when, trimmed, it is exactly 64 hex characters. Upper-case hex is accepted and
 * lower-cased (a key's case carries no meaning; the relays and nostr-tools want lower case). Nothing else is
 * judged: the old script's "looks like a timestamp" check dropped valid keys and is deliberately absent.
 */
import { reason, type Reason } from '../../shared/i18n';

const HEX64 = /^[0-9a-f]{64}$/;

export function normalizeKey(line: string): string | null {
  const k = line.trim().toLowerCase();
  return HEX64.test(k) ? k : null;
}

export interface KeyList {
  keys: string[];
  /** 1-based numbers of the non-blank lines that are not keys. */
  badLines: number[];
}

/** Parses a one-key-per-line file: blank lines are ignored, other non-key lines are reported. */
export function parseKeyList(text: string): KeyList {
  const keys: string[] = [];
  const badLines: number[] = [];
  const lines = text.split(/\r?\n|\r/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (line.trim() === '') continue;
    const k = normalizeKey(line);
    if (k) keys.push(k);
    else badLines.push(i + 1);
  }
  return { keys, badLines };
}

/**
 * Parses a one-key-per-line file from its bytes, line by line: a line with binary or non-UTF-8 bytes is one bad
 * line, not a bad file (a merge script that wrote garbage into the middle of amisOfAmis.txt must not cost the
 * thousands of good keys around it). `binaryLines` counts the lines that were not text.
 */
export function parseKeyBytes(bytes: Uint8Array): KeyList & { binaryLines: number } {
  const keys: string[] = [];
  const badLines: number[] = [];
  let binaryLines = 0;
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let start = 0;
  let lineNo = 0;
  while (start <= bytes.length) {
    let end = bytes.indexOf(0x0a, start);
    if (end === -1) end = bytes.length;
    lineNo++;
    const raw = bytes.subarray(start, end);
    start = end + 1;
    if (raw.length === 0) continue;
    let line: string;
    try {
      if (raw.includes(0)) throw new Error('NUL');
      line = decoder.decode(raw);
    } catch {
      binaryLines++;
      badLines.push(lineNo);
      continue;
    }
    // A lone CR (old Mac line ends) inside a line splits it further, as parseKeyList does.
    let bad = false;
    for (const part of line.split('\r')) {
      if (part.trim() === '') continue;
      const k = normalizeKey(part);
      if (k) keys.push(k);
      else bad = true;
    }
    if (bad) badLines.push(lineNo);
  }
  return { keys, badLines, binaryLines };
}

/** "3 lines are not 64-hex keys (lines 2, 5, 9)" — bounded, for the problems list. */
export function badLinesReason(badLines: readonly number[], binaryLines = 0): Reason {
  return reason('members.badLines', { count: badLines.length, lines: badLines.slice(0, 10), more: Math.max(0, badLines.length - 10), binary: binaryLines });
}

/** `first8...last8`, as the old script's --show-hex printed keys. */
export function shortKey(hex: string): string {
  return hex.length > 16 ? `${hex.slice(0, 8)}...${hex.slice(-8)}` : hex;
}
