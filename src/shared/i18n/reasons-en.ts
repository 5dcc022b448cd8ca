/**
 * The reasons' English: what logs, the history and `--json` write, and the window shows in English. Each entry
 * renders one code (reason.ts); the French catalogue (reasons-fr.ts) has exactly the same codes, checked by the
 * typecheck. Grouped by where the engine says them, the most frequent first. Parameters are raw values
 * (seconds, counts, paths); each language formats them.
 */
import type { Reason, ReasonTools as T } from './reason';
import { shortPeerId } from '../peer-id';

const q = (s: string): string => JSON.stringify(s);
/** A peer named in a live line: a reason (`peer.label`), or the text of lines logged before it was one. */
const who = (w: string | Reason, t: T): string => (typeof w === 'string' ? w : t.reason(w));

export const en = {
  /** Text without a code: said as is (see reason.ts). */
  text: (p: { text: string }, t: T) => t.text(p.text),
  /** `<who>: <why>`: a file, a peer or a relay named before its reason. */
  at: (p: { who: string | Reason; why: Reason }, t: T) => `${typeof p.who === 'string' ? p.who : t.reason(p.who)}: ${t.reason(p.why)}`,
  cancelled: () => 'cancelled',

  // ------------------------------------------------------------ peers (station/peers.ts): why a peer is not synced
  'peer.self': () => 'this station itself',
  'peer.stale': (p: { age: number; staleHours: number }, t: T) => `beacon not refreshed for ${t.age(p.age)} (stale after ${p.staleHours} h)`,
  'peer.loopbackNoTunnel': (p: { url: string }) =>
    `relay ${p.url} is on the peer's own loopback and the peer offers no strfry tunnel (no x_strfry.sh, strfry not in dragon_services)`,
  'peer.resolvesToLoopbackNoTunnel': (p: { url: string; addresses: string[] }) =>
    `relay ${p.url} resolves to ${p.addresses.join(', ')}, a loopback address (the peer's own machine) and the peer offers no strfry tunnel (no x_strfry.sh, strfry not in dragon_services)`,
  'peer.noRelay': () => 'the card has no myRELAY',
  'peer.fallbackCard': (p: { status: string }) => `fallback card (status ${q(p.status)}): the station had not built its card`,
  'peer.picoport': (p: { version: string }) => `picoport card (${p.version}): no relay to sync with`,
  'peer.badCard': (p: { why: Reason }, t: T) => `12345.json: ${t.reason(p.why)}`,
  'peer.noCard': () => 'no 12345.json: not counted as a peer',
  /** A peer named in a reason: `peer 12D3KooW…AbCd (host)`. */
  'peer.label': (p: { id: string; host: string | null }) => `peer ${shortPeerId(p.id)}${p.host ? ` (${p.host})` : ''}`,

  // ------------------------------------------------------------ a peer in a sync (sync/run.ts): why it failed, the most frequent first
  /** A peer named once before its reason: `peer 12D3KooW…AbCd (host): <why>` (the id said short: see shared/peer-id.ts). */
  'peer.named': (p: { id: string; host: string | null; why: Reason }, t: T) => `peer ${shortPeerId(p.id)}${p.host ? ` (${p.host})` : ''}: ${t.reason(p.why)}`,
  'peer.timeLimit': (p: { seconds: number }) => `the peer's session ran past its time limit (${p.seconds} s) and was stopped`,
  'peer.cutAtDeadline': (p: { seconds: number }) => `cut at the run's deadline (${p.seconds} s, setting runDeadlineSeconds)`,
  'peer.notStarted': (p: { seconds: number }) => `not started: the run's deadline (${p.seconds} s, setting runDeadlineSeconds) had passed`,
  'peer.cancelledBeforeStart': () => 'cancelled before it started',
  /** A reason said again on a later attempt of the same peer. */
  'peer.willRetry': (p: { why: Reason }, t: T) => `${t.reason(p.why)} (will retry)`,

  // ------------------------------------------------------------ the way to a peer (kubo/tunnels.ts, kubo/probe.ts)
  'tunnel.unreachable': (p: { why: Reason }, t: T) => `not reachable over IPFS (${t.reason(p.why)})`,
  /** kubo's own words as text (`detail`), or ours as a reason. */
  'tunnel.kuboPing': (p: { detail: string | Reason }, t: T) => `kubo ping: ${typeof p.detail === 'string' ? t.text(p.detail) : t.reason(p.detail)}`,
  'tunnel.kuboNoWay': (p: { ms: number }) => `kubo found no way to the peer within ${p.ms} ms`,
  'tunnel.relaySilent': (p: { why: Reason }, t: T) => `tunnel opened but the peer's relay did not answer through it: ${t.reason(p.why)}`,
  'tunnel.refused': (p: { why: Reason }, t: T) => `tunnel refused by kubo: ${t.reason(p.why)}`,
  'tunnel.noFreePort': (p: { tries: number; why: Reason }, t: T) => `tunnel refused by kubo: no free local port after ${p.tries} tries (${t.reason(p.why)})`,
  'tunnel.notPeerId': (p: { value: string }) => `peer ${q(p.value)}: not a PeerID, no tunnel`,
  'tunnel.notSyncable': (p: { why: Reason | null }, t: T) => `not syncable: ${p.why ? t.reason(p.why) : 'no usable relay'}`,
  'tunnel.lanTrying': (p: { url: string; why: Reason }, t: T) =>
    `private-network relay ${p.url} did not answer directly (${t.reason(p.why)}); trying the IPFS tunnel`,
  'tunnel.lanNoTunnel': (p: { url: string; why: Reason }, t: T) =>
    `private-network relay ${p.url} did not answer directly (${t.reason(p.why)}) and the peer offers no strfry tunnel`,
  'tunnel.loopbackNoTunnel': (p: { url: string }) => `relay ${p.url} is on the peer's loopback and the peer offers no strfry tunnel`,
  // ------------------------------------------------------------ kubo's RPC API (kubo/rpc.ts, tunnels.ts)
  'kubo.cancelled': (p: { call: string }) => `kubo ${p.call}: cancelled`,
  'kubo.timeout': (p: { api: string; call: string; ms: number }) => `kubo API at ${p.api} did not answer ${p.call} within ${p.ms} ms`,
  'kubo.unreachable': (p: { api: string; detail: string }, t: T) => `kubo API at ${p.api} is not reachable (${t.text(p.detail)})`,
  /** kubo's own words (`message`) stay as kubo wrote them. */
  'kubo.unauthorized': (p: { call: string; status: number; message: string }) =>
    `kubo refused ${p.call} (HTTP ${p.status}: check the kubo API authorization setting)${p.message ? `: ${p.message}` : ''}`,
  'kubo.failed': (p: { call: string; status: number; message: string }) => `kubo ${p.call} failed (HTTP ${p.status})${p.message ? `: ${p.message}` : ''}`,
  'kubo.notJson': (p: { call: string; text: string }) => `kubo ${p.call}: answer is not JSON (${p.text})`,
  'kubo.noId': () => 'kubo id: answer has no ID',
  'kubo.listenersNotList': () => 'kubo p2p/ls: Listeners is not a list',
  'kubo.closeNeedsTarget': () => 'p2p/close needs a listen address or a protocol and target',
  'kubo.pingNotFound': () => 'peer not found (kubo could not look it up)',
  'kubo.pingNone': () => 'no ping answered',
  'kubo.noFreePort': (p: { host: string }) => `no free port on ${p.host}`,
  /** Named by peer.named: `peer 12D3KooW…AbCd (host): tunnel open on 127.0.0.1:<port>`. */
  'tunnel.opened': (p: { port: number }) => `tunnel open on 127.0.0.1:${p.port}`,
  'tunnel.leftoverClosed': (p: { protocol: string; listen: string }) => `closed a tunnel left open by an earlier run: ${p.protocol} on ${p.listen}`,
  'tunnel.closeFailed': (p: { listen: string; why: Reason }, t: T) =>
    `could not close the tunnel ${p.listen} (${t.reason(p.why)}); it will be closed at the next start`,
  'tunnel.releaseFailed': (p: { why: Reason }, t: T) => `releasing the tunnel failed: ${t.reason(p.why)}`,

  'probe.noAnswer': (p: { what: 'relay' | 'websocket'; ms: number }) => `no ${p.what === 'relay' ? 'relay answer' : 'WebSocket answer'} within ${p.ms} ms`,
  'probe.closedBefore': (p: { what: 'relay' | 'websocket'; why: Reason }, t: T) =>
    `${t.reason(p.why)}, before the ${p.what === 'relay' ? 'relay answer' : 'WebSocket answer'}`,
  'probe.failed': (p: { detail: string }) => `connection failed (${p.detail})`,
  'probe.notNostr': () => 'the other end does not speak Nostr (a message that is not JSON)',
  'probe.invalidUrl': (p: { url: string; detail: string }, t: T) => `invalid URL ${p.url}: ${t.text(p.detail)}`,

  // ------------------------------------------------------------ a relay connection (nostr/relay.ts, negentropy.ts)
  /** A relay named before its reason: `ws://127.0.0.1:7777: <why>`. */
  'relay.at': (p: { url: string; why: Reason }, t: T) => `${p.url}: ${t.reason(p.why)}`,
  'relay.cannotConnect': (p: { why: Reason }, t: T) => `cannot connect: ${t.reason(p.why)}`,
  'relay.refused': () => 'connection refused (nothing listens there: relay down or tunnel closed)',
  'relay.reset': () => 'connection reset by the other end (the relay or the tunnel went away)',
  'relay.brokenPipe': () => 'connection broken while sending (the other end went away)',
  'relay.netTimeout': () => 'connection timed out at the network level',
  'relay.tooLargeMessage': (p: { max: number }) => `relay sent a message larger than ${p.max} bytes (our limit), connection dropped`,
  'relay.badUtf8': () => 'relay sent text that is not valid UTF-8, connection dropped',
  'relay.protocol': (p: { detail: string }, t: T) => `relay broke the WebSocket protocol (${t.text(p.detail)}), connection dropped`,
  'relay.closedByRelay': (p: { detail: string }) => `connection closed by the relay${p.detail ? `: ${p.detail}` : ''}`,
  'relay.goingAway': (p: { detail: string }) => `relay is going away (restart or shutdown)${p.detail ? `: ${p.detail}` : ''}`,
  'relay.closedAbruptly': () => 'connection closed abruptly (no close frame: the relay, the tunnel or the network cut it)',
  'relay.policy': (p: { detail: string }) => `relay closed the connection: policy violation${p.detail ? `: ${p.detail}` : ''}`,
  'relay.tooBigForIt': (p: { detail: string }) => `relay closed the connection: a message was too big for it${p.detail ? `: ${p.detail}` : ''}`,
  'relay.internalError': (p: { detail: string }) => `relay closed the connection after an internal error${p.detail ? `: ${p.detail}` : ''}`,
  'relay.closedCode': (p: { code: number; detail: string }) => `connection closed (code ${p.code}${p.detail ? `: ${p.detail}` : ''})`,
  'relay.noConnection': (p: { ms: number }) => `no connection after ${p.ms} ms`,
  'relay.closedByUs': () => 'connection closed by us',
  'relay.notRelay': (p: { status: number }) => `not a relay (HTTP ${p.status} instead of a WebSocket)`,
  'relay.overMaxMessage': (p: { size: number; max: number }) => `message of ${p.size} bytes is over the relay's max_message_length ${p.max}`,
  'relay.silent': (p: { eose: boolean; ms: number; notice: string | null }) =>
    `relay went silent: no ${p.eose ? 'EOSE' : 'answer to a REQ'} for ${p.ms} ms${p.notice ? ` (its last NOTICE: "${p.notice}")` : ''}`,
  'relay.noOk': (p: { id: string; ms: number }) => `no OK for event ${p.id} after ${p.ms} ms`,
  /** A relay's own refusal (CLOSED, NOTICE, NEG-ERR): its words are the relay's. */
  'relay.refusal': (p: { via: string; text: string }) => `${p.via} ${p.text}`,
  /** `detail`: a reason, or the text of one written before negentropy's reasons had codes. */
  'relay.negFailed': (p: { detail: string | Reason }, t: T) => `negentropy reconcile failed: ${typeof p.detail === 'string' ? t.text(p.detail) : t.reason(p.detail)}`,
  'relay.negSilent': (p: { ms: number }) => `relay went silent during the NIP-77 reconciliation: no NEG-MSG for ${p.ms} ms`,

  // ------------------------------------------------------------ a peer's negentropy messages it cannot read (nostr/negentropy-client.ts)
  'neg.notHex': () => 'NEG-MSG payload is not hex',
  'neg.cutShort': () => 'negentropy: parse ended prematurely',
  'neg.varintTooLarge': () => 'negentropy: varint too large',
  'neg.badVersion': (p: { byte: number }) => `invalid negentropy protocol version byte (0x${p.byte.toString(16).padStart(2, '0')})`,
  'neg.unsupportedVersion': (p: { version: number }) => `unsupported negentropy protocol version requested: ${p.version}`,
  'neg.unexpectedMode': (p: { mode: number }) => `negentropy: unexpected mode ${p.mode}`,
  'neg.boundTooLong': (p: { length: number; max: number }) => `negentropy: bound key too long (${p.length} bytes, at most ${p.max})`,

  // ------------------------------------------------------------ a relay's host name (util/net.ts)
  'dns.timeout': (p: { host: string; ms: number }) => `${p.host} did not resolve within ${p.ms} ms`,
  /** `code`: the resolver's (ENOTFOUND, EAI_AGAIN), or its message when it has none. */
  'dns.notFound': (p: { host: string; code: string }, t: T) => `${p.host} does not resolve (${t.text(p.code)})`,
  'dns.reserved': (p: { host: string }) => `${p.host} is a reserved name that never resolves`,
  'dns.loopbackName': (p: { host: string; address: string }) =>
    `${p.host} resolves to ${p.address}, this machine's loopback: a peer's relay there is reached only through its IPFS tunnel; not dialled`,
  'dns.noAddress': (p: { host: string }) => `${p.host} has no address`,

  // ------------------------------------------------------------ a relay's NIP-11 document (nostr/nip11.ts) and its NIP-77 probe (negentropy.ts)
  'nip11.timeout': (p: { ms: number }) => `no NIP-11 document after ${p.ms} ms`,
  'nip11.fetchFailed': (p: { why: Reason }, t: T) => `NIP-11 fetch failed: ${t.reason(p.why)}`,
  'nip11.redirect': (p: { status: number; to: string | null }) => `NIP-11 answered with a redirect (HTTP ${p.status}${p.to ? ` to ${p.to}` : ''}): not followed`,
  'nip11.http': (p: { status: number }) => `NIP-11 answered HTTP ${p.status}`,
  'nip11.tooLarge': (p: { size: number; max: number }) => `NIP-11 document of ${p.size} bytes, larger than ${p.max}: not read`,
  'nip11.tooLargeRead': (p: { max: number }) => `NIP-11 document larger than ${p.max} bytes: not read further`,
  'nip11.notJson': (p: { detail: string }, t: T) => `NIP-11 document is not JSON (${t.text(p.detail)})`,
  'nip11.notObject': () => 'NIP-11 document is not JSON (not an object)',
  'nip11.invalidUrl': () => 'not a valid URL',
  'nip11.cutShort': () => 'connection closed before the end of the document',
  'nip77.answered': () => 'NEG-MSG answered',
  'nip77.noAnswer': (p: { ms: number }) => `no NEG-MSG answer within ${p.ms} ms`,
  'nip77.refused': (p: { why: Reason }, t: T) => `NIP-77 refused: ${t.reason(p.why)}`,
  'nip77.remembered': () => 'remembered: no NIP-77',

  // ------------------------------------------------------------ what a peer may cost (sync/bounds.ts): a bound met
  'bound.peerMaxEvents': (p: { max: number }) => `the peer sent more than ${p.max} events in this run (bound peerMaxEvents); cut, what it sent before is kept`,
  'bound.peerMaxMegabytes': (p: { mb: number; bound: string }) => `the relay sent more than ${p.mb} MB in this run (bound ${p.bound}); cut`,
  'bound.negMaxRounds': (p: { max: number }) => `the NIP-77 reconciliation did not end within ${p.max} NEG-MSG exchanges (bound negMaxRounds)`,
  'bound.negMaxNeed': (p: { max: number }) => `the peer said we lack more than ${p.max} ids in one NIP-77 reconciliation (bound negMaxNeed)`,
  /** A reconciliation capped by a bound: the filter's window paged instead (a note, the peer did not fail). */
  'bound.pagedInstead': (p: { why: Reason }, t: T) => `${t.reason(p.why)}: its window was paged instead`,
  'sync.pagingFlood': () => 'paging stopped: the peer kept sending new events all dated the same second',

  // ------------------------------------------------------------ the local store taking what peers sent (sync/import-pipe.ts)
  'import.failed': (p: { why: Reason }, t: T) => `import into the local relay failed: ${t.reason(p.why)}`,
  'import.shortAnswer': (p: { answered: number; sent: number; store: string }) =>
    `the local store answered for ${p.answered} of ${p.sent} events sent to it (${p.store}); the rest are not counted as held`,
  'store.local': (p: { why: Reason }, t: T) => `local relay: ${t.reason(p.why)}`,
  /** strfry's own words (`detail`) stay as strfry wrote them. */
  'strfry.cannotRun': (p: { what: string; bin: string; hint: 'missing' | 'notExecutable' | null; detail: string }, t: T) =>
    `strfry ${p.what}: cannot run ${p.bin}${p.hint === 'missing' ? ' (no such file)' : p.hint === 'notExecutable' ? ' (not executable)' : ''}: ${t.text(p.detail)}`,
  /** A local strfry's output this reader does not understand: said with the binary and its config. */
  'strfry.at': (p: { bin: string; conf: string; why: Reason }, t: T) => `${t.reason(p.why)} (${p.bin}, config ${p.conf})`,
  'strfry.scanNotJson': (p: { what: string; bin: string; line: string }) => `strfry ${p.what} (${p.bin}) printed a line that is not JSON: ${p.line}`,
  'strfry.countNoNumber': (p: { bin: string; out: string }) => `strfry scan --count (${p.bin}) printed no number: ${q(p.out)}`,
  'strfry.importNoDone': () => 'strfry import finished but printed no "Done. Processed … dups" line; cannot count what it stored',
  'strfry.importShortRead': (p: { read: number; sent: number; processed: number; unparsed: number }) =>
    `strfry import read ${p.read} of the ${p.sent} lines sent to it (${p.processed} processed, ${p.unparsed} not JSON)`,
  'strfry.importCountsOff': (p: { problems: Reason[]; done: string }, t: T) => `strfry import printed counts that do not add up (${t.join(p.problems)}): ${p.done}`,
  'strfry.countsOver': (p: { sum: number; processed: number }) => `added + rejected + dups (${p.sum}) is more than processed (${p.processed})`,
  'strfry.countsCommitted': (p: { committed: number; added: number }) => `the Committed lines add up to ${p.committed}, not ${p.added}`,
  'strfry.countsWriter': (p: { added: number; dups: number }) => `the Writer lines say ${p.added} added and ${p.dups} dups`,
  'strfry.countsRest': (p: { rest: number; replaced: number; deleted: number }) =>
    `${p.rest} events are in no count but the Writer lines say ${p.replaced} replaced and ${p.deleted} deleted`,
  /** `committed`: what strfry had stored before it stopped (null when its log did not say). */
  'strfry.failed': (p: { what: string; bin: string; conf: string; signal: string | null; code: number | null; detail: string; committed: number | null; sent: number }, t: T) =>
    `strfry ${p.what} (${p.bin}, config ${p.conf}) ${p.signal ? `was killed by ${p.signal}` : `failed with exit code ${p.code}`}: ${t.text(p.detail)}` +
    (p.committed !== null ? `; it had stored ${p.committed} of the ${p.sent} events before stopping` : ''),

  /** A strfry binary another user or station could have put there (store/strfry-store.ts, checkStrfryBinary). */
  'strfry.binInSwarm': (p: { bin: string; swarm: string }) =>
    `strfry binary ${p.bin} is inside the swarm folder ${p.swarm} (files published by other stations): refusing to run it; set another path with --strfry-bin, CONSTELLATION_STRFRY_BIN or "strfryBin" in settings.json`,
  'strfry.binUnsafe': (p: { bin: string; target: string; why: Reason }, t: T) =>
    `strfry binary ${p.bin} ${t.reason(p.why)}: refusing to run it; make it yours and not writable by others (chmod go-w ${p.target})`,
  'strfry.binFolderUnsafe': (p: { bin: string; dir: string; why: Reason }, t: T) =>
    `strfry binary ${p.bin} is in the folder ${p.dir}, which ${t.reason(p.why)}: refusing to run it; chmod go-w ${p.dir}, or install strfry elsewhere`,
  'unsafe.otherOwner': (p: { uid: number }) => `belongs to another user (uid ${p.uid})`,
  'unsafe.everyone': (p: { mode: string }) => `can be written by every user (mode ${p.mode})`,
  'unsafe.sharedGroup': (p: { mode: string; gid: number }) => `can be written by a group other users are in (mode ${p.mode}, gid ${p.gid})`,

  // ------------------------------------------------------------ a run's outcome (sync/run.ts)
  'run.cancelled': () => 'cancelled by the captain',
  'run.peersFailed': (p: { failed: number; total: number; deadline: number | null }) =>
    `${p.failed} of ${p.total} ${p.total === 1 ? 'peer' : 'peers'} failed${p.deadline !== null ? `; the run's deadline (${p.deadline} s, setting runDeadlineSeconds) passed` : ''}`,
  'run.failed': (p: { id: string; why: Reason }, t: T) => `sync ${p.id} failed: ${t.reason(p.why)}`,
  'run.deadlineCut': (p: { id: string; seconds: number }) => `sync ${p.id}: the run's deadline (${p.seconds} s, setting runDeadlineSeconds) passed: unfinished peers were cut`,
  'run.profilesSkipped': (p: { seconds: number }) => `profile phase skipped: the run's deadline (${p.seconds} s, setting runDeadlineSeconds) has passed`,
  'run.profilesFailed': (p: { why: Reason }, t: T) => `profile phase failed: ${t.reason(p.why)}`,
  /** The sync window in words. */
  'sync.window': (p: { days: number }) => (p.days === 0 ? 'everything' : p.days === 1 ? 'the last day' : `the last ${p.days} days`),
  'run.starting': (p: { id: string; peers: number; members: number; window: Reason }, t: T) =>
    `sync ${p.id}: ${p.peers} ${p.peers === 1 ? 'peer' : 'peers'}, ${p.members} members, window: ${t.reason(p.window)}`,
  /** `outcome`: the report's (success, partial, failed, cancelled). */
  'run.summary': (p: { id: string; outcome: string; imported: number; duplicates: number; rejected: number; superseded: number; ok: number; total: number }) =>
    `sync ${p.id}: ${p.outcome}; imported ${p.imported}, duplicates ${p.duplicates}, rejected ${p.rejected}, superseded or deleted ${p.superseded}; peers ${p.ok}/${p.total}`,
  /** A peer's session that ended well (after `peer.named`). */
  'sync.peerDone': (p: { method: 'nip77' | 'req'; fetched: number; imported: number }) => `${p.method}, fetched ${p.fetched}, imported ${p.imported}`,
  /** What the share side sent a peer, and how it answered (after `peer.named`); `refused`: the peer's own words, counted. */
  'sync.shared': (p: { offered: number; accepted: number; duplicates: number; refused: string[]; unanswered: number }) => {
    const parts = [
      `${p.accepted} accepted`,
      p.duplicates ? `${p.duplicates} already held` : '',
      p.refused.length ? `refused: ${p.refused.join(', ')}` : '',
      p.unanswered ? `${p.unanswered} unanswered` : '',
    ];
    return `sent ${p.offered} members' event(s) it lacked (${parts.filter(Boolean).join('; ')})`;
  },
  /** One line of a dry run's plan (its text in runs logged before the plan had codes). */
  'run.dryRunLine': (p: { line: string | Reason }, t: T) => `dry run: ${typeof p.line === 'string' ? t.text(p.line) : t.reason(p.line)}`,
  // the plan's lines (a dry run, a report)
  'plan.window': (p: { window: Reason; members: number; noDms: boolean; verify: boolean }, t: T) =>
    `window: ${t.reason(p.window)}; ${p.members} members; ${p.noDms ? 'no DMs; ' : ''}${p.verify ? 'signatures verified' : 'signatures NOT verified (--no-verify: forged events are stored as they come)'}`,
  /** `store`: the local store's description (`strfry <bin> (config <conf>)`, `relay <url>`). */
  'plan.store': (p: { store: string }, t: T) => `local store: ${t.text(p.store)}`,
  'plan.peer': (p: { id: string; host: string | null; route: string; url: string | null }) => `peer ${p.id} (${p.host ?? 'no hostname'}): ${p.route} ${p.url ?? ''}`,
  /** One filter asked of every peer: its pass, kinds, authors and start (ISO). */
  'plan.filter': (p: { pass: string; kinds: number[] | null; authors: number | null; since: string | null }) =>
    `  ${p.pass}: ${[
      ...(p.kinds ? [p.kinds.length > 6 ? `${p.kinds.length} kinds` : `kinds ${p.kinds.join(',')}`] : []),
      p.authors !== null ? `${p.authors} authors` : 'no authors',
      p.since !== null ? `since ${p.since}` : 'everything',
    ].join(', ')}`,
  'plan.skipped': (p: { id: string; why: Reason }, t: T) => `skipped ${p.id}: ${t.reason(p.why)}`,
  'run.noPeer': () => 'no syncable peer in the swarm folder: nothing to sync from',
  'run.memoryNotSaved': (p: { why: Reason }, t: T) => `cannot save the peer memory: ${t.reason(p.why)}`,
  'run.profilesNotRefreshed': (p: { why: Reason }, t: T) => `profiles index not refreshed: ${t.reason(p.why)}`,
  'run.graphNotRecomputed': (p: { why: Reason }, t: T) => `graph not recomputed: ${t.reason(p.why)}`,
  /** What the run knew a peer holds (sync-state): unreadable, or not saved. */
  'known.unreadable': (p: { path: string; why: Reason }, t: T) => `${p.path}: ${t.reason(p.why)}; starting over with a full reconciliation`,
  'known.notSaved': (p: { why: Reason }, t: T) => `cannot save what it holds: ${t.reason(p.why)}`,
  'history.notSaved': (p: { id: string; why: Reason }, t: T) => `cannot save run ${p.id} in the history: ${t.reason(p.why)}`,
  'sync.alreadyRunning': (p: { id: string }) => `a sync is already running in this app (run ${p.id})`,
  'station.stampNotWritten': (p: { path: string; why: Reason }, t: T) => `cannot write the station's last-run stamp ${p.path}: ${t.reason(p.why)}`,
  'known.badMagic': () => 'not a known-ids file (bad magic)',
  'known.truncated': () => 'truncated known-ids file',
  'history.damaged': (p: { path: string }) => `history index ${p.path} is damaged; starting a new one`,
  'history.unreadable': (p: { path: string; why: Reason }, t: T) => `cannot read the history index ${p.path}: ${t.reason(p.why)}`,

  // ------------------------------------------------------------ station files (card, moats, members, self, read)
  'card.invalidJson': (p: { detail: string }, t: T) => `invalid JSON (${t.text(p.detail)})`,
  'card.notObject': () => 'not a JSON object',
  'card.badKey': (p: { field: string }) => `${p.field} is not a 64-hex key; ignored`,
  'card.peerIdMismatch': (p: { peerId: string }) => `ipfsnodeid ${p.peerId} differs from the folder name`,
  'moats.unusable': (p: { why: Reason }, t: T) => `${t.reason(p.why)}: freshness unknown`,
  'moats.empty': () => 'empty',
  'moats.notTimestamp': (p: { value: string }) => `not a timestamp (${q(p.value)})`,
  'moats.badDate': (p: { value: string }) => `not a valid date (${p.value})`,
  'moats.unknownFormat': (p: { digits: number }) => `unknown timestamp format (${p.digits} digits)`,
  'swarm.tooMany': (p: { max: number }) => `more than ${p.max} beacon folders: the rest is ignored`,
  'swarm.notFolder': (p: { entry: 'file' | 'other' }) =>
    `${p.entry === 'file' ? 'a file' : 'not a folder (FIFO, socket or device)'}, not a beacon folder; ignored`,
  'members.notFolder': (p: { entry: 'file' | 'other' }) =>
    `${p.entry === 'file' ? 'a file' : 'not a folder (FIFO, socket or device)'} where a member folder is expected; ignored`,
  'members.emptyHex': () => 'empty: no key in it, the folder is not counted as a member',
  'members.badLines': (p: { count: number; lines: number[]; more: number; binary: number }) => {
    const one = p.count === 1;
    const more = p.more > 0 ? `, … ${p.more} more` : '';
    const binary = p.binary > 0 ? ` (${p.binary} with binary or non-UTF-8 bytes)` : '';
    return `${p.count} line${one ? ' is' : 's are'} not a 64-hex key (line${one ? '' : 's'} ${p.lines.join(', ')}${more})${binary}; ignored`;
  },
  'self.noPeerId': () => 'no valid Identity.PeerID',
  'self.invalidJson': () => 'invalid JSON',
  'self.severalBeacons': (p: { folders: string[]; chosen: string }) => `several beacon folders (${p.folders.join(', ')}); using ${p.chosen}`,
  'file.missing': () => 'missing',
  'file.rootNotFolder': () => 'the station root is not a folder',
  'file.pathNotFolder': () => 'a folder on the way is not a folder',
  'file.brokenLink': () => 'broken symlink',
  'file.linkLoop': () => 'symlink loop',
  'file.linkOutside': () => 'symlink pointing outside the station root, refused',
  'file.secretLink': () => 'symlink to a private-key file, refused',
  'file.secretRefused': (p: { name: string }) => `refusing to open a private-key file (${p.name})`,
  'file.becameLink': () => 'became a symlink while being read, refused',
  'file.cannotResolve': (p: { detail: string }, t: T) => `cannot resolve (${t.text(p.detail)})`,
  'file.cannotList': (p: { detail: string }, t: T) => `cannot list (${t.text(p.detail)})`,
  'file.cannotOpen': (p: { detail: string }, t: T) => `cannot open (${t.text(p.detail)})`,
  'file.notFolder': () => 'not a folder',
  'file.binary': () => 'binary content (NUL bytes)',
  'file.notUtf8': () => 'not UTF-8 text',
  'file.permission': () => 'not readable (permission denied)',
  'file.isFolder': () => 'a folder, not a file',
  'file.notRegular': () => 'not a regular file',
  'file.tooLarge': (p: { size: number; limit: number }) => `too large (${p.size} bytes, limit ${p.limit})`,
  'file.tooLargeOver': (p: { limit: number }) => `too large (over ${p.limit} bytes)`,
  'watch.polling': (p: { path: string; detail: string }, t: T) => `watching ${p.path} failed (${t.text(p.detail)}); polling it instead`,

  // ------------------------------------------------------------ the station root
  'station.missing': (p: { root: string }) => `no station at ${p.root}: the folder does not exist (check --zen-root or the station root in Settings)`,
  'station.rereadFailed': (p: { root: string; why: Reason }, t: T) => `station ${p.root}: re-reading after a change failed: ${t.reason(p.why)}`,
  'station.empty': (p: { root: string }) =>
    `no station at ${p.root}: it holds no tmp/, strfry/ or game/ folder (check --zen-root or the station root in Settings)`,

  // ------------------------------------------------------------ what the local relay holds (station/stats.ts)
  'stats.counted': (p: { store: string }) => `count through ${p.store}`,
  'stats.cannotCount': (p: { store: string }) => `${p.store}: cannot count events`,
  'stats.countFailed': (p: { store: string; why: Reason }, t: T) => `${p.store}: count failed (${t.reason(p.why)})`,
  'stats.noStore': (p: { why: Reason }, t: T) => `no local store: ${t.reason(p.why)}`,

  // ------------------------------------------------------------ relay URLs (station/route.ts)
  'url.empty': () => 'empty relay URL',
  'url.tooLong': (p: { max: number }) => `relay URL longer than ${p.max} characters`,
  'url.invalid': (p: { url: string }) => `relay URL ${q(p.url)} is not a valid URL`,
  'url.notWs': (p: { url: string }) => `relay URL ${q(p.url)} is not a ws:// or wss:// URL`,
  'url.noHost': (p: { url: string }) => `relay URL ${q(p.url)} has no host`,
  'url.credentials': (p: { url: string }) => `relay URL ${q(p.url)} carries credentials, refused`,
  'url.query': (p: { url: string }) => `relay URL ${q(p.url)} carries a query string, refused`,
  'url.fragment': (p: { url: string }) => `relay URL ${q(p.url)} carries a fragment, refused`,
  'url.path': (p: { url: string }) => `relay URL ${q(p.url)} has a path beyond /, refused`,

  // ------------------------------------------------------------ service checks (info.ts)
  'service.noAnswer': (p: { ms: number }) => `no answer within ${p.ms} ms`,
  'service.invalidUrl': (p: { detail: string }, t: T) => `invalid relay URL: ${t.text(p.detail)}`,
  'service.kuboHttp': (p: { status: number }) => `kubo answered HTTP ${p.status}`,

  // ------------------------------------------------------------ settings and the contract's input checks
  /** CONSTELLATION_TIMEOUTS (config.ts): timeouts given to the command in its environment. */
  'timeouts.notJson': (p: { text: string }) => `CONSTELLATION_TIMEOUTS is not JSON (${p.text}): give an object of timeouts in ms, e.g. {"kuboPing":3000}`,
  'timeouts.notObject': () => 'CONSTELLATION_TIMEOUTS must be an object of timeouts in ms, e.g. {"kuboPing":3000}',
  'timeouts.unknown': (p: { name: string; known: string[] }) => `CONSTELLATION_TIMEOUTS: no timeout named ${q(p.name)} (known: ${p.known.join(', ')})`,
  'timeouts.notPositive': (p: { name: string }) => `CONSTELLATION_TIMEOUTS: ${p.name} must be a positive number`,
  'settings.invalid': (p: { issues: Reason[] }, t: T) => `invalid settings: ${t.join(p.issues)}`,
  'settings.captainOnly': (p: { key: string; flag: string; env: string; path: string }) =>
    `settings refused: ${p.key} is not changed from the window or the web API (it decides which program runs); set it on the station: ${p.flag}, ${p.env}, or "${p.key}" in ${p.path}`,
  'settings.tightened': (p: { path: string }) => `${p.path} was readable by other users (it holds kuboAuth): made private (0600)`,
  'settings.fileIgnored': (p: { path: string; issues: Reason[] }, t: T) => `${p.path}: ignored, ${t.join(p.issues)}`,
  'settings.fileNotJson': (p: { path: string; detail: string }, t: T) => `${p.path}: ignored, not valid JSON (${t.text(p.detail)})`,
  'settings.fileUnreadable': (p: { path: string; detail: string }, t: T) => `${p.path}: ${t.text(p.detail)}`,
  'contract.invalidInput': (p: { call: string; issues: Reason[] }, t: T) => `${p.call}: invalid input: ${t.join(p.issues)}`,
  'contract.invalidOutput': (p: { call: string; issues: Reason[] }, t: T) => `${p.call}: invalid answer from the engine: ${t.join(p.issues)}`,
  'contract.invalidEvent': (p: { event: string; issues: Reason[] }, t: T) => `${p.event}: invalid event payload: ${t.join(p.issues)}`,
  'contract.unknownCall': (p: { call: string }) => `unknown call ${p.call}`,
  /** One field's problem: `relayUrl: a ws:// or wss:// URL`. */
  'input.field': (p: { path: string; why: Reason }, t: T) => `${p.path}: ${t.reason(p.why)}`,
  'input.wsUrl': () => 'a ws:// or wss:// URL',
  'input.httpUrl': () => 'an http:// or https:// URL',
  'input.hex64': () => 'a 64-character lower-case hex key',
  'input.zenRootEmpty': () => 'the station root cannot be empty',
  'input.daysNegative': () => 'days must be 0 (everything) or more',
  'input.noKind': () => 'choose at least one kind',
  /** A schema's generic check (zod): English is zod's own message; the other languages render the parameters. */
  'input.check': (p: { text: string; check: string; origin?: string; limit?: number; inclusive?: boolean; expected?: string; received?: string; values?: string[] }) => p.text,

  // ------------------------------------------------------------ profiles (profiles/*.ts)
  'profiles.noPeerHolds': () => 'no peer holds its profile',
  'profiles.noFallback': () => 'no fallback relay configured',
  'profiles.noSyncablePeer': () => 'no syncable peer',
  'profiles.noReachablePeer': (p: { count: number }) =>
    `${p.count === 1 ? 'the only syncable peer was' : `the ${p.count} syncable peers were`} not reachable in this run's sync: not asked again`,
  'profiles.notFound': () => 'not found',
  'profiles.fullSync': (p: { peer: Reason; events: number }, t: T) => `${t.reason(p.peer)}: full sync, ${p.events} events`,
  'profiles.fallbackFound': (p: { url: string }) => `fallback relay ${p.url}: kind 0`,
  'profiles.fallbackNone': (p: { url: string }) => `fallback relay ${p.url}: no kind 0`,
  'profiles.fallbackFailed': (p: { url: string; why: Reason }, t: T) => `fallback relay ${p.url}: ${t.reason(p.why)}`,
  'profiles.noAnswer': (p: { ms: number }) => `no answer within ${p.ms} ms (timeouts.profile)`,
  'profiles.noWay': (p: { peer: Reason; why: Reason }, t: T) => `${t.reason(p.peer)}: no way to its relay: ${t.reason(p.why)}`,
  'profiles.cannotConnect': (p: { peer: Reason; url: string; why: Reason }, t: T) => `${t.reason(p.peer)}: cannot connect to ${p.url}: ${t.reason(p.why)}`,
  'profiles.gone': (p: { peer: Reason }, t: T) => `${t.reason(p.peer)}: its profile was gone by the full sync`,
  'profiles.fullSyncTimeout': (p: { ms: number }) => `no end of the full sync within ${p.ms} ms (timeouts.profile)`,
  'profiles.profileOnly': (p: { peer: Reason; why: Reason }, t: T) => `${t.reason(p.peer)}: profile only, full sync failed: ${t.reason(p.why)}`,
  'profiles.importFailed': (p: { why: Reason }, t: T) => `import into the local relay failed: ${t.reason(p.why)}`,
  'profiles.still': (p: { whys: Reason[] }, t: T) => t.join(p.whys),
  'profiles.dryRun': (p: { peers: number; fallbacks: number }) => `dry run: would be asked of ${p.peers} peer(s), then ${p.fallbacks} fallback relay(s)`,
  'profiles.refused': (p: { count: number; reasons: string[] }, t: T) => `profiles: ${p.count} events refused by the local relay (${p.reasons.map((r) => t.text(r)).join(', ')})`,
  'profiles.outsideRoot': (p: { dir: string; real: string; root: string }) =>
    `profile export: ${p.dir} resolves to ${p.real}, outside the station root ${p.root}; not written`,
  'profiles.exportFailed': (p: { why: Reason }, t: T) => `profiles: cannot write the station export: ${t.reason(p.why)}`,
  'profiles.stillMissing': (p: { count: number; total: number; whys: Reason[] }, t: T) =>
    `profiles: ${t.count(p.count, { one: '# member', other: '# members' })} of ${p.total} still without a profile (${t.join(p.whys)})`,

  'profiles.exported': (p: { count: number; json: string; csv: string }) => `profiles: export written (${p.count} members) to ${p.json} and ${p.csv}`,
  'profiles.recovering': (p: { missing: number; members: number }) => `profiles: ${p.missing} of ${p.members} members have no profile in the local relay; recovering`,

  // ------------------------------------------------------------ the graph (graph/*.ts)
  'graph.notHex': (p: { value: string }) => `graph: ${q(p.value)} is not a 64-character hex key`,
  'graph.workerMissing': (p: { built: string; source: string }) => `the graph worker is missing: neither ${p.built} nor ${p.source} exists (broken install?)`,
  'graph.workerFailed': (p: { job: string; why: Reason }, t: T) => `graph worker (${p.job}) failed: ${t.reason(p.why)}`,
  'graph.workerCrashed': (p: { job: string; detail: string }, t: T) => `graph worker (${p.job}) crashed: ${t.text(p.detail)}`,
  'graph.workerExited': (p: { job: string; exitCode: number }) => `graph worker (${p.job}) exited with code ${p.exitCode} before answering`,
  'graph.recomputeFailed': (p: { why: Reason }, t: T) => `graph: recompute after the sync failed: ${t.reason(p.why)}`,
  'graph.savedOld': (p: { file: string }) => `graph: ${p.file} is not a saved reach of this version; it will be rewritten after the next computation`,
  'graph.cannotRead': (p: { file: string; detail: string }, t: T) => `graph: cannot read ${p.file}: ${t.text(p.detail)}`,
  'graph.unreadable': (p: { file: string; detail: string }, t: T) => `graph: ${p.file} is unreadable (${t.text(p.detail)}); it will be rewritten after the next computation`,
  'graph.cannotSave': (p: { file: string; detail: string }, t: T) => `graph: cannot save ${p.file}: ${t.text(p.detail)} (the reach stays in memory)`,
  'graph.subgraphFailed': (p: { why: Reason }, t: T) => `graph: drawing the subgraph failed: ${t.reason(p.why)}`,
  'graph.noResult': () => 'graph: the computation ended without a result',
  /** A computation's figures: its size, then where its time went. */
  'graph.computed': (p: { members: number; n1: number; n2: number; edges: number; ms: number; listsMs: number; analysisMs: number; coverageMs: number; overCap: number; cap: number }) =>
    `graph: ${p.members} members, N1 ${p.n1}, N2 ${p.n2}, ${p.edges} edges in ${p.ms} ms ` +
    `(follow lists ${p.listsMs} ms, analysis ${p.analysisMs} ms, coverage ${p.coverageMs} ms)` +
    (p.overCap > 0 ? ` (${p.overCap} follow lists over ${p.cap} entries ignored)` : ''),

  // ------------------------------------------------------------ the schedule (sync/scheduler.ts)
  'schedule.off': () => 'the schedule is turned off in the settings',
  'schedule.isPaused': () => 'the schedule is paused',
  'schedule.notDue': () => 'not yet due',
  'schedule.due': () => 'due',
  'schedule.running': () => 'a sync is already running in Constellation',
  'schedule.lockHeld': (p: { detail: Reason | null }, t: T) => `the station lock is held${p.detail ? ` (${t.reason(p.detail)})` : ''}`,
  'schedule.tooSoon': (p: { agoMinutes: number; gapMinutes: number }) =>
    `the last run started ${p.agoMinutes < 1 ? 'less than a minute ago' : `${p.agoMinutes} min ago`} (under ${p.gapMinutes} min)`,
  'schedule.noHost': () => 'no schedule in this host (the desktop app and `serve --schedule` run one)',
  /** What the schedule last decided, with its time (ISO): the Overview's line. */
  'schedule.note': (p: { at: string; why: Reason }, t: T) => `${p.at} ${t.reason(p.why)}`,
  'schedule.skipped': (p: { why: Reason }, t: T) => `run skipped: ${t.reason(p.why)}`,
  'schedule.started': (p: { runId: string }) => `run ${p.runId} started`,
  'schedule.cannotStart': (p: { why: Reason }, t: T) => `the scheduled run could not start: ${t.reason(p.why)}`,
  'schedule.paused': () => 'paused',
  'schedule.resumed': () => 'resumed',
  'schedule.woke': () => 'the machine woke up: re-evaluating shortly',
  'schedule.clockJumped': (p: { minutes: number }) => `the clock jumped ${p.minutes} min (sleep or clock change): re-evaluating`,
  'schedule.interval': (p: { minutes: number }) => `interval set to ${p.minutes} min`,
  'schedule.planned': (p: { minutes: number; at: string }) => `planned every ${p.minutes} min; next run at ${p.at}`,
  /** A schedule line in the log. */
  'schedule.log': (p: { why: Reason }, t: T) => `schedule: ${t.reason(p.why)}`,
  'schedule.historyUnreadable': (p: { why: Reason }, t: T) => `schedule: cannot read the run history: ${t.reason(p.why)}`,
  'lock.cannotCheck': (p: { why: Reason }, t: T) => `cannot check the lock: ${t.reason(p.why)}`,
  'lock.symlink': (p: { path: string }) => `${p.path} is a symlink, not followed`,
  'lock.unreadable': (p: { path: string; detail: string }, t: T) => `cannot read ${p.path}: ${t.text(p.detail)}`,
  'lock.noPid': (p: { path: string }) => `${p.path} holds no PID (stale)`,
  'lock.pid': (p: { pid: number }) => `PID ${p.pid}`,
  'lock.notRunning': (p: { pid: number }) => `PID ${p.pid} is not running`,
  'lock.stale': (p: { why: Reason }, t: T) => `stale lock: ${t.reason(p.why)}`,
  'lock.held': (p: { pid: number; path: string }) => `a sync is already running (PID ${p.pid} holds ${p.path}); try again when it has finished`,
  'lock.heldDryRun': (p: { pid: number }) => `dry run: a sync holds the lock (PID ${p.pid}); a real run would be refused now`,
  'lock.empty': () => 'it holds no PID',
  'lock.beforeBoot': (p: { pid: number }) => `written before the machine last started; PID ${p.pid} now belongs to another process`,
  'lock.pidReused': (p: { pid: number }) => `PID ${p.pid} now belongs to a process started after it was written`,
  'lock.removedStale': (p: { path: string; why: Reason }, t: T) => `removed a stale lock ${p.path} (${t.reason(p.why)})`,
  'lock.cannotWrite': (p: { path: string; why: Reason }, t: T) => `cannot write the lock ${p.path}: ${t.reason(p.why)}`,
  'lock.cannotTakeOver': (p: { path: string; why: Reason }, t: T) => `cannot take over the stale lock ${p.path}: ${t.reason(p.why)}`,
  'lock.keepsComingBack': (p: { path: string }) => `cannot take the lock ${p.path}: it keeps coming back`,

  // ------------------------------------------------------------ the engine's facade (engine.ts)
  'engine.leftoverTunnels': (p: { why: Reason }, t: T) => `leftover tunnels: ${t.reason(p.why)}`,
  'engine.demoStop': (p: { why: Reason }, t: T) => `demo: ${t.reason(p.why)}`,
  'files.swept': (p: { files: string[] }) => `removed ${p.files.length} temporary file(s) left by an interrupted write: ${p.files.join(', ')}`,
  'files.notSwept': (p: { why: Reason }, t: T) => `leftover temporary files not swept: ${t.reason(p.why)}`,
  'engine.notStarted': () => 'the engine is not started',
  'history.noRun': (p: { id: string }) => `no run ${p.id} in the history`,

  // ------------------------------------------------------------ live sync (core/live, engine.ts)
  'live.notInHost': () => 'live sync does not run in this host (the desktop app, `serve --live` and `constellation live` run it)',
  'live.settingOff': () => 'live sync is turned off in the settings',
  'live.notStarted': () => 'live sync is not started',
  'live.stopped': () => 'live sync is stopped',
  'live.engineStopping': () => 'the engine is stopping',
  'live.restarting': () => 'restarting on the new settings',
  'live.couldNotStart': (p: { why: Reason }, t: T) => `live sync could not start: ${t.reason(p.why)}`,
  /** A live sync line in the log: `live sync: <why>`. */
  'live.log': (p: { why: Reason }, t: T) => `live sync: ${t.reason(p.why)}`,
  'live.catchUpFailed': (p: { why: Reason; retrySeconds: number }, t: T) =>
    `catch-up failed (${t.reason(p.why)}); the stream goes on, tried again in ${p.retrySeconds} s`,
  'live.localRelay': (p: { url: string; why: Reason }, t: T) => `local relay ${p.url}: ${t.reason(p.why)}`,
  /** A peer answering this station's EVENTs with a refusal that is not about the event (auth-required:, blocked:…). */
  'live.refusing': (p: { peer: string | Reason; answer: string; until: string }, t: T) =>
    `${who(p.peer, t)} refuses this station's events (${p.answer}); not sending before ${p.until}`,
  'live.resubscribeFailed': (p: { peer: string | Reason; why: Reason }, t: T) => `${who(p.peer, t)}: re-subscribing failed (${t.reason(p.why)}); reconnecting`,
  'live.importLost': (p: { why: Reason }, t: T) => `${t.reason(p.why)}; the events are asked again from their peers`,
  'live.started': (p: { peers: number; members: number; share: boolean }) =>
    `started with ${p.peers} peer(s), ${p.members} members${p.share ? '' : " (not sharing this station's events)"}`,
  'live.streaming': (p: { peer: string | Reason; via: 'direct' | 'tunnel'; subscriptions: number }, t: T) =>
    `${who(p.peer, t)}: streaming (${p.via}, ${p.subscriptions} subscription(s))`,
  'live.caughtUp': (p: { peer: string | Reason; since: string; method: string; queued: number; fetched: number; offered: number }, t: T) =>
    `${who(p.peer, t)}: caught up since ${p.since} (${p.method}): ${p.queued} new of ${p.fetched} received, ${p.offered} sent`,
  'live.peerGone': (p: { peer: string | Reason; routeChanged: boolean }, t: T) =>
    `${typeof p.peer === 'string' ? `peer ${p.peer}` : t.reason(p.peer)}: ${p.routeChanged ? 'its route changed; reconnecting' : 'no longer a syncable peer; link closed'}`,
  'live.following': (p: { members: number }) => `following ${p.members} members now`,
  'live.stillClosing': (p: { links: number; ms: number }) => `${p.links} link(s) still closing after ${p.ms} ms; going on`,
  'live.cannotSave': (p: { why: Reason }, t: T) => `cannot save what each peer's stream covered: ${t.reason(p.why)}`,
  'live.stationUnreadable': (p: { why: Reason }, t: T) => `reading the station failed: ${t.reason(p.why)}`,
  'live.ended': () => 'stopped',
  'live.marksUnreadable': (p: { path: string; why: Reason }, t: T) => `${p.path}: ${t.reason(p.why)}; live sync catches up the last hour with every peer`,
  'live.noPeersObject': () => 'no "peers" object',
  'share.cannotRead': (p: { why: Reason }, t: T) => `cannot read the local relay's recent events to share: ${t.reason(p.why)}`,
  /** The hourly run's share side: a peer refusing this station's events. */
  'sync.shareRefused': (p: { answer: string }, t: T) => `refuses this station's events (${t.text(p.answer)}): nothing more was sent to it this run`,

  // ------------------------------------------------------------ the command's own (src/cli)
  'cli.cannotRun': (p: { program: string; detail: string }, t: T) => `cannot run ${p.program}: ${t.text(p.detail)}`,
  'cli.noPackageRoot': (p: { from: string }) => `cannot find the Constellation package folder above ${p.from}`,
  'cli.rendererMissing': (p: { path: string }) => `the built renderer is missing (${p.path} not found): run npm run build`,
  /** systemctl's own words (`output`) stay as it wrote them. */
  'service.systemctlFailed': (p: { args: string; code: number | null; output: string }) =>
    `systemctl --user ${p.args} failed (exit code ${p.code}): ${p.output || 'no message'}`,
  'service.templateUnreadable': (p: { path: string; detail: string }, t: T) => `the unit template ${p.path} cannot be read (${t.text(p.detail)}): is this installation complete?`,
  'service.wrote': (p: { path: string }) => `wrote ${p.path}`,
  'service.removed': (p: { path: string }) => `removed ${p.path}`,
};
