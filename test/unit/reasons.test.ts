import { describe, expect, it } from 'vitest';
import { localizeReason } from '../../src/shared/reasons';

/*
 * The fragment translator (src/shared/reasons.ts): the French of text that carries no code — what other programs
 * say (Node, ws, kubo, strfry, a relay), the parts of the engine not given codes yet (the strfry binary's checks),
 * and runs recorded before reasons had codes. Reasons that have a code are produced from the
 * engine's own functions and checked in reason-codes.test.ts, not copied here.
 */

const NBSP = '\u00a0';
/** Expected French is written with a plain space before ":" and ";" for legibility; the localizer puts a NBSP there. */
const fr = (s: string): string => s.replace(/(?<=\S) ([:;])(?=\s|$)/g, `${NBSP}$1`);

const P = '12D3KooWRq4vJ8aYbNcTQ8DqW6k3pHsZsgMFLm2XyRfCkUAvBwEd';
/** A PeerID as run.ts and recover.ts shorten it. */
const S = '12D3KooW…BwEd';

/** [engine reason, French on the screen] */
const TABLE: ReadonlyArray<readonly [string, string]> = [
  // live sync (core/live, engine.ts)
  ['live sync is turned off in the settings', 'la synchronisation en direct est désactivée dans les réglages'],
  ['live sync does not run in this host (the desktop app, `serve --live` and `constellation live` run it)', 'la synchronisation en direct ne tourne pas dans cet hôte (l’application de bureau, `serve --live` et `constellation live` la font tourner)'],
  ['catch-up failed (peer 12D3KooWBtW8QXZ5UnJ3dWFkwCWTsKRBzgPSd3H2BP5LwHsUmRvR: relay went silent: no EOSE for 20000 ms); the stream goes on, tried again in 60 s', 'échec du rattrapage (pair 12D3KooWBtW8QXZ5UnJ3dWFkwCWTsKRBzgPSd3H2BP5LwHsUmRvR : le relais s’est tu : pas d’EOSE depuis 20000 ms) ; le flux continue, nouvel essai dans 60 s'],
  ['local relay ws://127.0.0.1:7777: connection refused (nothing listens there: relay down or tunnel closed)', 'relais local ws://127.0.0.1:7777 : connexion refusée (rien n’écoute à cette adresse : relais arrêté ou tunnel fermé)'],
  // peers.ts
  ['this station itself', 'cette station elle-même'],
  ['fallback card (status "json_build_error"): the station had not built its card', 'carte de secours (état "json_build_error") : la station n’avait pas construit sa carte'],
  ['picoport card (picoport-0.3): no relay to sync with', 'carte picoport (picoport-0.3) : aucun relais avec lequel se synchroniser'],
  ['beacon not refreshed for 3.5 h (stale after 48 h)', 'balise non rafraîchie depuis 3.5 h (périmée après 48 h)'],
  ['beacon not refreshed for 12 days (stale after 48 h)', 'balise non rafraîchie depuis 12 jours (périmée après 48 h)'],
  ['beacon not refreshed for 50 min (stale after 1 h)', 'balise non rafraîchie depuis 50 min (périmée après 1 h)'],
  ['the card has no myRELAY', 'la carte n’a pas de myRELAY'],
  ['relay ws://127.0.0.1:7777 is on the peer\'s own loopback and the peer offers no strfry tunnel (no x_strfry.sh, strfry not in dragon_services)', 'le relais ws://127.0.0.1:7777 est sur la boucle locale du pair et le pair ne propose pas de tunnel strfry (pas de x_strfry.sh, strfry absent de dragon_services)'],
  ['no 12345.json: not counted as a peer', 'pas de 12345.json : non compté comme pair'],
  ['12345.json: invalid JSON (Unexpected end of JSON input)', '12345.json : JSON invalide (fin inattendue du JSON)'],
  ['12345.json: not a JSON object', '12345.json : pas un objet JSON'],
  ['12345.json too large (2000000 bytes, limit 1048576)', '12345.json trop volumineux (2000000 octets, limite 1048576)'],
  ['captainHEX is not a 64-hex key; ignored', 'captainHEX n’est pas une clé hexadécimale de 64 caractères ; ignoré'],
  [`ipfsnodeid ${P} differs from the folder name`, `ipfsnodeid ${P} diffère du nom du dossier`],
  ['missing: freshness unknown', 'absent : fraîcheur inconnue'],
  ['not a timestamp ("yesterday"): freshness unknown', 'pas un horodatage ("yesterday") : fraîcheur inconnue'],
  ['not a valid date (20261341000000): freshness unknown', 'pas une date valide (20261341000000) : fraîcheur inconnue'],
  ['unknown timestamp format (7 digits): freshness unknown', 'format d’horodatage inconnu (7 chiffres) : fraîcheur inconnue'],
  ['empty: freshness unknown', 'vide : fraîcheur inconnue'],
  ['more than 2000 beacon folders: the rest is ignored', 'plus de 2000 dossiers de balise : le reste est ignoré'],
  ['a file, not a beacon folder; ignored', 'un fichier, pas un dossier de balise ; ignoré'],
  ['not a folder (FIFO, socket or device), not a beacon folder; ignored', 'pas un dossier (FIFO, socket ou périphérique), pas un dossier de balise ; ignoré'],
  // route.ts
  ['empty relay URL', 'URL de relais vide'],
  ['relay URL longer than 2048 characters', 'URL de relais de plus de 2048 caractères'],
  ['relay URL "ws//bad" is not a valid URL', 'l’URL de relais "ws//bad" n’est pas une URL valide'],
  ['relay URL "http://relay.example.org:8080/x" is not a ws:// or wss:// URL', 'l’URL de relais "http://relay.example.org:8080/x" n’est pas une URL ws:// ou wss://'],
  ['relay URL "ws://" has no host', 'l’URL de relais "ws://" n’a pas d’hôte'],
  ['relay URL "wss://bob:secret@relay.example.org" carries credentials, refused', 'l’URL de relais "wss://bob:secret@relay.example.org" contient des identifiants, refusée'],
  // members.ts, keys.ts, self.ts, read.ts
  ['a file where a member folder is expected; ignored', 'un fichier là où un dossier de membre est attendu ; ignoré'],
  ['empty: no key in it, the folder is not counted as a member', 'vide : aucune clé, le dossier n’est pas compté comme membre'],
  ['3 lines are not a 64-hex key (lines 2, 5, 9); ignored', '3 lignes ne sont pas une clé hexadécimale de 64 caractères (lignes 2, 5, 9) ; ignorées'],
  ['1 line is not a 64-hex key (line 4) (1 with binary or non-UTF-8 bytes); ignored', '1 ligne n’est pas une clé hexadécimale de 64 caractères (ligne 4) (1 avec des octets binaires ou non UTF-8) ; ignorée'],
  ['12 lines are not a 64-hex key (lines 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, … 2 more); ignored', '12 lignes ne sont pas une clé hexadécimale de 64 caractères (lignes 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, … 2 de plus) ; ignorées'],
  ['no valid Identity.PeerID', 'aucun Identity.PeerID valide'],
  ['invalid JSON', 'JSON invalide'],
  [`several beacon folders (${P}, QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbdG); using ${P}`, `plusieurs dossiers de balise (${P}, QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbdG) ; ${P} est utilisé`],
  ['the station root is not a folder', 'la racine de la station n’est pas un dossier'],
  ['a folder on the way is not a folder', 'un dossier du chemin n’en est pas un'],
  ['broken symlink', 'lien symbolique cassé'],
  ['symlink loop', 'boucle de liens symboliques'],
  ['cannot resolve (EACCES)', 'impossible à résoudre (permission refusée, EACCES)'],
  ['symlink pointing outside the station root, refused', 'lien symbolique pointant hors de la racine de la station, refusé'],
  ['symlink to a private-key file, refused', 'lien symbolique vers un fichier de clé privée, refusé'],
  ['not a folder', 'pas un dossier'],
  ['cannot list (EMFILE)', 'impossible de lister (trop de fichiers ouverts, EMFILE)'],
  ['binary content (NUL bytes)', 'contenu binaire (octets NUL)'],
  ['not UTF-8 text', 'pas du texte UTF-8'],
  ['not readable (permission denied)', 'illisible (permission refusée)'],
  ['became a symlink while being read, refused', 'devenu un lien symbolique pendant la lecture, refusé'],
  ['cannot open (EIO)', 'impossible d’ouvrir (erreur d’entrée-sortie, EIO)'],
  ['a folder, not a file', 'un dossier, pas un fichier'],
  ['not a regular file', 'pas un fichier ordinaire'],
  ['too large (over 65536 bytes)', 'trop volumineux (plus de 65536 octets)'],
  // kubo
  ['kubo ping: cancelled', 'kubo ping : annulé'],
  // probe.ts
  // relay.ts
  // ws's and Node's own words inside a relay reason (relay.cannotConnect carries them as text)
  ['Opening handshake has timed out', 'la poignée de main WebSocket n’a pas abouti à temps'],
  ['getaddrinfo ENOTFOUND relay.example.org', 'nom d’hôte introuvable (ENOTFOUND) pour relay.example.org'],
  ['connect EHOSTUNREACH ::1:7777', 'hôte injoignable (EHOSTUNREACH) vers ::1:7777'],
  // nip11, negentropy
  // sync
  ['cancelled', 'annulé'],
  // scheduler
  ['the schedule is turned off in the settings', 'la planification est désactivée dans les réglages'],
  ['the schedule is paused', 'la planification est en pause'],
  ['no schedule in this host (the desktop app and `serve --schedule` run one)', 'pas de planification dans cet hôte (l’application de bureau et `serve --schedule` en ont une)'],
  ['not yet due', 'pas encore l’heure'],
  ['a sync is already running in Constellation', 'une synchronisation est déjà en cours dans Constellation'],
  ['the station lock is held (PID 4242)', 'le verrou de la station est pris (PID 4242)'],
  ['the station lock is held (/home/fred/.zen/strfry/constellation-backfill.lock is a symlink, not followed)', 'le verrou de la station est pris (/home/fred/.zen/strfry/constellation-backfill.lock est un lien symbolique, non suivi)'],
  ['the station lock is held (cannot check the lock: EACCES: permission denied, lstat \'/home/fred/.zen/strfry/constellation-backfill.lock\')', 'le verrou de la station est pris (impossible de vérifier le verrou : permission refusée (EACCES), lstat \'/home/fred/.zen/strfry/constellation-backfill.lock\')'],
  ['/home/fred/.zen/strfry/constellation-backfill.lock holds no PID (stale)', '/home/fred/.zen/strfry/constellation-backfill.lock ne contient aucun PID (périmé)'],
  ['PID 4242 is not running (stale lock)', 'le PID 4242 ne tourne plus (verrou périmé)'],
  ['the last run started less than a minute ago (under 50 min)', 'la dernière exécution a commencé il y a moins d’une minute (moins de 50 min)'],
  ['the last run started 12 min ago (under 50 min)', 'la dernière exécution a commencé il y a 12 min (moins de 50 min)'],
  ['due', 'c’est l’heure'],
  ['2026-05-01T10:00:00.000Z run skipped: the last run started 12 min ago (under 50 min)', '2026-05-01T10:00:00.000Z exécution sautée : la dernière exécution a commencé il y a 12 min (moins de 50 min)'],
  ['2026-05-01T10:00:00.000Z run 20260501-100000-a1b2c3 started', '2026-05-01T10:00:00.000Z exécution 20260501-100000-a1b2c3 lancée'],
  ['2026-05-01T10:00:00.000Z the scheduled run could not start: a sync is already running in this app (run 20260501-095900-ffeedd)', '2026-05-01T10:00:00.000Z l’exécution planifiée n’a pas pu démarrer : une synchronisation est déjà en cours dans cette application (exécution 20260501-095900-ffeedd)'],
  ['2026-05-01T10:00:00.000Z the clock jumped 95 min (sleep or clock change): re-evaluating', '2026-05-01T10:00:00.000Z l’horloge a sauté de 95 min (veille ou changement d’heure) : réévaluation'],
  ['2026-05-01T10:00:00.000Z interval set to 30 min', '2026-05-01T10:00:00.000Z intervalle réglé à 30 min'],
  ['2026-05-01T10:00:00.000Z planned every 60 min; next run at 2026-05-01T11:02:13.000Z', '2026-05-01T10:00:00.000Z planifié toutes les 60 min ; prochaine exécution à 2026-05-01T11:02:13.000Z'],
  ['2026-05-01T10:00:00.000Z paused', '2026-05-01T10:00:00.000Z en pause'],
  ['2026-05-01T10:00:00.000Z resumed', '2026-05-01T10:00:00.000Z reprise'],
  ['2026-05-01T10:00:00.000Z the machine woke up: re-evaluating shortly', '2026-05-01T10:00:00.000Z la machine s’est réveillée : réévaluation sous peu'],
  // store
  ['strfry binary /home/fred/.zen/tmp/swarm/12D3KooWX/strfry is inside the swarm folder /home/fred/.zen/tmp/swarm (files published by other stations): refusing to run it; set another path with --strfry-bin, CONSTELLATION_STRFRY_BIN or "strfryBin" in settings.json', 'le binaire strfry /home/fred/.zen/tmp/swarm/12D3KooWX/strfry est dans le dossier swarm /home/fred/.zen/tmp/swarm (fichiers publiés par d’autres stations) : refus de l’exécuter ; indiquez un autre chemin avec --strfry-bin, CONSTELLATION_STRFRY_BIN ou "strfryBin" dans settings.json'],
  // issue 15: binaries others could change, settings only the captain sets, routes by address, NIP-11, the lock
  ['strfry binary /opt/strfry/strfry can be written by every user (mode 0777): refusing to run it; make it yours and not writable by others (chmod go-w /opt/strfry/strfry)', 'le binaire strfry /opt/strfry/strfry peut être modifié par tous les utilisateurs (mode 0777) : refus de l’exécuter ; faites-en le vôtre, non modifiable par d’autres (chmod go-w /opt/strfry/strfry)'],
  ['strfry binary /opt/strfry/strfry can be written by a group other users are in (mode 0775, gid 1000): refusing to run it; make it yours and not writable by others (chmod go-w /opt/strfry/strfry)', 'le binaire strfry /opt/strfry/strfry peut être modifié par un groupe dont d’autres utilisateurs font partie (mode 0775, gid 1000) : refus de l’exécuter ; faites-en le vôtre, non modifiable par d’autres (chmod go-w /opt/strfry/strfry)'],
  ['strfry binary /srv/x/strfry is in the folder /srv/x, which belongs to another user (uid 1001): refusing to run it; chmod go-w /srv/x, or install strfry elsewhere', 'le binaire strfry /srv/x/strfry est dans le dossier /srv/x, qui appartient à un autre utilisateur (uid 1001) : refus de l’exécuter ; chmod go-w /srv/x, ou installez strfry ailleurs'],
  ['settings refused: strfryBin is not changed from the window or the web API (it decides which program runs); set it on the station: --strfry-bin, CONSTELLATION_STRFRY_BIN, or "strfryBin" in /home/fred/.config/constellation/settings.json', 'réglages refusés : strfryBin ne se change pas depuis la fenêtre ni par l’API web (il décide du programme exécuté) ; réglez-le sur la station : --strfry-bin, CONSTELLATION_STRFRY_BIN, ou "strfryBin" dans /home/fred/.config/constellation/settings.json'],
  ['relay URL "ws://192.168.1.10:7777/cgi-bin/reboot?now=1" carries a query string, refused', 'l’URL de relais "ws://192.168.1.10:7777/cgi-bin/reboot?now=1" contient une chaîne de requête, refusée'],
  ['relay URL "wss://relay.example.org/nostr" has a path beyond /, refused', 'l’URL de relais "wss://relay.example.org/nostr" a un chemin au-delà de /, refusée'],
  ['relay URL "wss://relay.example.org/#x" carries a fragment, refused', 'l’URL de relais "wss://relay.example.org/#x" contient un fragment, refusée'],
  ["relay ws://127.0.0.1.nip.io:1234/ resolves to 127.0.0.1, ::1, a loopback address (the peer's own machine) and the peer offers no strfry tunnel (no x_strfry.sh, strfry not in dragon_services)", 'le relais ws://127.0.0.1.nip.io:1234/ mène à 127.0.0.1, ::1, une adresse de boucle locale (la machine du pair elle-même), et le pair ne propose pas de tunnel strfry (pas de x_strfry.sh, strfry absent de dragon_services)'],
  [`peer ${P} (alpha): ws://evil.attacker.example:7777: cannot connect: evil.attacker.example resolves to 127.0.0.1, this machine's loopback: a peer's relay there is reached only through its IPFS tunnel; not dialled`, `pair ${P} (alpha) : ws://evil.attacker.example:7777 : connexion impossible : evil.attacker.example mène à 127.0.0.1, la boucle locale de cette machine : le relais d’un pair y est joignable seulement par son tunnel IPFS ; non appelé`],
  ['strfry import: larger than maxEventSize (65536 bytes)', 'strfry import : plus gros que maxEventSize (65536 octets)'],
  ['strfry import: bad id or signature', 'strfry import : id ou signature invalide'],
  ['strfry import: rejected', 'strfry import : rejeté'],
  ['rejected (no reason given)', 'rejeté (aucune raison donnée)'],
  // profiles
  [`peer ${S} (station-b): no answer within 30000 ms (timeouts.profile)`, `pair ${S} (station-b) : pas de réponse dans les 30000 ms (timeouts.profile)`],
  [`peer ${S} (station-b): full sync, 42 events`, `pair ${S} (station-b) : synchro complète, 42 événements`],
  [`peer ${S} (station-b): its profile was gone by the full sync`, `pair ${S} (station-b) : son profil avait disparu au moment de la synchro complète`],
  [`peer ${S} (station-b): profile only, full sync failed: no end of the full sync within 30000 ms (timeouts.profile)`, `pair ${S} (station-b) : profil seul, échec de la synchro complète : synchro complète non terminée dans les 30000 ms (timeouts.profile)`],
  ['no syncable peer; no fallback relay configured', 'aucun pair synchronisable ; aucun relais de secours configuré'],
  ['no peer holds its profile; fallback relay wss://relay.damus.io: no kind 0; fallback relay wss://nos.lol: no answer within 30000 ms (timeouts.profile)', 'aucun pair ne détient son profil ; relais de secours wss://relay.damus.io : pas de kind 0 ; relais de secours wss://nos.lol : pas de réponse dans les 30000 ms (timeouts.profile)'],
  ['fallback relay wss://relay.damus.io: kind 0', 'relais de secours wss://relay.damus.io : kind 0'],
  ['not found', 'introuvable'],
  ['dry run: would be asked of 3 peer(s), then 3 fallback relay(s)', 'essai à blanc : serait demandé à 3 pair(s), puis à 3 relais de secours'],
  ['profile export: /home/fred/.zen/game/export resolves to /etc, outside the station root /home/fred/.zen; not written', 'export des profils : /home/fred/.zen/game/export mène à /etc, hors de la racine de la station /home/fred/.zen ; non écrit'],
  // info (the bare Node codes it reports are in the glosses test below)
  ['no answer within 3000 ms', 'pas de réponse dans les 3000 ms'],
  ['kubo answered HTTP 401', 'kubo a répondu HTTP 401'],
  ['invalid relay URL: Invalid URL: ws//x', 'URL de relais invalide : URL invalide : ws//x'],
  ['Unexpected server response: 200', 'réponse inattendue du serveur (HTTP 200)'],
  ['fetch failed', 'échec de la requête HTTP'],
  // settings
  ['invalid settings: peerConcurrency: Too big: expected number to be <=16; relayUrl: a ws:// or wss:// URL', 'réglages invalides : peerConcurrency : trop grand : nombre attendu <=16 ; relayUrl : une URL ws:// ou wss://'],
  ['invalid settings: zenRoot: the station root cannot be empty; kinds: choose at least one kind; days: days must be 0 (everything) or more', 'réglages invalides : zenRoot : la racine de la station ne peut pas être vide ; kinds : choisissez au moins un type ; days : le nombre de jours doit valoir 0 (tout) ou plus'],
  ['invalid settings: scheduleMinutes: Invalid input: expected number, received string; kuboApi: an http:// or https:// URL', 'réglages invalides : scheduleMinutes : entrée invalide : nombre attendu, texte reçu ; kuboApi : une URL http:// ou https://'],
  ['/home/fred/.config/constellation/settings.json: ignored, not valid JSON (Unexpected end of JSON input)', '/home/fred/.config/constellation/settings.json : ignoré, JSON invalide (fin inattendue du JSON)'],
  ['/home/fred/.config/constellation/settings.json: ignored, theme: Invalid option: expected one of "system"|"light"|"dark"', '/home/fred/.config/constellation/settings.json : ignoré, theme : option invalide : valeur attendue parmi "system"|"light"|"dark"'],
  ['C:\\Users\\fred\\AppData\\constellation\\settings.json: ignored, not valid JSON (Unexpected end of JSON input)', 'C:\\Users\\fred\\AppData\\constellation\\settings.json : ignoré, JSON invalide (fin inattendue du JSON)'],
  ['the engine is not started', 'le moteur n’est pas démarré'],
  ['no run 20260501-100000-a1b2c3 in the history', 'aucune exécution 20260501-100000-a1b2c3 dans l’historique'],
];

