/**
 * The station's profile export, read by the station's own tools: `tmp/coucou/_NIP101.profiles.json` (array of
 * `{hex, profile, relays, fetched_at}`, the shape the old profile script wrote) and the CSV beside it.
 */
import { mkdir, realpath } from 'node:fs/promises';
import { join, relative, isAbsolute } from 'node:path';
import { writeFileAtomic } from '../util/fs';
import type { RelayEntry } from './relays';
import { reason, ReasonError } from '../../shared/i18n';

export interface ExportRow {
  hex: string;
  profile: Record<string, string | number | boolean>;
  relays: RelayEntry[];
  fetched_at: string;
}

export const EXPORT_DIR = join('tmp', 'coucou');
export const EXPORT_JSON = '_NIP101.profiles.json';
export const EXPORT_CSV = '_NIP101.profiles.csv';
export const CSV_HEADER = 'hex,name,display_name,about,picture,website,nip05,relays_count,relays_list,fetched_at';

/** `YYYY-MM-DDTHH:MM:SSZ` (UTC, no milliseconds), as `date -u +%Y-%m-%dT%H:%M:%SZ` wrote it. */
export function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * One CSV text cell: RFC 4180 quoting (always quoted, as jq's @csv did; quotes doubled). Line breaks are written
 * as the two characters `\n` so each record stays on one line for the station's line-based shell tools. A cell
 * that a spreadsheet would run as a formula (= + - @, or a leading tab/CR) gets a leading `'`.
 */
export function csvCell(value: string): string {
  let s = value.replace(/\r\n|\r|\n/g, '\\n');
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return `"${s.replace(/"/g, '""')}"`;
}

function text(v: string | number | boolean | undefined): string {
  return v === undefined ? '' : String(v);
}

export function toCsv(rows: readonly ExportRow[]): string {
  const lines = [CSV_HEADER];
  for (const r of rows) {
    const p = r.profile;
    lines.push(
      [
        csvCell(r.hex),
        csvCell(text(p.name)),
        csvCell(text(p.display_name)),
        csvCell(text(p.about)),
        csvCell(text(p.picture)),
        csvCell(text(p.website)),
        csvCell(text(p.nip05)),
        String(r.relays.length),
        csvCell(r.relays.map((x) => x.url).join(';')),
        csvCell(r.fetched_at),
      ].join(','),
    );
  }
  return lines.join('\n') + '\n';
}

export function toJson(rows: readonly ExportRow[]): string {
  return JSON.stringify(rows, null, 2) + '\n';
}

function inside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/**
 * Writes both files atomically into `<zenRoot>/tmp/coucou/`. Refuses when that folder resolves outside the
 * station root (a symlink planted there must not make us write elsewhere).
 */
export async function writeExport(zenRoot: string, rows: readonly ExportRow[]): Promise<{ json: string; csv: string }> {
  const dir = join(zenRoot, EXPORT_DIR);
  await mkdir(dir, { recursive: true });
  const [realRoot, realDir] = await Promise.all([realpath(zenRoot), realpath(dir)]);
  if (!inside(realRoot, realDir)) {
    throw new ReasonError(reason('profiles.outsideRoot', { dir, real: realDir, root: realRoot }));
  }
  const json = join(realDir, EXPORT_JSON);
  const csv = join(realDir, EXPORT_CSV);
  await writeFileAtomic(json, toJson(rows));
  await writeFileAtomic(csv, toCsv(rows));
  return { json, csv };
}
