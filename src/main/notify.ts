/**
 * Notifications in place of the old e-mail report: what to say after a run and when peers come and go, which
 * kinds the captain turned off, and coalescing so a burst becomes one message. Pure apart from the injected
 * `show` and timers, so texts and coalescing are unit-tested.
 */
import type { Peer, RunReport, Settings, StationSnapshot } from '../shared/schemas';
import { words } from './i18n';
import { sayReason, type Reason } from '../shared/i18n';
import type { Words } from './i18n';

export type NoteKind = 'finished' | 'failed' | 'peer-new' | 'peer-stale';

export interface Note {
  kind: NoteKind;
  title: string;
  body: string;
  /** The run to open when the notification is clicked. */
  runId: string | null;
  /** For peer notes: the peers concerned (merged when coalescing). */
  peers?: string[];
}

export type NotificationPrefs = Settings['notifications'];

/** Which setting turns a kind off. */
export function allowed(kind: NoteKind, prefs: NotificationPrefs): boolean {
  if (kind === 'finished') return prefs.finished;
  if (kind === 'failed') return prefs.failed;
  return prefs.peers;
}

function peerName(p: { hostname: string | null; peer: string }): string {
  return p.hostname ?? (p.peer.length > 16 ? `${p.peer.slice(0, 6)}…${p.peer.slice(-4)}` : p.peer);
}

/**
 * The note for a finished run, or null when there is nothing worth a word (a quiet success, a dry run, a run
 * the captain cancelled). `newMembers` is how many members the station gained since the previous run.
 * Reasons come from the engine as codes (rendered by the language's catalogue), or as English text for the parts not
 * converted yet (then localizeReason translates the known phrases and keeps URLs, PeerIDs and codes as they are).
 */
export function runNote(report: RunReport, newMembers: number, w: Words = words('en')): Note | null {
  const m = w.m.notify;
  const say = (text: string, why?: Reason): string => sayReason(text, why, w.lang);
  const recovered = report.profiles?.recovered ?? 0;
  const failedPeers = report.peers.filter((p) => !p.ok);
  const gainList = [
    report.imported > 0 ? w.count(report.imported, m.importedEvents) : null,
    newMembers > 0 ? w.count(newMembers, m.newMembers) : null,
    recovered > 0 ? w.count(recovered, m.recoveredProfiles) : null,
  ].filter((x): x is string => x !== null);
  const gains = gainList.length ? gainList.join(', ') : null;
  const why = (list: typeof failedPeers): string =>
    list
      .slice(0, 3)
      .map((p) => m.peerWhy(peerName(p), p.reason ? say(p.reason, p.why) : m.peerFailed))
      .join(m.whySep) + (list.length > 3 ? m.whyMore(w, list.length - 3) : '');

  switch (report.outcome) {
    case 'success':
      if (!gains) return null;
      return { kind: 'finished', title: m.finished, body: m.fromPeers(w, gains, report.peers.length), runId: report.id };
    case 'partial':
      return { kind: 'failed', title: m.partlyFailed(w, failedPeers.length, report.peers.length), body: m.partlyBody(why(failedPeers), gains), runId: report.id };
    case 'failed':
      return { kind: 'failed', title: m.failed, body: report.reason ? say(report.reason, report.why) : (failedPeers.length ? `${why(failedPeers)}.` : m.noPeerSynced), runId: report.id };
    case 'refused':
      return { kind: 'failed', title: m.refused, body: report.reason ? say(report.reason, report.why) : m.refusedBody, runId: report.id };
    default:
      return null;
  }
}

/**
 * Peers that newly appeared (ok now, unknown before) or went stale (ok before, stale now) between two snapshots.
 * The first snapshot of a session is the baseline: no note for what was already there.
 */
