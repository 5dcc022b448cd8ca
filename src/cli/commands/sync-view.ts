/**
 * What `constellation sync` shows while it runs and when it ends. On a terminal: one line per peer, labelled
 * by the station's host name, with its bar, phase and counts fitted to the width (the bar gives way, never a
 * count), a spinner with a word while something slow happens, warnings printed whole above. Elsewhere (a pipe,
 * cron): one plain line per peer and phase. The summary is folded to the terminal's width at spaces, so a line
 * never wraps in the middle of a number.
 */
import type { PeerProgress, RunReport, SyncProgress } from '../../shared/schemas';
import { setWarnSink } from '../context';
import { glyphs, LiveArea, fitTo, cut, unicodeTerminal, widthOf, wrap, type Glyphs } from '../terminal';
import type { Voice } from '../voice';
import { withoutPeer } from '../../shared/i18n';
import { printable } from './station';

export interface SyncView {
  /** A word for what is happening before the peers show (the demo starting), or null when it is over. */
  status(word: string | null): void;
  update(p: SyncProgress): void;
  close(): void;
}

const short = (id: string): string => (id.length > 16 ? `${id.slice(0, 8)}…${id.slice(-4)}` : id);
/** How a peer is named: its station's host name, else its short PeerID. */
export const peerName = (p: { hostname: string | null; peer: string }): string => (p.hostname ? printable(p.hostname) : short(p.peer));

/** Phases that wait on someone else (a tunnel, a relay's answer): a spinner stands where the percentage will be. */
const WAITING = new Set(['tunnel', 'probe', 'reconcile']);
const METHOD_W = 5;
const MIN_BAR = 8;

interface Layout {
  nameW: number;
  phaseW: number;
  countsW: number;
  barW: number;
  method: boolean;
}

/** Widths for the peers' lines in `width` characters: the bar gives way first, then the method, then the name. */
export function layout(peers: readonly PeerProgress[], v: Voice, width: number): Layout {
  const phaseW = Math.max(...Object.values(v.run.phase).map(widthOf));
  const countsW = Math.max(0, ...peers.map((p) => widthOf(v.w.sync.counts(v, p.fetched, p.imported))));
  let nameW = Math.min(24, Math.max(8, ...peers.map((p) => widthOf(peerName(p)))));
  let method = true;
  const rest = (): number => width - (1 + nameW + 1 + 2 + 1 + 4 + 1 + phaseW + 1 + (method ? METHOD_W + 1 : 0) + countsW);
  if (rest() < MIN_BAR) method = false;
  if (rest() < MIN_BAR) nameW = Math.max(8, nameW - (MIN_BAR - rest()));
  return { nameW, phaseW, countsW, barW: Math.max(0, rest()), method };
}

export function peerLine(p: PeerProgress, l: Layout, v: Voice, g: Glyphs, frame: number): string {
  const name = fitTo(peerName(p), l.nameW, g.ellipsis);
  if (p.phase === 'failed') return ` ${name} ${v.run.phase.failed}: ${p.error ? v.say(p.error, withoutPeer(p.why)) : ''}`;
  const filled = p.phase === 'done' ? l.barW : Math.round(Math.min(1, Math.max(0, p.coverage)) * l.barW);
  const bar = l.barW > 0 ? `[${g.full.repeat(filled)}${g.empty.repeat(l.barW - filled)}]` : '';
  const waiting = WAITING.has(p.phase) && p.coverage === 0;
  const pct = waiting ? (g.spin[frame % g.spin.length] as string) : p.phase === 'queued' ? '' : `${Math.round((p.phase === 'done' ? 1 : p.coverage) * 100)}%`;
  const phase = fitTo(v.run.phase[p.phase] ?? p.phase, l.phaseW);
  const method = l.method ? ` ${(p.method ?? '').padEnd(METHOD_W)}` : '';
  return ` ${name} ${bar} ${pct.padStart(4)} ${phase}${method} ${v.w.sync.counts(v, p.fetched, p.imported)}`.trimEnd();
}

/** The word under the bars for the run's stage (null: the bars say it all). */
function stageWord(p: SyncProgress | null, v: Voice, startWord: string | null): string | null {
  const w = v.w.sync;
  if (!p) return startWord ?? w.starting;
  if (p.stage === 'lock' || p.stage === 'plan') return startWord ?? w.starting;
  if (p.stage === 'peers') return p.peers.some((x) => x.phase === 'tunnel') ? w.tunnels : null;
  if (p.stage === 'profiles') return p.profiles ? `${w.profilesPhase} ${v.num(p.profiles.done)}/${v.num(p.profiles.total)}` : w.profilesPhase;
  if (p.stage === 'graph') return w.graphPhase;
  return null;
}