/** Technical tokens of a reason, found independently of the localizer: each must come back byte for byte. */
function tokensOf(text: string): string[] {
  const patterns = [
    /\b[a-z][a-z0-9+.-]*:\/\/[^\s"'<>]*[^\s"'<>.,;:)]/gi, // URLs
    /\b[a-z][a-z0-9+.-]*:\/\//gi, // bare schemes
    /(?<![\w.])\/[^\s"'(),;]*[^\s"'(),;.:]/g, // absolute paths, multiaddrs
    /\b[A-Za-z]:\\[^\s"']*[^\s"'.,;:]/g, // Windows paths
    /\b(?:12D3KooW|Qm)[1-9A-HJ-NP-Za-km-z]+(?:…[1-9A-HJ-NP-Za-km-z]+)?/g, // PeerIDs, shortened too
    /\b[0-9a-f]{16,}\b/g, // hex keys and ids
    /\b\d{1,3}(?:\.\d{1,3}){3}(?::\d+)?/g, // IPv4 with port
    /::1:\d+/g, // IPv6 with port
    /\b[\w-]+(?:\.[\w-]+)*\.(?:json|sh|moats|txt|conf|lock|org|io|lol|local)\b/g, // file and host names
    /\bE[A-Z]{2,}(?:_[A-Z]+)?\b/g, // Node codes
    /\bHTTP \d{3}\b/g, // HTTP statuses
    /\bSIG[A-Z]+\b/g, // signals
    /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z/g, // ISO times
    /"[^"]*"/g, // quoted values
    /\d+(?:\.\d+)?/g, // numbers
  ];
  return patterns.flatMap((re) => text.match(re) ?? []);
}

/** Third-party words in the samples (kubo's, strfry's, a relay's): not ours to translate. */
const FOREIGN = [
  'cannot listen on',
  'protocol handler already registered',
  'address already in use',
  'DB is locked',
  'parse ended prematurely',
  'too many subscriptions',
  'unauthorized',
  'garbage',
  'bye',
  'custom',
];

/** English words that must not be left in a French reason of the table. */
const KEYWORDS = [
  'cannot connect',
  'cannot',
  'could not',
  'not reachable',
  'refused',
  'refusing',
  'timed out',
  'did not answer',
  'no answer',
  'within',
  'missing',
  'invalid',
  'failed',
  'cancelled',
  'not found',
  'ignored',
  'empty',
  'too large',
  'stale',
  'symlink',
  'already running',
  'peer',
  "peer's",
  'relay',
  'not a',
  'no such file',
  'permission denied',
  'connection',
  'the',
  'is',
];

describe('localizeReason: the engine reasons in French', () => {
  it('holds enough distinct reasons across the engine', () => {
    expect(new Set(TABLE.map(([en]) => en)).size).toBe(TABLE.length);
    expect(TABLE.length).toBeGreaterThanOrEqual(40);
  });

  it.each(TABLE)('%s', (en, expected) => {
    expect(localizeReason(en, 'fr')).toBe(fr(expected));
  });

  it('keeps English as it is', () => {
    for (const [en] of TABLE) expect(localizeReason(en, 'en')).toBe(en);
  });

  it('keeps every technical token byte for byte', () => {
    for (const [en] of TABLE) {
      const out = localizeReason(en, 'fr');
      for (const token of tokensOf(en)) expect(out, en).toContain(token);
    }
  });

  it('keeps URLs with ports, PeerIDs, paths, addresses and codes of a chained reason', () => {
    const en = `peer ${P}: tunnel opened but the peer's relay did not answer through it: ws://127.0.0.1:4001: cannot connect: connect ECONNREFUSED 127.0.0.1:4001`;
    const out = localizeReason(en, 'fr');
    for (const token of [P, 'ws://127.0.0.1:4001', '127.0.0.1:4001', 'ECONNREFUSED']) expect(out).toContain(token);
    expect(out).toBe(
      fr(`pair ${P} : tunnel ouvert mais le relais du pair n’a pas répondu à travers lui : ws://127.0.0.1:4001 : connexion impossible : connexion refusée (ECONNREFUSED) vers 127.0.0.1:4001`),
    );
    const paths = localizeReason('strfry import --no-verify (/home/fred/.zen/strfry/strfry, config C:\\zen\\strfry.conf) failed with exit code 137: killed', 'fr');
    expect(paths).toContain('/home/fred/.zen/strfry/strfry');
    expect(paths).toContain('C:\\zen\\strfry.conf');
    expect(paths).toContain('137');
    const multiaddr = localizeReason('peer x1: could not close the tunnel /ip4/127.0.0.1/tcp/40123 (ECONNREFUSED); it will be closed at the next start', 'fr');
    expect(multiaddr).toContain('/ip4/127.0.0.1/tcp/40123');
  });

  it('puts a no-break space before the colons between fragments, never inside URLs, addresses, times or Windows paths', () => {
    const out = localizeReason('ws://[::1]:7777: cannot connect: connect EHOSTUNREACH ::1:7777', 'fr');
    expect(out.startsWith(`ws://[::1]:7777${NBSP}: connexion impossible${NBSP}: `)).toBe(true);
    expect(out).toContain(' ::1:7777');
    const when = localizeReason('2026-05-01T10:00:00.000Z planned every 60 min; next run at 2026-05-01T11:02:13.000Z', 'fr');
    expect(when).toContain('2026-05-01T10:00:00.000Z');
    expect(when).toContain('2026-05-01T11:02:13.000Z');
    const win = localizeReason('C:\\Users\\fred\\settings.json: ignored, not valid JSON (Unexpected end of JSON input)', 'fr');
    expect(win.startsWith(`C:\\Users\\fred\\settings.json${NBSP}: ignoré`)).toBe(true);
    for (const [en] of TABLE) {
      const out = localizeReason(en, 'fr');
      expect(out).not.toMatch(/\u00a0:\/\//);
      expect(out).not.toMatch(/\d\u00a0:\d/);
      expect(out).not.toMatch(/ \u00a0/);
    }
  });

  it('leaves no known English fragment in the French of the table', () => {
    for (const [en] of TABLE) {
      let out = localizeReason(en, 'fr');
      for (const token of tokensOf(en).sort((x, y) => y.length - x.length)) out = out.split(token).join(' ');
      for (const phrase of FOREIGN) out = out.split(phrase).join(' ');
      for (const word of KEYWORDS) {
        expect(out, `"${word}" left in: ${localizeReason(en, 'fr')}`).not.toMatch(new RegExp(`(?<![\\w’'])${word}(?![\\w’'])`, 'i'));
      }
    }
  });

  it('leaves unknown text exactly as it is, and never returns an empty string', () => {
    for (const text of [
      'something the engine never says: 42',
      'wss://relay.example.org: CLOSED blocked: too many events',
      'kubo ping: routing: not in table',
      'C:\\Users\\fred: 10:30',
      'ws://127.0.0.1:7777',
      '12D3KooWRq4vJ8aYbNcTQ8DqW6k3pHsZsgMFLm2XyRfCkUAvBwEd',
      'a \uE000 private-use character',
    ]) {
      expect(localizeReason(text, 'fr')).toBe(text);
    }
    for (const text of ['', ' ', '\n']) expect(localizeReason(text, 'fr')).toBe(text);
    for (const [en] of TABLE) expect(localizeReason(en, 'fr').trim()).not.toBe('');
  });

  it('glosses the usual Node codes, keeping the code', () => {
    const glosses: Array<[string, string]> = [
      ['ECONNREFUSED', 'connexion refusée (ECONNREFUSED)'],
      ['ETIMEDOUT', 'délai de connexion dépassé (ETIMEDOUT)'],
      ['ENOTFOUND', 'nom d’hôte introuvable (ENOTFOUND)'],
      ['EHOSTUNREACH', 'hôte injoignable (EHOSTUNREACH)'],
      ['ECONNRESET', 'connexion réinitialisée (ECONNRESET)'],
      ['ENETUNREACH', 'réseau injoignable (ENETUNREACH)'],
      ['EACCES', 'permission refusée (EACCES)'],
      ['EPERM', 'opération non permise (EPERM)'],
      ['ENOENT', 'fichier ou dossier introuvable (ENOENT)'],
    ];
    for (const [code, said] of glosses) expect(localizeReason(code, 'fr')).toBe(said);
    expect(localizeReason('kubo API at http://127.0.0.1:5001 is not reachable (ETIMEDOUT)', 'fr')).toBe(
      'l’API kubo à http://127.0.0.1:5001 n’est pas joignable (délai de connexion dépassé, ETIMEDOUT)',
    );
  });

  it('glosses a code once, even when it appears twice or is already glossed', () => {
    const twice = localizeReason('ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:7777', 'fr');
    expect(twice.split('connexion refusée').length - 1).toBe(1);
    expect(twice.split('ECONNREFUSED').length - 1).toBe(2);
    expect(twice).toContain('127.0.0.1:7777');
    expect(localizeReason('connection refused (ECONNREFUSED)', 'fr')).toBe('connexion refusée (ECONNREFUSED)');
    expect(localizeReason('connexion refusée (ECONNREFUSED)', 'fr')).toBe('connexion refusée (ECONNREFUSED)');
    expect(localizeReason('injoignable (connexion refusée, ECONNREFUSED)', 'fr')).toBe('injoignable (connexion refusée, ECONNREFUSED)');
  });

  it('does not garble French: localizing twice changes nothing', () => {
    for (const [en] of TABLE) {
      const once = localizeReason(en, 'fr');
      expect(localizeReason(once, 'fr')).toBe(once);
    }
    for (const french of [
      'pair 12D3KooW…BwEd (station-b) : délai de connexion dépassé (ETIMEDOUT)',
      `pair ${S}${NBSP}: tunnel refusé par kubo${NBSP}: aucun port local libre après 5 essais`,
      'Le moteur ne répond pas : connexion refusée (ECONNREFUSED)',
      'la planification est en pause',
      'annulé par le capitaine',
    ]) {
      expect(localizeReason(french, 'fr')).toBe(french);
    }
  });

  it('translates the fragments wherever the engine chains them', () => {
    // The same fragment alone, after a peer, after a URL, inside the profile phase's "; "-joined list.
    const a = localizeReason('no answer within 30000 ms', 'fr');
    const b = localizeReason(`peer ${S} (station-b): no answer within 30000 ms`, 'fr');
    const c = localizeReason('wss://nos.lol: no answer within 30000 ms', 'fr');
    const d = localizeReason('no syncable peer; fallback relay wss://nos.lol: no answer within 30000 ms', 'fr');
    for (const out of [b, c, d]) expect(out.endsWith(a)).toBe(true);
    // Both apostrophes the engine may use.
    expect(localizeReason('tunnel opened but the peer’s relay did not answer through it', 'fr')).toBe(
      localizeReason("tunnel opened but the peer's relay did not answer through it", 'fr'),
    );
  });
});
