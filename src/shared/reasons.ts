/**
 * The engine's reasons in the window's language. The engine (src/core) writes its reasons in English, for its
 * logs and its history: why a peer is not syncable, why a peer's sync or a run failed, why a service does not
 * answer, what is wrong with a station file, what the schedule decided. On a French screen they are translated
 * here, fragment by fragment, since the engine composes them by chaining pieces
 * (`peer 12D3…: tunnel opened but …: ws://127.0.0.1:4001: cannot connect: connect ECONNREFUSED …`).
 *
 * How it works (pure, no dependency: it runs in the renderer and in the main process):
 *   1. technical tokens (URLs, paths, multiaddrs, addresses and ports, times, PeerIDs, hex keys, file names,
 *      quoted values) are set aside behind placeholders, so no rule can touch them and they come back byte for
 *      byte;
 *   2. the ordered RULES (most specific first) replace the known English fragments;
 *   3. Node's error codes get a short French gloss, once, keeping the code (`connexion refusée (ECONNREFUSED)`);
 *   4. French typography: a no-break space before the colons and semicolons that separate fragments (the tokens
 *      are still set aside, so never inside a URL, an address, a time or a Windows path);
 *   5. the tokens are put back.
 * Text with nothing known in it comes back exactly as it was given, and French text is left alone (no English
 * fragment matches it, and a code already glossed is not glossed again).
 */

export type ReasonLang = 'en' | 'fr';

type Replacer = (match: string, ...groups: Array<string | undefined>) => string;
type Rule = readonly [RegExp, string | Replacer];

const NBSP = '\u00a0';

// ------------------------------------------------------------------------------------------ tokens set aside

const OPEN = '\uE000';
const CLOSE = '\uE001';
/** A placeholder: OPEN, the token's index written with private-use digits (U+E010…U+E019), CLOSE. */
const TOKEN = '\\uE000[\\uE010-\\uE019]+\\uE001';
const PLACEHOLDER = new RegExp(TOKEN, 'g');

function placeholder(index: number): string {
  return OPEN + String(index).replace(/\d/g, (d) => String.fromCharCode(0xe010 + Number(d))) + CLOSE;
}

function indexOf(ph: string): number {
  let n = 0;
  for (const ch of ph.slice(1, -1)) n = n * 10 + (ch.charCodeAt(0) - 0xe010);
  return n;
}

/** Cuts the sentence punctuation a token pattern swallowed (`ws://h:1:` → `ws://h:1` + `:`). */
function trimTrailing(token: string): [string, string] {
  let end = token.length;
  for (;;) {
    const c = token[end - 1];
    if (c === undefined) break;
    const body = token.slice(0, end);
    const unbalanced =
      (c === ')' && body.split('(').length < body.split(')').length) || (c === ']' && body.split('[').length < body.split(']').length);
    if ('.,;:!?\'"'.includes(c) || unbalanced) end--;
    else break;
  }
  return [token.slice(0, end), token.slice(end)];
}

