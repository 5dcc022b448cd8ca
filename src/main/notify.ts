/**
 * Notifications in place of the old e-mail report: what to say after a run and when peers come and go, which
 * kinds the captain turned off, and coalescing so a burst becomes one message. Pure apart from the injected
 * `show` and timers, so texts and coalescing are unit-tested.
 */
import type { Peer, RunReport, Settings, StationSnapshot } from '../shared/schemas';

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

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

function peerName(p: { hostname: string | null; peer: string }): string {
  return p.hostname ?? (p.peer.length > 16 ? `${p.peer.slice(0, 6)}…${p.peer.slice(-4)}` : p.peer);
}

/**
 * The note for a finished run, or null when there is nothing worth a word (a quiet success, a dry run, a run
 * the captain cancelled). `newMembers` is how many members the station gained since the previous run.
 */
export function runNote(report: RunReport, newMembers: number): Note | null {
  const recovered = report.profiles?.recovered ?? 0;
  const failedPeers = report.peers.filter((p) => !p.ok);
  const gains = [
    report.imported > 0 ? `${plural(report.imported, 'event')} imported` : null,
    newMembers > 0 ? plural(newMembers, 'new member') : null,
    recovered > 0 ? `${plural(recovered, 'profile')} recovered` : null,
  ].filter((x): x is string => x !== null);
  const why = (list: typeof failedPeers): string =>
    list
      .slice(0, 3)
      .map((p) => `${peerName(p)}: ${p.reason ?? 'failed'}`)
      .join('; ') + (list.length > 3 ? `; and ${list.length - 3} more` : '');

  switch (report.outcome) {
    case 'success':
      if (gains.length === 0) return null;
      return { kind: 'finished', title: 'Sync finished', body: `${gains.join(', ')} from ${plural(report.peers.length, 'peer')}.`, runId: report.id };
    case 'partial':
      return {
        kind: 'failed',
        title: `Sync partly failed (${failedPeers.length} of ${report.peers.length} peers)`,
        body: `${why(failedPeers)}.${gains.length ? ` Still: ${gains.join(', ')}.` : ''}`,
        runId: report.id,
      };
    case 'failed':
      return {
        kind: 'failed',
        title: 'Sync failed',
        body: report.reason ?? (failedPeers.length ? `${why(failedPeers)}.` : 'no peer could be synced.'),
        runId: report.id,
      };
    case 'refused':
      return { kind: 'failed', title: 'Sync not run', body: report.reason ?? 'the run was refused.', runId: report.id };
    default:
      return null;
  }
}

/**
 * Peers that newly appeared (ok now, unknown before) or went stale (ok before, stale now) between two snapshots.
 * The first snapshot of a session is the baseline: no note for what was already there.
 */
export function peerNotes(before: StationSnapshot | null, after: StationSnapshot): Note[] {
  if (!before) return [];
  const was = new Map(before.peers.map((p) => [p.id, p]));
  const name = (p: Peer): string => peerName({ hostname: p.hostname, peer: p.peerId ?? p.id });
  const fresh = after.peers.filter((p) => !was.has(p.id) && p.status === 'ok');
  const stale = after.peers.filter((p) => was.get(p.id)?.status === 'ok' && p.status === 'stale');
  const notes: Note[] = [];
  if (fresh.length) notes.push(peerNote('peer-new', fresh.map(name)));
  if (stale.length) notes.push(peerNote('peer-stale', stale.map(name)));
  return notes;
}

export function peerNote(kind: 'peer-new' | 'peer-stale', names: string[]): Note {
  const list = names.slice(0, 5).join(', ') + (names.length > 5 ? ` and ${names.length - 5} more` : '');
  if (kind === 'peer-new') {
    return { kind, title: names.length === 1 ? 'A station joined the constellation' : `${names.length} stations joined the constellation`, body: list, runId: null, peers: names };
  }
  return { kind, title: names.length === 1 ? 'A station went quiet' : `${names.length} stations went quiet`, body: `${list}: no fresh card (stale).`, runId: null, peers: names };
}

/** Merges a burst: one note per kind, peers lists joined, the latest run note wins. */
export function coalesce(notes: Note[]): Note[] {
  const byKind = new Map<NoteKind, Note>();
  for (const n of notes) {
    const prev = byKind.get(n.kind);
    if (prev && (n.kind === 'peer-new' || n.kind === 'peer-stale')) {
      const names = [...new Set([...(prev.peers ?? []), ...(n.peers ?? [])])];
      byKind.set(n.kind, peerNote(n.kind, names));
    } else {
      byKind.set(n.kind, n);
    }
  }
  // A failure outweighs an older success from the same burst: show the newest run only.
  const runs = notes.filter((n) => n.kind === 'finished' || n.kind === 'failed');
  const newestRun = runs.at(-1);
  return [...byKind.values()].filter((n) => !(n.kind === 'finished' || n.kind === 'failed') || n === newestRun || n.runId === newestRun?.runId);
}

export interface NotifierDeps {
  show: (note: Note) => void;
  prefs: () => NotificationPrefs;
  /** Wait this long after the first note of a burst before showing (gathers the burst). */
  settleMs?: number;
  /** At least this long between two shown bursts. */
  minGapMs?: number;
  clock?: () => number;
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (t: unknown) => void;
}

export interface Notifier {
  push(note: Note | null): void;
  flush(): void;
  dispose(): void;
}

export function createNotifier(deps: NotifierDeps): Notifier {
  const settleMs = deps.settleMs ?? 3_000;
  const minGapMs = deps.minGapMs ?? 30_000;
  const clock = deps.clock ?? Date.now;
  const setTimer = deps.setTimer ?? ((fn: () => void, ms: number) => setTimeout(fn, ms));
  const clearTimer = deps.clearTimer ?? ((t: unknown) => clearTimeout(t as ReturnType<typeof setTimeout>));
  let queue: Note[] = [];
  let timer: unknown = null;
  let lastShown = -Infinity;

  function flush(): void {
    if (timer !== null) clearTimer(timer);
    timer = null;
    const prefs = deps.prefs();
    const due = coalesce(queue).filter((n) => allowed(n.kind, prefs));
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