/** The live view on a terminal (stderr): redrawn a few times a second, so the spinner turns. */
export function terminalView(out: NodeJS.WriteStream, voice: () => Voice): SyncView {
  const area = new LiveArea(out);
  const g = glyphs(unicodeTerminal());
  let latest: SyncProgress | null = null;
  let word: string | null = null;
  let frame = 0;
  const render = (): void => {
    const v = voice();
    const lines: string[] = [];
    const peers = latest?.peers ?? [];
    if (peers.length) {
      const l = layout(peers, v, area.width);
      for (const p of peers) lines.push(peerLine(p, l, v, g, frame));
    }
    const status = stageWord(latest, v, word);
    if (status) lines.push(`${g.spin[frame % g.spin.length]} ${status}`);
    frame++;
    area.draw(lines.map((line) => cut(line, area.width, g.ellipsis)));
  };
  setWarnSink((line) => area.log(line));
  const timer = setInterval(render, 120);
  timer.unref();
  render();
  return {
    status(w) {
      word = w;
      render();
    },
    update(p) {
      latest = p;
    },
    close() {
      clearInterval(timer);
      setWarnSink(null);
      area.close();
    },
  };
}

/** Plain lines for a pipe or cron: one per peer and phase (and per count with --verbose). */
export function plainView(out: NodeJS.WritableStream, verbose: boolean, voice: () => Voice): SyncView {
  const last = new Map<string, string>();
  return {
    status: () => undefined,
    update(p) {
      for (const pp of p.peers) {
        const key = `${pp.phase}${verbose ? `:${pp.fetched}` : ''}`;
        if (last.get(pp.peer) === key) continue;
        last.set(pp.peer, key);
        const v = voice();
        // a failed peer's reason is said once, in the summary
        const tail = pp.phase === 'failed' || pp.phase === 'cancelled' ? '' : ` ${v.w.sync.progress(v, pp.fetched, pp.imported)}`;
        out.write(`${peerName(pp)} ${v.run.phase[pp.phase] ?? pp.phase}${pp.method ? ` (${pp.method})` : ''}${tail}\n`);
      }
    },
    close: () => undefined,
  };
}

/** What the sieve left out, in words: "16 welcome notes, 7 deleted events". */
function leftOut(dropped: Record<string, number>, v: Voice): string {
  return Object.entries(dropped)
    .filter(([, n]) => n > 0)
    .map(([k, n]) => {
      const forms = v.run.dropped[k];
      return forms ? v.count(n, forms) : `${k} ${v.num(n)}`;
    })
    .join(', ');
}

/** The run's summary; on a terminal (`width`), each line folded at spaces to fit. */
export function summaryLines(r: RunReport, v: Voice, width: number | null = null): string[] {
  const w = v.w.sync;
  const outcome = v.run.outcome[r.outcome] ?? r.outcome;
  const lines = [w.run(r.id, outcome, r.reason ? v.say(r.reason, r.why) : null, v.dec(r.durationMs / 1000, 1))];
  if (r.outcome === 'dry-run' || r.outcome === 'refused') lines.push(...(r.planWhy ? r.planWhy.map((w) => v.say(null, w)) : r.plan));
  else {
    const nameW = Math.min(24, Math.max(0, ...r.peers.map((p) => widthOf(peerName(p)))));
    for (const p of r.peers) {
      const route = (v.run.route[p.route] ?? p.route).padEnd(6);
      const head = `  ${fitTo(peerName(p), nameW)}  ${route} ${(p.method ?? '-').padEnd(METHOD_W)}`;
      lines.push(`${head}  ${p.ok ? w.peerOk(v, p.fetched, p.imported, p.bytesIn) : `${w.peerFailed}  ${p.reason ? v.say(p.reason, withoutPeer(p.why)) : ''}`}`);
      (p.notes ?? []).forEach((note, i) => lines.push(`      ${w.note(v.say(note, withoutPeer(p.noteWhys?.[i])))}`));
    }
    lines.push(w.totals(v, r.imported, r.duplicates, r.rejected, r.superseded), w.transferred(v, r.bytesIn, r.bytesOut));
    if (r.fetches && r.fetches.events > 0) lines.push(w.fetches(v, r.fetches.events, r.fetches.distinct, r.localReads ?? 0));
    if (r.shared) lines.push(w.shared(v, r.shared));
    const dropped = leftOut(r.dropped, v);
    if (dropped) lines.push(w.leftOut(dropped));
    const rej = Object.entries(r.rejectReasons);
    if (rej.length) lines.push(w.rejected(rej.map(([k, n]) => `${v.say(k)} (${v.num(n)})`).join(', ')));
    if (r.profiles) lines.push(w.profiles(v, r.profiles.found, r.profiles.missing, r.profiles.recovered));
    if (r.options.verify === false) lines.push(w.notVerified);
  }
  return width === null ? lines : lines.flatMap((l) => wrap(l, width, '    '));
}