/** Token patterns, in order; `trim` ones may have swallowed a trailing punctuation mark. */
const TOKENS: ReadonlyArray<{ re: RegExp; trim?: boolean }> = [
  // quoted values (JSON.stringify of a card field, a relay's NOTICE, strfry's "Processed … added")
  { re: /"(?:[^"\\\n]|\\.)*"/g },
  // ISO times (the schedule's decisions)
  { re: /\b\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?/g },
  // URLs, bare schemes included (`a ws:// or wss:// URL`)
  { re: /\b[a-zA-Z][a-zA-Z0-9+.-]*:\/\/[^\s"'<>]*/g, trim: true },
  // Windows paths
  { re: /\b[A-Za-z]:\\[^\s"'<>|]*/g, trim: true },
  // absolute POSIX paths, multiaddrs (/ip4/127.0.0.1/tcp/4001, /p2p/…, /x/strfry-…), ~/ paths
  { re: /(?<![\w./~-])~?\/[^\s"'<>(),;]+/g, trim: true },
  // relative paths and kubo calls (tmp/swarm, game/nostr/a@b.c/HEX, p2p/forward)
  { re: /(?<![\w.@~/-])[\w.@+-]+(?:\/[\w.@+-]+)+\/?/g, trim: true },
  // [IPv6] with an optional port
  { re: /\[[0-9a-fA-F:.]*:[0-9a-fA-F:.]*\](?::\d{1,5})?/g },
  // IPv4 with an optional port
  { re: /(?<![\w.])\d{1,3}(?:\.\d{1,3}){3}(?::\d{1,5})?(?!\w)/g },
  // bare IPv6 (Node's `connect ECONNREFUSED ::1:7777`) and h:m:s times
  { re: /(?<![\w:])[0-9a-fA-F]{0,4}(?::[0-9a-fA-F]{0,4}){2,8}(?:\.\d{1,3}){0,3}(?![\w:])/g },
  // h:mm times
  { re: /(?<![\w:])\d{1,2}:\d{2}(?![\w:])/g },
  // host:port
  { re: /(?<![\w.-])[A-Za-z0-9][\w-]*(?:\.[\w-]+)*:\d{1,5}(?!\w)/g },
  // shortened ids and keys (`12D3KooW…AbCd`, `0123456789ab…`, `01234567...89abcdef`)
  { re: /[\w.-]+…[\w.-]*/g },
  { re: /\b[0-9a-fA-F]{8}\.\.\.[0-9a-fA-F]{8}\b/g },
  // PeerIDs and hex keys
  { re: /\b(?:12D3KooW|Qm)[1-9A-HJ-NP-Za-km-z]{20,}\b/g },
  { re: /\b[0-9a-fA-F]{16,}\b/g },
  // dotted names: files (12345.json, x_strfry.sh, _MySwarm.moats), hosts, settings keys, decimals
  { re: /(?<![\w.-])[\w-]+(?:\.[\w-]+)+/g },
  // snake_case names with a lower-case letter (dragon_services, max_message_length); not EAI_AGAIN-like codes
  { re: /\b(?=\w*[a-z])[A-Za-z][A-Za-z0-9]*(?:_[A-Za-z0-9]+)+\b/g },
];

function protect(text: string, tokens: string[]): string {
  let out = text;
  for (const { re, trim } of TOKENS) {
    out = out.replace(re, (m: string) => {
      const [token, rest] = trim ? trimTrailing(m) : [m, ''];
      if (token === '' || token.includes(OPEN)) return m;
      tokens.push(token);
      return placeholder(tokens.length - 1) + rest;
    });
  }
  return out;
}

function restore(text: string, tokens: readonly string[]): string {
  return text.replace(PLACEHOLDER, (ph) => tokens[indexOf(ph)] ?? ph);
}

// ------------------------------------------------------------------------------------------ the fragments

/** A fragment standing alone: at the start, after a separator or a set-aside token, up to a separator or the end. */
function alone(english: string, french: string): Rule {
  return [new RegExp(`(^|[:;,(]\\s*|${TOKEN}\\s)${english}(?=$|[:;,)])`, 'g'), `$1${french}`];
}

const AGE_UNITS: Record<string, string> = { min: 'min', h: 'h', days: 'jours' };
/** The French names of zod's value types (also used by the French catalogue, i18n/reasons-fr.ts). */
export const ZOD_TYPES: Readonly<Record<string, string>> = {
  number: 'nombre',
  string: 'texte',
  boolean: 'booléen',
  int: 'entier',
  array: 'liste',
  object: 'objet',
  undefined: 'rien',
  null: 'null',
  nan: 'NaN',
};
const zodType = (t: string | undefined): string => (t ? (ZOD_TYPES[t] ?? t) : '');
const STRFRY_WHAT = '(import(?: --no-verify)?|scan(?: --count)?)';

const RULES: readonly Rule[] = [
  // ---------------------------------------------------------------- peers (src/core/station/peers.ts)
  [/^this station itself$/g, 'cette station elle-même'],
  [/\bfallback card \(status (\S+)\)/g, 'carte de secours (état $1)'],
  [/\bthe station had not built its card\b/g, 'la station n’avait pas construit sa carte'],
  [/\bpicoport card \(([^)]*)\)/g, 'carte picoport ($1)'],
  [/\bno relay to sync with\b/g, 'aucun relais avec lequel se synchroniser'],
  [
    /\bbeacon not refreshed for (\S+) (min|h|days) \(stale after (\S+) h\)/g,
    (_m, age, unit, stale) => `balise non rafraîchie depuis ${age} ${AGE_UNITS[unit ?? ''] ?? unit} (périmée après ${stale} h)`,
  ],
  [/\bthe card has no myRELAY\b/g, 'la carte n’a pas de myRELAY'],
  [/\brelay (\S+) is on the peer['’]s (?:own )?loopback and the peer offers no strfry tunnel\b/g, 'le relais $1 est sur la boucle locale du pair et le pair ne propose pas de tunnel strfry'],
  [
    /\brelay (\S+) resolves to ((?:\S+, )*\S+), a loopback address \(the peer['’]s own machine\) and the peer offers no strfry tunnel\b/g,
    'le relais $1 mène à $2, une adresse de boucle locale (la machine du pair elle-même), et le pair ne propose pas de tunnel strfry',
  ],
  [/\(no (\S+), strfry not in (\S+)\)/g, '(pas de $1, strfry absent de $2)'],
  [/\bno (\S+): not counted as a peer\b/g, 'pas de $1: non compté comme pair'],
  [/\bnot a JSON object\b/g, 'pas un objet JSON'],
  [/\bignored, not valid JSON \(/g, 'ignoré, JSON invalide ('],
  [/\binvalid JSON\b/g, 'JSON invalide'],
  [/(\S+) is not a 64-hex key; ignored\b/g, '$1 n’est pas une clé hexadécimale de 64 caractères; ignoré'],
  [/\bipfsnodeid (\S+) differs from the folder name\b/g, 'ipfsnodeid $1 diffère du nom du dossier'],
  [/: freshness unknown\b/g, ': fraîcheur inconnue'],
  [/\bmore than (\S+) beacon folders: the rest is ignored\b/g, 'plus de $1 dossiers de balise: le reste est ignoré'],
  [/\bnot a folder \(FIFO, socket or device\)/g, 'pas un dossier (FIFO, socket ou périphérique)'],
  [/, not a beacon folder; ignored\b/g, ', pas un dossier de balise; ignoré'],
  [/ where a member folder is expected; ignored\b/g, ' là où un dossier de membre est attendu; ignoré'],
  [/^a file(?=,| là où)/g, 'un fichier'],

  // ---------------------------------------------------------------- station files (moats.ts, keys.ts, members.ts, self.ts, read.ts)
  [/\bnot a timestamp \(/g, 'pas un horodatage ('],
  [/\bnot a valid date \(/g, 'pas une date valide ('],
  [/\bunknown timestamp format \((\S+) digits\)/g, 'format d’horodatage inconnu ($1 chiffres)'],
  [/\bempty: no key in it, the folder is not counted as a member\b/g, 'vide: aucune clé, le dossier n’est pas compté comme membre'],
  [
    /\b(\d+) lines? (?:is|are) not a 64-hex key \(lines? ([^)…]*?)(?:, … (\d+) more)?\)(?: \((\d+) with binary or non-UTF-8 bytes\))?; ignored\b/g,
    (_m, n, shown, more, binary) => {
      const one = n === '1';
      return (
        `${n} ${one ? 'ligne n’est' : 'lignes ne sont'} pas une clé hexadécimale de 64 caractères ` +
        `(${one ? 'ligne' : 'lignes'} ${shown ?? ''}${more ? `, … ${more} de plus` : ''})` +
        `${binary ? ` (${binary} avec des octets binaires ou non UTF-8)` : ''}; ${one ? 'ignorée' : 'ignorées'}`
      );
    },
  ],
  [/\bno valid (\S+)/g, 'aucun $1 valide'],
  [/\bseveral beacon folders \(([^)]*)\); using (\S+)/g, 'plusieurs dossiers de balise ($1); $2 est utilisé'],
  [/\bthe station root is not a folder\b/g, 'la racine de la station n’est pas un dossier'],
  [/\ba folder on the way is not a folder\b/g, 'un dossier du chemin n’en est pas un'],
  [/\bsymlink pointing outside the station root, refused\b/g, 'lien symbolique pointant hors de la racine de la station, refusé'],
  [/\bsymlink to a private-key file, refused\b/g, 'lien symbolique vers un fichier de clé privée, refusé'],
  [/\brefusing to open a private-key file \(/g, 'refus d’ouvrir un fichier de clé privée ('],
  [/\bbecame a symlink while being read, refused\b/g, 'devenu un lien symbolique pendant la lecture, refusé'],
  [/\bbroken symlink\b/g, 'lien symbolique cassé'],
  [/\bsymlink loop\b/g, 'boucle de liens symboliques'],
  [/\bcannot resolve \(/g, 'impossible à résoudre ('],
  [/\bcannot list \(/g, 'impossible de lister ('],
  [/\bcannot open \(/g, 'impossible d’ouvrir ('],
  [/\bbinary content \(NUL bytes\)/g, 'contenu binaire (octets NUL)'],
  [/\bnot UTF-8 text\b/g, 'pas du texte UTF-8'],
  [/\bnot readable \(permission denied\)/g, 'illisible (permission refusée)'],
  [/\ba folder, not a file\b/g, 'un dossier, pas un fichier'],
  [/\bnot a regular file\b/g, 'pas un fichier ordinaire'],
  [/\btoo large \((\S+) bytes, limit (\S+)\)/g, 'trop volumineux ($1 octets, limite $2)'],
  [/\btoo large \(over (\S+) bytes\)/g, 'trop volumineux (plus de $1 octets)'],
  [/\bwatching (\S+) failed \(/g, 'la surveillance de $1 a échoué ('],
  [/\); polling it instead\b/g, '); il est relu à intervalles réguliers'],

  // ---------------------------------------------------------------- relay URLs (route.ts) and settings checks (settings.ts, schemas.ts)
  [/\binvalid relay URL\b/g, 'URL de relais invalide'],
  [/\bempty relay URL\b/g, 'URL de relais vide'],
  [/\brelay URL longer than (\S+) characters\b/g, 'URL de relais de plus de $1 caractères'],
  [/\brelay URL (\S+) is not a valid URL\b/g, 'l’URL de relais $1 n’est pas une URL valide'],
  [/\brelay URL (\S+) is not a (\S+) or (\S+) URL\b/g, 'l’URL de relais $1 n’est pas une URL $2 ou $3'],
  [/\brelay URL (\S+) has no host\b/g, 'l’URL de relais $1 n’a pas d’hôte'],
  [/\brelay URL (\S+) carries credentials, refused\b/g, 'l’URL de relais $1 contient des identifiants, refusée'],
  [/\brelay URL (\S+) carries a query string, refused\b/g, 'l’URL de relais $1 contient une chaîne de requête, refusée'],
  [/\brelay URL (\S+) carries a fragment, refused\b/g, 'l’URL de relais $1 contient un fragment, refusée'],
  [/\brelay URL (\S+) has a path beyond \/, refused(?=$|[:;,)])/g, 'l’URL de relais $1 a un chemin au-delà de /, refusée'],
  [
    /\bsettings refused: (\S+) is not changed from the window or the web API \(it decides which program runs\); set it on the station: (\S+), (\S+), or (\S+) in (\S+)/g,
    'réglages refusés: $1 ne se change pas depuis la fenêtre ni par l’API web (il décide du programme exécuté); réglez-le sur la station: $2, $3, ou $4 dans $5',
  ],
  [/\binvalid settings\b/g, 'réglages invalides'],
  [/: ignored, /g, ': ignoré, '],
  [/\bthe station root cannot be empty\b/g, 'la racine de la station ne peut pas être vide'],
  [/\bdays must be 0 \(everything\) or more\b/g, 'le nombre de jours doit valoir 0 (tout) ou plus'],
  [/\bchoose at least one kind\b/g, 'choisissez au moins un type'],
  [/\ba 64-character lower-case hex key\b/g, 'une clé hexadécimale de 64 caractères en minuscules'],
  [/\ban? (\S+) or (\S+) URL\b/g, 'une URL $1 ou $2'],
  [/\bToo small: expected number to be >(=?)(\S+)/g, 'trop petit: nombre attendu >$1$2'],
  [/\bToo big: expected number to be <(=?)(\S+)/g, 'trop grand: nombre attendu <$1$2'],
  [/\bToo small: expected string to have >=(\S+) characters?\b/g, 'trop court: au moins $1 caractère(s) attendu(s)'],
  [/\bToo big: expected string to have <=(\S+) characters?\b/g, 'trop long: au plus $1 caractère(s) attendu(s)'],
  [/\bToo small: expected array to have >=(\S+) items?\b/g, 'trop court: au moins $1 élément(s) attendu(s)'],
  [/\bToo big: expected array to have <=(\S+) items?\b/g, 'trop long: au plus $1 élément(s) attendu(s)'],
  [/\bInvalid input: expected (\w+), received (\w+)/g, (_m, want, got) => `entrée invalide: ${zodType(want)} attendu, ${zodType(got)} reçu`],
  [/\bInvalid option: expected one of /g, 'option invalide: valeur attendue parmi '],
  [/\bUnrecognized keys?: /g, 'clé(s) inconnue(s): '],

  // ---------------------------------------------------------------- kubo (rpc.ts, tunnels.ts, ports.ts)
  [/\bkubo API at (\S+) did not answer (\S+) within (\S+) ms\b/g, 'l’API kubo à $1 n’a pas répondu à $2 dans les $3 ms'],
  [/\bkubo API at (\S+) is not reachable\b/g, 'l’API kubo à $1 n’est pas joignable'],
  [/\bkubo refused (\S+) \(HTTP (\d+): check the kubo API authorization setting\)/g, 'kubo a refusé $1 (HTTP $2: vérifiez le réglage d’autorisation de l’API kubo)'],
  [/\bkubo (\S+) failed \(HTTP (\d+)\)/g, 'kubo $1 a échoué (HTTP $2)'],
  [/\bkubo (\S+): answer is not JSON \(/g, 'kubo $1: la réponse n’est pas du JSON ('],
  [/\bkubo id: answer has no ID\b/g, 'kubo id: la réponse n’a pas d’ID'],
  [/\bkubo (\S+): Listeners is not a list\b/g, 'kubo $1: Listeners n’est pas une liste'],
  [/\bkubo answered HTTP (\d+)/g, 'kubo a répondu HTTP $1'],
  [/(\S+) needs a listen address or a protocol and target\b/g, '$1 demande une adresse d’écoute, ou un protocole et une cible'],
  [/\bpeer not found \(kubo could not look it up\)/g, 'pair introuvable (kubo n’a pas pu le localiser)'],
  [/\bno ping answered\b/g, 'aucun ping n’a reçu de réponse'],
  [/\bnot reachable over IPFS \(kubo found no way to the peer within (\S+) ms\)/g, 'injoignable par IPFS (kubo n’a trouvé aucun chemin vers le pair dans les $1 ms)'],
  [/\bnot reachable over IPFS \(kubo ping: /g, 'injoignable par IPFS (ping kubo: '],
  [/\btunnel opened but the peer['’]s relay did not answer through it\b/g, 'tunnel ouvert mais le relais du pair n’a pas répondu à travers lui'],
  [/\bpeer (\S+): not a PeerID, no tunnel\b/g, 'pair $1: pas un PeerID, pas de tunnel'],
  [/\btunnel refused by kubo: no free local port after (\S+) tries\b/g, 'tunnel refusé par kubo: aucun port local libre après $1 essais'],
  [/\btunnel refused by kubo\b/g, 'tunnel refusé par kubo'],
  [/\bno free port on (\S+)/g, 'aucun port libre sur $1'],
  [/\bnot syncable: /g, 'non synchronisable: '],
  [/\bno usable relay\b/g, 'aucun relais utilisable'],
  [/\bprivate-network relay (\S+) did not answer directly\b/g, 'le relais de réseau privé $1 n’a pas répondu en direct'],
  [/ and the peer offers no strfry tunnel\b/g, ' et le pair ne propose pas de tunnel strfry'],
  [/\btrying the IPFS tunnel\b/g, 'essai par le tunnel IPFS'],
  [/\bcould not close the tunnel (\S+) \(/g, 'impossible de fermer le tunnel $1 ('],
  [/\bit will be closed at the next start\b/g, 'il sera fermé au prochain démarrage'],
  [/\breleasing the tunnel failed\b/g, 'la libération du tunnel a échoué'],

  // ---------------------------------------------------------------- relay proofs and connections (probe.ts, relay.ts, nip11.ts, negentropy.ts)
  [/\bno WebSocket answer within (\S+) ms\b/g, 'pas de réponse WebSocket dans les $1 ms'],
  [/\bno relay answer within (\S+) ms\b/g, 'pas de réponse du relais dans les $1 ms'],
  [/, before the WebSocket answer\b/g, ', avant la réponse WebSocket'],
  [/, before the relay answer\b/g, ', avant la réponse du relais'],
  [/\bconnection failed \(/g, 'échec de la connexion ('],
  [/\bnot a relay \(HTTP (\d+) instead of a WebSocket\)/g, 'pas un relais (HTTP $1 au lieu d’un WebSocket)'],
  [/\bthe other end does not speak Nostr \(a message that is not JSON\)/g, 'l’autre bout ne parle pas Nostr (un message qui n’est pas du JSON)'],
  [/\brelay sent a message larger than (\S+) bytes \(our limit\), connection dropped\b/g, 'le relais a envoyé un message de plus de $1 octets (notre limite), connexion abandonnée'],
  [/\brelay sent text that is not valid UTF-8, connection dropped\b/g, 'le relais a envoyé du texte qui n’est pas de l’UTF-8 valide, connexion abandonnée'],
  [/\brelay broke the WebSocket protocol \(/g, 'le relais a enfreint le protocole WebSocket ('],
  [/\), connection dropped\b/g, '), connexion abandonnée'],
  [/\bconnection reset by the other end \(the relay or the tunnel went away\)/g, 'connexion réinitialisée par l’autre bout (le relais ou le tunnel a disparu)'],
  [/\bconnection refused \(nothing listens there: relay down or tunnel closed\)/g, 'connexion refusée (rien n’écoute à cette adresse: relais arrêté ou tunnel fermé)'],
  [/\bconnection broken while sending \(the other end went away\)/g, 'connexion rompue pendant l’envoi (l’autre bout a disparu)'],
  [/\bconnection timed out at the network level\b/g, 'délai de connexion dépassé au niveau du réseau'],
  [/\bunknown socket error\b/g, 'erreur de socket inconnue'],
  [/\bconnection closed by the relay\b/g, 'connexion fermée par le relais'],
  [/\bconnection closed by us\b/g, 'connexion fermée par nous'],
  [/\brelay is going away \(restart or shutdown\)/g, 'le relais s’en va (redémarrage ou arrêt)'],
  [
    /\bconnection closed abruptly \(no close frame: the relay, the tunnel or the network cut it\)/g,
    'connexion fermée brutalement (pas de trame de fermeture: le relais, le tunnel ou le réseau l’a coupée)',
  ],
  [/\brelay closed the connection: policy violation\b/g, 'le relais a fermé la connexion: violation de sa politique'],
  [/\brelay closed the connection: a message was too big for it\b/g, 'le relais a fermé la connexion: un message était trop gros pour lui'],
  [/\brelay closed the connection after an internal error\b/g, 'le relais a fermé la connexion après une erreur interne'],
  [/\bconnection closed \(code (\d+)/g, 'connexion fermée (code $1'],
  [/\bcannot connect to (\S+)/g, 'connexion impossible à $1'],
  [/\bcannot connect\b/g, 'connexion impossible'],
  [/\bno connection after (\S+) ms\b/g, 'pas de connexion après $1 ms'],
  [/\bmessage of (\S+) bytes is over the relay['’]s (\S+) (\S+)/g, 'message de $1 octets, au-delà du $2 $3 du relais'],
  [/\brelay went silent during the NIP-77 reconciliation: no NEG-MSG for (\S+) ms\b/g, 'le relais s’est tu pendant la réconciliation NIP-77: pas de NEG-MSG depuis $1 ms'],
  [/\brelay went silent: no EOSE for (\S+) ms\b/g, 'le relais s’est tu: pas d’EOSE depuis $1 ms'],
  [/\brelay went silent: no answer to a REQ for (\S+) ms\b/g, 'le relais s’est tu: pas de réponse à un REQ depuis $1 ms'],
  [/\(its last NOTICE: /g, '(son dernier NOTICE: '],
  [/\bno OK for event (\S+) after (\S+) ms\b/g, 'aucun OK pour l’événement $1 après $2 ms'],
  [/\bno NIP-11 document after (\S+) ms\b/g, 'pas de document NIP-11 après $1 ms'],
  [/\bNIP-11 fetch failed\b/g, 'échec de la lecture NIP-11'],
  [/\bNIP-11 answered HTTP (\d+)/g, 'NIP-11 a répondu HTTP $1'],
  [/\bNIP-11 document is not JSON \(/g, 'le document NIP-11 n’est pas du JSON ('],
  [
    /\bNIP-11 answered with a redirect \(HTTP (\d+)(?: to (\S+))?\): not followed\b/g,
    (_m, status, to) => `NIP-11 a répondu par une redirection (HTTP ${status ?? ''}${to ? ` vers ${to}` : ''}): non suivie`,
  ],
  [/\bNIP-11 document of (\S+) bytes, larger than (\S+): not read\b/g, 'document NIP-11 de $1 octets, plus de $2: non lu'],
  [/\bNIP-11 document larger than (\S+) bytes: not read further\b/g, 'document NIP-11 de plus de $1 octets: lecture arrêtée'],
  [/\bconnection closed before the end of the document\b/g, 'connexion fermée avant la fin du document'],
  [
    /(\S+) resolves to (\S+), this machine['’]s loopback: a peer['’]s relay there is reached only through its IPFS tunnel; not dialled\b/g,
    '$1 mène à $2, la boucle locale de cette machine: le relais d’un pair y est joignable seulement par son tunnel IPFS; non appelé',
  ],
  [/\(not an object\)/g, '(pas un objet)'],
  [/\bno NEG-MSG answer within (\S+) ms\b/g, 'pas de réponse NEG-MSG dans les $1 ms'],
  [/^NEG-MSG answered$/g, 'NEG-MSG a répondu'],
  [/\bnegentropy reconcile failed\b/g, 'échec de la réconciliation negentropy'],
  [/\bremembered: no NIP-77\b/g, 'mémorisé: pas de NIP-77'],

  // ---------------------------------------------------------------- sync runs (run.ts, session.ts, lock.ts, index.ts, known.ts)
  [/\bthe peer['’]s session ran past its time limit \((\S+) s\) and was stopped\b/g, 'la session du pair a dépassé son temps limite ($1 s) et a été arrêtée'],
  [/\ba sync is already running \(PID (\d+) holds (\S+)\); try again when it has finished\b/g, 'une synchronisation est déjà en cours (le PID $1 détient $2); réessayez quand elle sera terminée'],
  [/\ba sync is already running in this app \(run (\S+)\)/g, 'une synchronisation est déjà en cours dans cette application (exécution $1)'],
  [/\ba sync is already running in Constellation\b/g, 'une synchronisation est déjà en cours dans Constellation'],
  [/\bcannot write the lock (\S+)/g, 'impossible d’écrire le verrou $1'],
  [/\bcannot take over the stale lock (\S+)/g, 'impossible de reprendre le verrou périmé $1'],
  [/\bcannot take the lock (\S+): it keeps coming back\b/g, 'impossible de prendre le verrou $1: il revient sans cesse'],
  [/\bcancelled by the captain\b/g, 'annulé par le capitaine'],
  // what a peer may cost (bounds.ts, relay.ts, negentropy.ts, pager.ts)
  [/\bthe peer sent more than (\S+) events in this run \(bound peerMaxEvents\); cut, what it sent before is kept\b/g, 'le pair a envoyé plus de $1 événements dans cette exécution (limite peerMaxEvents); coupé, ce qu’il a envoyé avant est gardé'],
  [/\bthe relay sent more than (\S+) MB in this run \(bound peerMaxMegabytes\); cut\b/g, 'le relais a envoyé plus de $1 Mo dans cette exécution (limite peerMaxMegabytes); coupé'],
  [/\bthe NIP-77 reconciliation did not end within (\S+) NEG-MSG exchanges \(bound negMaxRounds\)/g, 'la réconciliation NIP-77 n’a pas abouti en $1 échanges NEG-MSG (limite negMaxRounds)'],
  [/\bthe peer said we lack more than (\S+) ids in one NIP-77 reconciliation \(bound negMaxNeed\)/g, 'le pair a dit qu’il nous manque plus de $1 identifiants en une réconciliation NIP-77 (limite negMaxNeed)'],
  [/: its window was paged instead\b/g, ': sa fenêtre a été parcourue par pages à la place'],
  [/\bpaging stopped: the peer kept sending new events all dated the same second\b/g, 'pagination arrêtée: le pair envoyait sans fin de nouveaux événements tous datés de la même seconde'],
  [/\bnot started: the run['’]s deadline \((\S+) s, setting runDeadlineSeconds\) had passed\b/g, 'pas démarré: l’échéance de l’exécution ($1 s, réglage runDeadlineSeconds) était passée'],
  [/; the run['’]s deadline \((\S+) s, setting runDeadlineSeconds\) passed\b/g, '; l’échéance de l’exécution ($1 s, réglage runDeadlineSeconds) est passée'],
  [/\bcut at the run['’]s deadline \((\S+) s, setting runDeadlineSeconds\)/g, 'coupé à l’échéance de l’exécution ($1 s, réglage runDeadlineSeconds)'],
  [/\b(\d+) of (\d+) peer\(s\) failed\b/g, '$1 pair(s) sur $2 en échec'],
  [/\bprofile phase failed\b/g, 'échec de la phase des profils'],
  [/\bthe local store answered for (\S+) of (\S+) events sent to it \(/g, 'le stockage local a répondu pour $1 des $2 événements envoyés ('],
  [/\); the rest are not counted as held\b/g, '); le reste n’est pas compté comme détenu'],
  [/\(relay (\S+)\)/g, '(relais $1)'],
  [/\bimport into the local relay failed\b/g, 'échec de l’import dans le relais local'],
  [/(^|[:;]\s+)local relay: /g, '$1relais local: '],
  [/\bnot a known-ids file \(bad magic\)/g, 'pas un fichier d’identifiants connus (signature incorrecte)'],
  [/\btruncated known-ids file\b/g, 'fichier d’identifiants connus tronqué'],
  [/\bstarting over with a full reconciliation\b/g, 'reprise avec une réconciliation complète'],
  [/\bcannot save what it holds\b/g, 'impossible d’enregistrer ce qu’il détient'],
  [/\bcannot save the peer memory\b/g, 'impossible d’enregistrer la mémoire des pairs'],
  [/\bthe engine is not started\b/g, 'le moteur n’est pas démarré'],
  [/\bno run (\S+) in the history\b/g, 'aucune exécution $1 dans l’historique'],
  [/\bunknown call (\S+)/g, 'appel inconnu $1'],

  // ---------------------------------------------------------------- the schedule (scheduler.ts)
  [/\bthe schedule is turned off in the settings\b/g, 'la planification est désactivée dans les réglages'],
  [/\bthe schedule is paused\b/g, 'la planification est en pause'],
  // engine.ts, for a host without a scheduler (`constellation serve` without --schedule)
  [/\bno schedule in this host \(the desktop app and `serve --schedule` run one\)/g, 'pas de planification dans cet hôte (l’application de bureau et `serve --schedule` en ont une)'],
  [/^not yet due$/g, 'pas encore l’heure'],
  [/^due$/g, 'c’est l’heure'],
  [/\bthe station lock is held\b/g, 'le verrou de la station est pris'],
  [/(\S+) is a symlink, not followed\b/g, '$1 est un lien symbolique, non suivi'],
  [/\bcannot read (\S+): /g, 'impossible de lire $1: '],
  [/(\S+) holds no PID \(stale\)/g, '$1 ne contient aucun PID (périmé)'],
  [/\bPID (\d+) is not running \(stale lock\)/g, 'le PID $1 ne tourne plus (verrou périmé)'],
  [/\bstale lock: /g, 'verrou périmé: '],
  [/\bwritten before the machine last started; PID (\d+) now belongs to another process\b/g, 'écrit avant le dernier démarrage de la machine; le PID $1 appartient maintenant à un autre processus'],
  [/\bPID (\d+) now belongs to a process started after it was written\b/g, 'le PID $1 appartient maintenant à un processus démarré après son écriture'],
  [/\bPID (\d+) is not running\b/g, 'le PID $1 ne tourne plus'],
  [/\bit holds no PID\b/g, 'il ne contient aucun PID'],
  [/\bcannot check the lock\b/g, 'impossible de vérifier le verrou'],
  [/\bthe last run started less than a minute ago \(under (\S+) min\)/g, 'la dernière exécution a commencé il y a moins d’une minute (moins de $1 min)'],
  [/\bthe last run started (\S+) min ago \(under (\S+) min\)/g, 'la dernière exécution a commencé il y a $1 min (moins de $2 min)'],
  [new RegExp(`(^|${TOKEN} )run skipped: `, 'g'), '$1exécution sautée: '],
  [new RegExp(`(^|${TOKEN} )run (\\S+) started$`, 'g'), '$1exécution $2 lancée'],
  [/\bthe scheduled run could not start\b/g, 'l’exécution planifiée n’a pas pu démarrer'],
  [/\bthe clock jumped (\S+) min \(sleep or clock change\): re-evaluating\b/g, 'l’horloge a sauté de $1 min (veille ou changement d’heure): réévaluation'],
  [/\binterval set to (\S+) min\b/g, 'intervalle réglé à $1 min'],
  [/\bplanned every (\S+) min; next run at /g, 'planifié toutes les $1 min; prochaine exécution à '],
  [new RegExp(`(^|${TOKEN} )paused$`, 'g'), '$1en pause'],
  [new RegExp(`(^|${TOKEN} )resumed$`, 'g'), '$1reprise'],
  [/\bthe machine woke up: re-evaluating shortly\b/g, 'la machine s’est réveillée: réévaluation sous peu'],
  [/\bcannot read the run history\b/g, 'impossible de lire l’historique des exécutions'],

  // ---------------------------------------------------------------- the local store (strfry-store.ts, relay-store.ts)
  [
    /\bstrfry binary (\S+) is inside the swarm folder (\S+) \(files published by other stations\): refusing to run it; set another path with (\S+), (\S+) or (\S+) in (\S+)/g,
    'le binaire strfry $1 est dans le dossier swarm $2 (fichiers publiés par d’autres stations): refus de l’exécuter; indiquez un autre chemin avec $3, $4 ou $5 dans $6',
  ],
  [/\bstrfry binary (\S+) is in the folder (\S+), which /g, 'le binaire strfry $1 est dans le dossier $2, qui '],
  [/\bstrfry binary (\S+) (?=can be written|belongs to)/g, 'le binaire strfry $1 '],
  [/\bcan be written by every user \(mode (\S+)\)/g, 'peut être modifié par tous les utilisateurs (mode $1)'],
  [/\bcan be written by a group other users are in \(mode (\S+), gid (\S+)\)/g, 'peut être modifié par un groupe dont d’autres utilisateurs font partie (mode $1, gid $2)'],
  [/\bbelongs to another user \(uid (\S+)\)/g, 'appartient à un autre utilisateur (uid $1)'],
  [/: refusing to run it; make it yours and not writable by others \(chmod go-w (\S+)\)/g, ': refus de l’exécuter; faites-en le vôtre, non modifiable par d’autres (chmod go-w $1)'],
  [/: refusing to run it; chmod go-w (\S+), or install strfry elsewhere\b/g, ': refus de l’exécuter; chmod go-w $1, ou installez strfry ailleurs'],
  [
    new RegExp(`\\bstrfry ${STRFRY_WHAT}: cannot run (\\S+)( \\(no such file\\)| \\(not executable\\))?`, 'g'),
    (_m, what, bin, hint) =>
      `strfry ${what}: impossible d’exécuter ${bin}${hint === ' (no such file)' ? ' (fichier introuvable)' : hint ? ' (non exécutable)' : ''}`,
  ],
  [
    new RegExp(`\\bstrfry ${STRFRY_WHAT} \\(([^()]*)\\) (?:failed with exit code (\\S+)|was killed by (\\S+)):`, 'g'),
    (_m, what, where, code, signal) =>
      `strfry ${what} (${where}) ${code !== undefined ? `a échoué avec le code de sortie ${code}` : `a été tué par ${signal ?? ''}`}:`,
  ],
  [/; it had stored (\S+) of the (\S+) events before stopping\b/g, '; il avait stocké $1 des $2 événements avant de s’arrêter'],
  [new RegExp(`\\bstrfry ${STRFRY_WHAT} \\((\\S+)\\) printed a line that is not JSON: `, 'g'), 'strfry $1 ($2) a affiché une ligne qui n’est pas du JSON: '],
  [new RegExp(`\\bstrfry ${STRFRY_WHAT} \\((\\S+)\\) printed no number: `, 'g'), 'strfry $1 ($2) n’a affiché aucun nombre: '],
  [
    new RegExp(`\\bstrfry ${STRFRY_WHAT} \\((\\S+)\\) finished but printed no (\\S+) line; cannot count what it stored\\b`, 'g'),
    'strfry $1 ($2) s’est terminé sans afficher de ligne $3; impossible de compter ce qu’il a stocké',
  ],
  [/\bstrfry import: larger than maxEventSize \((\S+) bytes\)/g, 'strfry import: plus gros que maxEventSize ($1 octets)'],
  [/\bstrfry import: bad id or signature\b/g, 'strfry import: id ou signature invalide'],
  [/\brejected \(no reason given\)/g, 'rejeté (aucune raison donnée)'],

  // ---------------------------------------------------------------- profiles (recover.ts, index.ts, export.ts)
  [/\bno way to its relay\b/g, 'aucun chemin vers son relais'],
  [/\bno answer within (\S+) ms\b/g, 'pas de réponse dans les $1 ms'],
  [/\bfull sync, (\S+) events\b/g, 'synchro complète, $1 événements'],
  [/\bits profile was gone by the full sync\b/g, 'son profil avait disparu au moment de la synchro complète'],
  [/\bno end of the full sync within (\S+) ms\b/g, 'synchro complète non terminée dans les $1 ms'],
  [/\bprofile only, full sync failed\b/g, 'profil seul, échec de la synchro complète'],
  [/\bno syncable peer\b/g, 'aucun pair synchronisable'],
  [/\bno peer holds its profile\b/g, 'aucun pair ne détient son profil'],
  [/\bfallback relay (\S+): no kind 0\b/g, 'relais de secours $1: pas de kind 0'],
  [/\bno fallback relay configured\b/g, 'aucun relais de secours configuré'],
  [/\bfallback relay (\S+)/g, 'relais de secours $1'],
  [/\bdry run: would be asked of (\S+) peer\(s\), then (\S+) fallback relay\(s\)/g, 'essai à blanc: serait demandé à $1 pair(s), puis à $2 relais de secours'],
  [/\bprofile export: (\S+) resolves to (\S+), outside the station root (\S+); not written\b/g, 'export des profils: $1 mène à $2, hors de la racine de la station $3; non écrit'],

  // ---------------------------------------------------------------- Node, ws and fetch's own words, as they reach the reasons
  [/\bOpening handshake has timed out\b/g, 'la poignée de main WebSocket n’a pas abouti à temps'],
  [/\bUnexpected server response: (\d+)/g, 'réponse inattendue du serveur (HTTP $1)'],
  [/\bWebSocket was closed before the connection was established\b/g, 'WebSocket fermé avant que la connexion soit établie'],
  [/\bInvalid WebSocket frame: /g, 'trame WebSocket invalide: '],
  [/\binvalid opcode (\d+)/g, 'opcode $1 invalide'],
  [/\binvalid payload length (\d+)/g, 'longueur de données $1 invalide'],
  [/\binvalid status code (\d+)/g, 'code d’état $1 invalide'],
  [/\binvalid UTF-8 sequence\b/g, 'séquence UTF-8 invalide'],
  [/\b(RSV1|RSV2 and RSV3|FIN|MASK) must be set\b/g, (_m, bit) => `${bit === 'RSV2 and RSV3' ? 'RSV2 et RSV3' : bit} doit être positionné`],
  [/\b(RSV1|RSV2 and RSV3|FIN|MASK) must be clear\b/g, (_m, bit) => `${bit === 'RSV2 and RSV3' ? 'RSV2 et RSV3' : bit} ne doit pas être positionné`],
  [/\bMax payload size exceeded\b/g, 'taille maximale des données dépassée'],
  [/\bInvalid (Upgrade|Sec-WebSocket-Accept|Sec-WebSocket-Extensions) header\b/g, 'en-tête $1 invalide'],
  [/\bMaximum redirects exceeded\b/g, 'trop de redirections'],
  [/\b[Ii]nvalid URL\b/g, 'URL invalide'],
  [/\bfetch failed\b/g, 'échec de la requête HTTP'],
  [/\bThe operation was aborted due to timeout\b/g, 'délai dépassé, opération abandonnée'],
  [/\bThis operation was aborted\b/g, 'opération abandonnée'],
  [/\bsocket hang up\b/g, 'connexion coupée par l’autre bout'],
  [/\bother side closed\b/g, 'l’autre bout a fermé la connexion'],
  [/\bUnexpected end of JSON input\b/g, 'fin inattendue du JSON'],
  [/\bUnexpected token (\S+), (\S+) is not valid JSON\b/g, 'caractère inattendu $1, $2 n’est pas du JSON valide'],
  [/\bconnection refused\b/g, 'connexion refusée'],
  // `connect ECONNREFUSED 127.0.0.1:4001`, `getaddrinfo ENOTFOUND host`, `read ECONNRESET`, `spawn /bin ENOENT`: the
  // code is glossed below, the address kept.
  [/\bconnect (E[A-Z_]{2,}) (\S+)/g, '$1 vers $2'],
  [/\bgetaddrinfo (E[A-Z_]{2,}) (\S+)/g, '$1 pour $2'],
  [/\b(?:connect|read|write|getaddrinfo) (E[A-Z_]{2,})\b/g, '$1'],
  [/\bspawn (\S+) (E[A-Z_]{2,})\b/g, 'spawn $1: $2'],

  // ---------------------------------------------------------------- short fragments, last: they stand alone
  [/(^|[:;]\s+)peer (\S+)( \([^)]*\))?(?=:)/g, '$1pair $2$3'],
  alone('cancelled', 'annulé'),
  alone('missing', 'absent'),
  alone('empty', 'vide'),
  alone('not a folder', 'pas un dossier'),
  alone('not an object', 'pas un objet'),
  alone('not found', 'introuvable'),
  alone('no message', 'aucun message'),
  alone('rejected', 'rejeté'),
];

// ------------------------------------------------------------------------------------------ Node's error codes

/** Short French glosses of the usual Node codes, and Node's own English description to drop (`ENOENT: no such…`). */
const CODES: ReadonlyArray<readonly [code: string, gloss: string, nodeText: string]> = [
  ['ECONNREFUSED', 'connexion refusée', 'connection refused'],
  ['ETIMEDOUT', 'délai de connexion dépassé', 'connection timed out'],
  ['ENOTFOUND', 'nom d’hôte introuvable', 'not found'],
  ['EHOSTUNREACH', 'hôte injoignable', 'host is unreachable'],
  ['ENETUNREACH', 'réseau injoignable', 'network is unreachable'],
  ['ECONNRESET', 'connexion réinitialisée', 'connection reset by peer'],
  ['ECONNABORTED', 'connexion interrompue', 'software caused connection abort'],
  ['EPIPE', 'connexion rompue', 'broken pipe'],
  ['EAI_AGAIN', 'résolution DNS momentanément impossible', 'temporary failure'],
  ['EADDRINUSE', 'adresse déjà utilisée', 'address already in use'],
  ['EACCES', 'permission refusée', 'permission denied'],
  ['EPERM', 'opération non permise', 'operation not permitted'],
  ['ENOENT', 'fichier ou dossier introuvable', 'no such file or directory'],
  ['ENOTDIR', 'pas un dossier', 'not a directory'],
  ['EISDIR', 'c’est un dossier', 'illegal operation on a directory'],
  ['ELOOP', 'trop de liens symboliques', 'too many symbolic links encountered'],
  ['EEXIST', 'existe déjà', 'file already exists'],
  ['EMFILE', 'trop de fichiers ouverts', 'too many open files'],
  ['ENOSPC', 'plus de place sur le disque', 'no space left on device'],
  ['EROFS', 'système de fichiers en lecture seule', 'read-only file system'],
  ['EBUSY', 'ressource occupée', 'resource busy or locked'],
  ['EIO', 'erreur d’entrée-sortie', 'i/o error'],
];

function glossCodes(text: string): string {
  let out = text;
  for (const [code, gloss, nodeText] of CODES) {
    // Node's fs form `ENOENT: no such file or directory, open '/x'`: the description goes, the code stays.
    out = out.split(`${code}: ${nodeText}`).join(code);
    const re = new RegExp(`(?<![A-Za-z0-9_])${code}(?![A-Za-z0-9_])`);
    const m = re.exec(out);
    if (!m) continue;
    // Already said in French (a second pass, or a phrase that glosses it already): never twice.
    if (out.includes(`${gloss} (${code}`) || out.includes(`${gloss}, ${code}`)) continue;
    const at = m.index;
    const inParens = out[at - 1] === '(' && out[at + code.length] === ')';
    const said = inParens ? `${gloss}, ${code}` : `${gloss} (${code})`;
    out = out.slice(0, at) + said + out.slice(at + code.length);
  }
  return out;
}

// ------------------------------------------------------------------------------------------ typography

/** A no-break space before the colons and semicolons that separate fragments (tokens are set aside meanwhile). */
function frenchSpacing(text: string): string {
  return text.replace(/([^\s\u00a0])([:;])(?=\s|$)/g, `$1${NBSP}$2`);
}

// ------------------------------------------------------------------------------------------ entry point

/**
 * One of the engine's reasons in the window's language: English as is; French with every known fragment
 * translated and every technical token (URL, path, PeerID, address, code, number, file name) kept byte for byte.
 * Unknown text comes back unchanged; the result is never empty when the input is not.
 */
export function localizeReason(text: string, lang: ReasonLang): string {
  if (lang !== 'fr' || text.trim() === '') return text;
  const known = cache.get(text);
  if (known !== undefined) return known;
  const out = toFrench(text);
  // A table of 2,000 peers asks for the same few reasons again and again: remember them (bounded).
  if (cache.size >= CACHE_SIZE) cache.clear();
  cache.set(text, out);
  return out;
}

const CACHE_SIZE = 1000;
const cache = new Map<string, string>();

function toFrench(text: string): string {
  // Our placeholders are private-use characters: a text already holding some is left alone rather than garbled.
  if (/[\uE000-\uE01F]/.test(text)) return text;
  const tokens: string[] = [];
  const protectedText = protect(text, tokens);
  let out = protectedText;
  for (const [re, to] of RULES) {
    re.lastIndex = 0;
    out = typeof to === 'string' ? out.replace(re, to) : out.replace(re, to);
  }
  out = glossCodes(out);
  if (out === protectedText) return text;
  out = restore(frenchSpacing(out), tokens);
  return out.trim() === '' ? text : out;
}