export function peerNotes(before: StationSnapshot | null, after: StationSnapshot, w: Words = words('en')): Note[] {
  if (!before) return [];
  const was = new Map(before.peers.map((p) => [p.id, p]));
  const name = (p: Peer): string => peerName({ hostname: p.hostname, peer: p.peerId ?? p.id });
  const fresh = after.peers.filter((p) => !was.has(p.id) && p.status === 'ok');
  const stale = after.peers.filter((p) => was.get(p.id)?.status === 'ok' && p.status === 'stale');
  const notes: Note[] = [];
  if (fresh.length) notes.push(peerNote('peer-new', fresh.map(name), w));
  if (stale.length) notes.push(peerNote('peer-stale', stale.map(name), w));
  return notes;
}

export function peerNote(kind: 'peer-new' | 'peer-stale', names: string[], w: Words = words('en')): Note {
  const m = w.m.notify;
  const list = names.slice(0, 5).join(', ') + (names.length > 5 ? m.listMore(w, names.length - 5) : '');
  if (kind === 'peer-new') return { kind, title: m.joined(w, names.length), body: list, runId: null, peers: names };
  return { kind, title: m.quiet(w, names.length), body: m.quietBody(list), runId: null, peers: names };
}

/** Merges a burst: one note per kind, peers lists joined (worded in `w`), the latest run note wins. */
export function coalesce(notes: Note[], w: Words = words('en')): Note[] {
  const byKind = new Map<NoteKind, Note>();
  for (const n of notes) {
    const prev = byKind.get(n.kind);
    if (prev && (n.kind === 'peer-new' || n.kind === 'peer-stale')) {
      const names = [...new Set([...(prev.peers ?? []), ...(n.peers ?? [])])];
      byKind.set(n.kind, peerNote(n.kind, names, w));
    } else {
      byKind.set(n.kind, n);
    }
  }
  // A failure outweighs an older success from the same burst: show the newest run only.
  const runs = notes.filter((n) => n.kind === 'finished' || n.kind === 'failed');
  const newestRun = runs.at(-1);
  return [...byKind.values()].filter((n) => !(n.kind === 'finished' || n.kind === 'failed') || n === newestRun || n.runId === newestRun?.runId);
}

/**
 * A note still to be worded: rendered when the burst is shown, in the language of that moment, so a note
 * queued just before the captain switched language comes out in the new one.
 */
export type Draft = (w: Words) => Note | Note[] | null;

export interface NotifierDeps {
  show: (note: Note) => void;
  prefs: () => NotificationPrefs;
  /** The language notes are worded in (read at each show; English when not given). */
  words?: () => Words;
  /** Wait this long after the first note of a burst before showing (gathers the burst). */
  settleMs?: number;
  /** At least this long between two shown bursts. */
  minGapMs?: number;
  clock?: () => number;
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (t: unknown) => void;
}

export interface Notifier {
  push(note: Note | Draft | null): void;
  flush(): void;
  dispose(): void;
}

export function createNotifier(deps: NotifierDeps): Notifier {
  const settleMs = deps.settleMs ?? 3_000;
  const minGapMs = deps.minGapMs ?? 30_000;
  const clock = deps.clock ?? Date.now;
  const setTimer = deps.setTimer ?? ((fn: () => void, ms: number) => setTimeout(fn, ms));
  const clearTimer = deps.clearTimer ?? ((t: unknown) => clearTimeout(t as ReturnType<typeof setTimeout>));
  const wordsNow = deps.words ?? (() => words('en'));
  let queue: Array<Note | Draft> = [];
  let timer: unknown = null;
  let lastShown = -Infinity;

  function flush(): void {
    if (timer !== null) clearTimer(timer);
    timer = null;
    const prefs = deps.prefs();
    const w = wordsNow();
    const notes = queue.flatMap((q) => (typeof q === 'function' ? (q(w) ?? []) : q));
    const due = coalesce(notes, w).filter((n) => allowed(n.kind, prefs));
    queue = [];
    if (due.length === 0) return;
    lastShown = clock();
    for (const n of due) deps.show(n);
  }

  return {
    push(note) {
      if (!note) return;
      queue.push(note);
      if (timer !== null) return;
      const wait = Math.max(settleMs, lastShown + minGapMs - clock());
      timer = setTimer(flush, wait);
    },
    flush,
    dispose() {
      if (timer !== null) clearTimer(timer);
      timer = null;
      queue = [];
    },
  };
}
