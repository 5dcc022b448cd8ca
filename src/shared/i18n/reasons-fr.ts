/**
 * Les raisons en français : mêmes codes que reasons-en.ts (le type l'impose). Espace insécable devant « : » et
 * « ; ». Les jetons techniques (URL, chemins, PeerID, codes d'erreur, noms de fichiers et de réglages) restent tels
 * quels ; le texte venu d'ailleurs (messages de Node ou des relais) passe par le traducteur de fragments.
 */
import { ZOD_TYPES } from '../reasons';
import type { Reason, ReasonCatalogue, ReasonTools } from './reason';
import { runWords } from './words';
import { shortPeerId } from '../peer-id';

const NB = '\u00a0';
const q = (s: string): string => JSON.stringify(s);
const entryWhat = (e: 'file' | 'other'): string => (e === 'file' ? 'un fichier' : 'pas un dossier (FIFO, socket ou périphérique)');
const ORIGIN: Record<string, string> = { number: 'nombre', string: 'texte', array: 'liste', int: 'entier', bigint: 'entier', date: 'date' };
const TYPE = ZOD_TYPES;
/** The plan's passes (sync/filters.ts). */
const PASS: Record<string, string> = { deletions: 'suppressions', members: 'membres', station: 'station' };
/** A peer named in a live line: a reason (`peer.label`), or the English text of lines logged before it was one. */
const who = (w: string | Reason, t: ReasonTools): string => (typeof w === 'string' ? t.text(w) : t.reason(w));

export const fr: ReasonCatalogue = {
  text: (p, t) => t.text(p.text),
  at: (p, t) => `${typeof p.who === 'string' ? p.who : t.reason(p.who)}${NB}: ${t.reason(p.why)}`,
  cancelled: () => 'annulé',

  'peer.self': () => 'cette station elle-même',
  'peer.stale': (p, t) => `balise non rafraîchie depuis ${t.age(p.age)} (périmée après ${t.num(p.staleHours)} h)`,
  'peer.loopbackNoTunnel': (p) =>
    `le relais ${p.url} est sur la boucle locale du pair et le pair ne propose pas de tunnel strfry (pas de x_strfry.sh, strfry absent de dragon_services)`,
  'peer.resolvesToLoopbackNoTunnel': (p) =>
    `le relais ${p.url} mène à ${p.addresses.join(', ')}, une adresse de boucle locale (la machine du pair elle-même), et le pair ne propose pas de tunnel strfry (pas de x_strfry.sh, strfry absent de dragon_services)`,
  'peer.noRelay': () => 'la carte n’a pas de myRELAY',
  'peer.fallbackCard': (p) => `carte de secours (état ${q(p.status)})${NB}: la station n’avait pas construit sa carte`,
  'peer.picoport': (p) => `carte picoport (${p.version})${NB}: aucun relais avec lequel se synchroniser`,
  'peer.badCard': (p, t) => `12345.json${NB}: ${t.reason(p.why)}`,
  'peer.noCard': () => `pas de 12345.json${NB}: non compté comme pair`,
  'peer.label': (p) => `pair ${shortPeerId(p.id)}${p.host ? ` (${p.host})` : ''}`,

  'peer.named': (p, t) => `pair ${shortPeerId(p.id)}${p.host ? ` (${p.host})` : ''}${NB}: ${t.reason(p.why)}`,
  'peer.timeLimit': (p, t) => `la session du pair a dépassé son temps limite (${t.num(p.seconds)} s) et a été arrêtée`,
  'peer.cutAtDeadline': (p, t) => `coupé à l’échéance de l’exécution (${t.num(p.seconds)} s, réglage runDeadlineSeconds)`,
  'peer.notStarted': (p, t) => `pas démarré${NB}: l’échéance de l’exécution (${t.num(p.seconds)} s, réglage runDeadlineSeconds) était passée`,
  'peer.cancelledBeforeStart': () => 'annulé avant d’avoir commencé',
  'peer.willRetry': (p, t) => `${t.reason(p.why)} (nouvel essai)`,

  'tunnel.unreachable': (p, t) => `injoignable par IPFS (${t.reason(p.why)})`,
  'tunnel.kuboPing': (p, t) => `ping kubo${NB}: ${typeof p.detail === 'string' ? t.text(p.detail) : t.reason(p.detail)}`,
  'tunnel.kuboNoWay': (p, t) => `kubo n’a trouvé aucun chemin vers le pair dans les ${t.num(p.ms)} ms`,
  'tunnel.relaySilent': (p, t) => `tunnel ouvert mais le relais du pair n’a pas répondu à travers lui${NB}: ${t.reason(p.why)}`,
  'tunnel.refused': (p, t) => `tunnel refusé par kubo${NB}: ${t.reason(p.why)}`,
  'tunnel.noFreePort': (p, t) => `tunnel refusé par kubo${NB}: aucun port local libre après ${t.num(p.tries)} essais (${t.reason(p.why)})`,
  'tunnel.notPeerId': (p) => `pair ${q(p.value)}${NB}: pas un PeerID, pas de tunnel`,
  'tunnel.notSyncable': (p, t) => `non synchronisable${NB}: ${p.why ? t.reason(p.why) : 'aucun relais utilisable'}`,
  'tunnel.lanTrying': (p, t) => `le relais de réseau privé ${p.url} n’a pas répondu en direct (${t.reason(p.why)})${NB}; essai par le tunnel IPFS`,
  'tunnel.lanNoTunnel': (p, t) =>
    `le relais de réseau privé ${p.url} n’a pas répondu en direct (${t.reason(p.why)}) et le pair ne propose pas de tunnel strfry`,
  'tunnel.loopbackNoTunnel': (p) => `le relais ${p.url} est sur la boucle locale du pair et le pair ne propose pas de tunnel strfry`,
  'kubo.cancelled': (p) => `kubo ${p.call}${NB}: annulé`,
  'kubo.timeout': (p, t) => `l’API kubo à ${p.api} n’a pas répondu à ${p.call} dans les ${t.num(p.ms)} ms`,
  'kubo.unreachable': (p, t) => `l’API kubo à ${p.api} n’est pas joignable (${t.text(p.detail)})`,
  'kubo.unauthorized': (p) =>
    `kubo a refusé ${p.call} (HTTP ${p.status}${NB}: vérifiez le réglage d’autorisation de l’API kubo)${p.message ? `${NB}: ${p.message}` : ''}`,
  'kubo.failed': (p) => `kubo ${p.call} a échoué (HTTP ${p.status})${p.message ? `${NB}: ${p.message}` : ''}`,
  'kubo.notJson': (p) => `kubo ${p.call}${NB}: la réponse n’est pas du JSON (${p.text})`,
  'kubo.noId': () => `kubo id${NB}: la réponse n’a pas d’ID`,
  'kubo.listenersNotList': () => `kubo p2p/ls${NB}: Listeners n’est pas une liste`,
  'kubo.closeNeedsTarget': () => 'p2p/close demande une adresse d’écoute, ou un protocole et une cible',
  'kubo.pingNotFound': () => 'pair introuvable (kubo n’a pas pu le localiser)',
  'kubo.pingNone': () => 'aucun ping n’a reçu de réponse',
  'kubo.noFreePort': (p) => `aucun port libre sur ${p.host}`,
  'tunnel.opened': (p) => `tunnel ouvert sur 127.0.0.1:${p.port}`,
  'tunnel.leftoverClosed': (p) => `tunnel resté ouvert par une exécution précédente, refermé${NB}: ${p.protocol} sur ${p.listen}`,
  'tunnel.closeFailed': (p, t) => `impossible de fermer le tunnel ${p.listen} (${t.reason(p.why)})${NB}; il sera fermé au prochain démarrage`,
  'tunnel.releaseFailed': (p, t) => `la libération du tunnel a échoué${NB}: ${t.reason(p.why)}`,
  'probe.noAnswer': (p, t) => `pas de réponse ${p.what === 'relay' ? 'du relais' : 'WebSocket'} dans les ${t.num(p.ms)} ms`,
  'probe.closedBefore': (p, t) => `${t.reason(p.why)}, avant la réponse ${p.what === 'relay' ? 'du relais' : 'WebSocket'}`,
  'probe.failed': (p, t) => `échec de la connexion (${t.text(p.detail)})`,
  'probe.notNostr': () => 'l’autre bout ne parle pas Nostr (un message qui n’est pas du JSON)',
  'probe.invalidUrl': (p, t) => `URL invalide ${p.url}${NB}: ${t.text(p.detail)}`,

  'relay.at': (p, t) => `${p.url}${NB}: ${t.reason(p.why)}`,
  'relay.cannotConnect': (p, t) => `connexion impossible${NB}: ${t.reason(p.why)}`,
  'relay.refused': () => `connexion refusée (rien n’écoute à cette adresse${NB}: relais arrêté ou tunnel fermé)`,
  'relay.reset': () => 'connexion réinitialisée par l’autre bout (le relais ou le tunnel a disparu)',
  'relay.brokenPipe': () => 'connexion rompue pendant l’envoi (l’autre bout a disparu)',
  'relay.netTimeout': () => 'délai de connexion dépassé au niveau du réseau',
  'relay.tooLargeMessage': (p, t) => `le relais a envoyé un message de plus de ${t.num(p.max)} octets (notre limite), connexion abandonnée`,
  'relay.badUtf8': () => 'le relais a envoyé du texte qui n’est pas de l’UTF-8 valide, connexion abandonnée',
  'relay.protocol': (p, t) => `le relais a enfreint le protocole WebSocket (${t.text(p.detail)}), connexion abandonnée`,
  'relay.closedByRelay': (p) => `connexion fermée par le relais${p.detail ? `${NB}: ${p.detail}` : ''}`,
  'relay.goingAway': (p) => `le relais s’en va (redémarrage ou arrêt)${p.detail ? `${NB}: ${p.detail}` : ''}`,
  'relay.closedAbruptly': () => `connexion fermée brutalement (pas de trame de fermeture${NB}: le relais, le tunnel ou le réseau l’a coupée)`,
  'relay.policy': (p) => `le relais a fermé la connexion${NB}: violation de sa politique${p.detail ? `${NB}: ${p.detail}` : ''}`,
  'relay.tooBigForIt': (p) => `le relais a fermé la connexion${NB}: un message était trop gros pour lui${p.detail ? `${NB}: ${p.detail}` : ''}`,
  'relay.internalError': (p) => `le relais a fermé la connexion après une erreur interne${p.detail ? `${NB}: ${p.detail}` : ''}`,
  'relay.closedCode': (p) => `connexion fermée (code ${p.code}${p.detail ? `${NB}: ${p.detail}` : ''})`,
  'relay.noConnection': (p, t) => `pas de connexion après ${t.num(p.ms)} ms`,
  'relay.closedByUs': () => 'connexion fermée par nous',
  'relay.notRelay': (p) => `pas un relais (HTTP ${p.status} au lieu d’un WebSocket)`,
  'relay.overMaxMessage': (p, t) => `message de ${t.num(p.size)} octets, au-delà du max_message_length ${t.num(p.max)} du relais`,
  'relay.silent': (p, t) =>
    `le relais s’est tu${NB}: ${p.eose ? 'pas d’EOSE' : 'pas de réponse à un REQ'} depuis ${t.num(p.ms)} ms${p.notice ? ` (son dernier NOTICE${NB}: "${p.notice}")` : ''}`,
  'relay.noOk': (p, t) => `aucun OK pour l’événement ${p.id} après ${t.num(p.ms)} ms`,
  'relay.refusal': (p) => `${p.via} ${p.text}`,
  'relay.negFailed': (p, t) => `échec de la réconciliation negentropy${NB}: ${typeof p.detail === 'string' ? t.text(p.detail) : t.reason(p.detail)}`,
  'relay.negSilent': (p, t) => `le relais s’est tu pendant la réconciliation NIP-77${NB}: pas de NEG-MSG depuis ${t.num(p.ms)} ms`,

  'neg.notHex': () => 'le contenu du NEG-MSG n’est pas en hexadécimal',
  'neg.cutShort': () => `negentropy${NB}: message coupé avant la fin`,
  'neg.varintTooLarge': () => `negentropy${NB}: nombre (varint) trop grand`,
  'neg.badVersion': (p) => `octet de version du protocole negentropy invalide (0x${p.byte.toString(16).padStart(2, '0')})`,
  'neg.unsupportedVersion': (p) => `le pair demande la version ${p.version} du protocole negentropy, que nous ne parlons pas`,
  'neg.unexpectedMode': (p) => `negentropy${NB}: mode inattendu (${p.mode})`,
  'neg.boundTooLong': (p) => `negentropy${NB}: clé de borne trop longue (${p.length} octets, ${p.max} au plus)`,

  'dns.timeout': (p, t) => `le nom ${p.host} n’a pas été résolu dans les ${t.num(p.ms)} ms`,
  'dns.notFound': (p, t) => `le nom ${p.host} ne se résout pas (${t.text(p.code)})`,
  'dns.reserved': (p) => `${p.host} est un nom réservé, qui ne se résout jamais`,
  'dns.loopbackName': (p) =>
    `${p.host} mène à ${p.address}, la boucle locale de cette machine${NB}: un relais de pair à cette adresse ne se joint que par son tunnel IPFS${NB}; pas de connexion`,
  'dns.noAddress': (p) => `${p.host} n’a aucune adresse`,

  'nip11.timeout': (p, t) => `pas de document NIP-11 après ${t.num(p.ms)} ms`,
  'nip11.fetchFailed': (p, t) => `échec de la lecture NIP-11${NB}: ${t.reason(p.why)}`,
  'nip11.redirect': (p) => `NIP-11 a répondu par une redirection (HTTP ${p.status}${p.to ? ` vers ${p.to}` : ''})${NB}: non suivie`,
  'nip11.http': (p) => `NIP-11 a répondu HTTP ${p.status}`,
  'nip11.tooLarge': (p, t) => `document NIP-11 de ${t.num(p.size)} octets, plus de ${t.num(p.max)}${NB}: non lu`,
  'nip11.tooLargeRead': (p, t) => `document NIP-11 de plus de ${t.num(p.max)} octets${NB}: lecture arrêtée`,
  'nip11.notJson': (p, t) => `le document NIP-11 n’est pas du JSON (${t.text(p.detail)})`,
  'nip11.notObject': () => 'le document NIP-11 n’est pas du JSON (pas un objet)',
  'nip11.invalidUrl': () => 'URL invalide',
  'nip11.cutShort': () => 'connexion fermée avant la fin du document',
  'nip77.answered': () => 'NEG-MSG a reçu une réponse',
  'nip77.noAnswer': (p, t) => `pas de réponse NEG-MSG dans les ${t.num(p.ms)} ms`,
  'nip77.refused': (p, t) => `NIP-77 refusé${NB}: ${t.reason(p.why)}`,
  'nip77.remembered': () => `mémorisé${NB}: pas de NIP-77`,

  'bound.peerMaxEvents': (p, t) =>
    `le pair a envoyé plus de ${t.count(p.max, { one: '# événement', other: '# événements', many: '# d’événements' })} dans cette exécution (limite peerMaxEvents)${NB}; coupé, ce qu’il a envoyé avant est gardé`,
  'bound.peerMaxMegabytes': (p, t) => `le relais a envoyé plus de ${t.num(p.mb)} Mo dans cette exécution (limite ${p.bound})${NB}; coupé`,
  'bound.negMaxRounds': (p, t) => `la réconciliation NIP-77 n’a pas abouti en ${t.count(p.max, { one: '# échange', other: '# échanges' })} NEG-MSG (limite negMaxRounds)`,
  'bound.negMaxNeed': (p, t) =>
    `le pair a dit qu’il nous manque plus de ${t.count(p.max, { one: '# identifiant', other: '# identifiants', many: '# d’identifiants' })} en une réconciliation NIP-77 (limite negMaxNeed)`,
  'bound.pagedInstead': (p, t) => `${t.reason(p.why)}${NB}: sa fenêtre a été parcourue par pages à la place`,
  'sync.pagingFlood': () => `pagination arrêtée${NB}: le pair envoyait sans fin de nouveaux événements tous datés de la même seconde`,

  'import.failed': (p, t) => `échec de l’import dans le relais local${NB}: ${t.reason(p.why)}`,
  'import.shortAnswer': (p, t) =>
    `le stockage local a répondu pour ${t.num(p.answered)} des ${t.count(p.sent, { one: '# événement envoyé', other: '# événements envoyés' })} (${p.store})${NB}; le reste n’est pas compté comme détenu`,
  'store.local': (p, t) => `relais local${NB}: ${t.reason(p.why)}`,
  'strfry.cannotRun': (p, t) =>
    `strfry ${p.what}${NB}: impossible d’exécuter ${p.bin}${p.hint === 'missing' ? ' (fichier introuvable)' : p.hint === 'notExecutable' ? ' (non exécutable)' : ''}${NB}: ${t.text(p.detail)}`,
  'strfry.at': (p, t) => `${t.reason(p.why)} (${p.bin}, configuration ${p.conf})`,
  'strfry.scanNotJson': (p) => `strfry ${p.what} (${p.bin}) a affiché une ligne qui n’est pas du JSON${NB}: ${p.line}`,
  'strfry.countNoNumber': (p) => `strfry scan --count (${p.bin}) n’a affiché aucun nombre${NB}: ${q(p.out)}`,
  'strfry.importNoDone': () => `strfry import s’est terminé sans afficher de ligne "Done. Processed … dups"${NB}; impossible de compter ce qu’il a stocké`,
  'strfry.importShortRead': (p, t) =>
    `strfry import a lu ${t.num(p.read)} des ${t.num(p.sent)} lignes qui lui ont été envoyées (${t.num(p.processed)} traitées, ${t.num(p.unparsed)} pas du JSON)`,
  'strfry.importCountsOff': (p, t) => `strfry import a affiché des comptes qui ne tombent pas juste (${t.join(p.problems)})${NB}: ${p.done}`,
  'strfry.countsOver': (p, t) => `added + rejected + dups (${t.num(p.sum)}) dépasse processed (${t.num(p.processed)})`,
  'strfry.countsCommitted': (p, t) => `les lignes Committed totalisent ${t.num(p.committed)}, pas ${t.num(p.added)}`,
  'strfry.countsWriter': (p, t) => `les lignes Writer disent ${t.num(p.added)} added et ${t.num(p.dups)} dups`,
  'strfry.countsRest': (p, t) =>
    `${t.num(p.rest)} événements ne sont dans aucun compte mais les lignes Writer disent ${t.num(p.replaced)} replaced et ${t.num(p.deleted)} deleted`,
  'strfry.failed': (p, t) =>
    `strfry ${p.what} (${p.bin}, config ${p.conf}) ${p.signal ? `a été tué par ${p.signal}` : `a échoué avec le code de sortie ${p.code}`}${NB}: ${t.text(p.detail)}` +
    (p.committed !== null ? `${NB}; il avait stocké ${t.num(p.committed)} des ${t.count(p.sent, { one: '# événement', other: '# événements' })} avant de s’arrêter` : ''),

  'strfry.binInSwarm': (p) =>
    `le binaire strfry ${p.bin} est dans le dossier swarm ${p.swarm} (fichiers publiés par d’autres stations)${NB}: refus de l’exécuter${NB}; indiquez un autre chemin avec --strfry-bin, CONSTELLATION_STRFRY_BIN ou "strfryBin" dans settings.json`,
  'strfry.binUnsafe': (p, t) =>
    `le binaire strfry ${p.bin} ${t.reason(p.why)}${NB}: refus de l’exécuter${NB}; faites-en le vôtre, non modifiable par d’autres (chmod go-w ${p.target})`,
  'strfry.binFolderUnsafe': (p, t) =>
    `le binaire strfry ${p.bin} est dans le dossier ${p.dir}, qui ${t.reason(p.why)}${NB}: refus de l’exécuter${NB}; chmod go-w ${p.dir}, ou installez strfry ailleurs`,
  'unsafe.otherOwner': (p) => `appartient à un autre utilisateur (uid ${p.uid})`,
  'unsafe.everyone': (p) => `peut être modifié par tous les utilisateurs (mode ${p.mode})`,
  'unsafe.sharedGroup': (p) => `peut être modifié par un groupe dont d’autres utilisateurs font partie (mode ${p.mode}, gid ${p.gid})`,

  'run.cancelled': () => 'annulé par le capitaine',
  'run.peersFailed': (p, t) =>
    `${t.count(p.failed, { one: '# pair', other: '# pairs' })} sur ${t.num(p.total)} en échec${p.deadline !== null ? `${NB}; l’échéance de l’exécution (${t.num(p.deadline)} s, réglage runDeadlineSeconds) est passée` : ''}`,
  'run.failed': (p, t) => `la synchronisation ${p.id} a échoué${NB}: ${t.reason(p.why)}`,
  'run.deadlineCut': (p, t) => `synchronisation ${p.id}${NB}: l’échéance de l’exécution (${t.num(p.seconds)} s, réglage runDeadlineSeconds) est passée${NB}: les pairs inachevés ont été coupés`,
  'run.profilesSkipped': (p, t) => `phase des profils sautée${NB}: l’échéance de l’exécution (${t.num(p.seconds)} s, réglage runDeadlineSeconds) est passée`,
  'run.profilesFailed': (p, t) => `échec de la phase des profils${NB}: ${t.reason(p.why)}`,
  'sync.window': (p) => (p.days === 0 ? 'tout' : p.days === 1 ? 'le dernier jour' : `les ${p.days} derniers jours`),
  'run.starting': (p, t) =>
    `synchronisation ${p.id}${NB}: ${t.count(p.peers, { one: '# pair', other: '# pairs' })}, ${t.count(p.members, { one: '# membre', other: '# membres' })}, fenêtre${NB}: ${t.reason(p.window)}`,
  'run.summary': (p, t) =>
    `synchronisation ${p.id}${NB}: ${runWords('fr').outcome[p.outcome] ?? p.outcome}${NB}; ` +
    `${t.count(p.imported, { one: '# importé', other: '# importés' })}, ${t.count(p.duplicates, { one: '# doublon', other: '# doublons' })}, ` +
    `${t.count(p.rejected, { one: '# refusé', other: '# refusés' })}, ${t.count(p.superseded, { one: '# remplacé ou supprimé', other: '# remplacés ou supprimés' })}${NB}; pairs ${p.ok}/${p.total}`,
  'sync.peerDone': (p, t) =>
    `${p.method === 'nip77' ? 'NIP-77' : 'pagination REQ'}, ${t.count(p.fetched, { one: '# reçu', other: '# reçus' })}, ${t.count(p.imported, { one: '# importé', other: '# importés' })}`,
  'sync.shared': (p, t) => {
    const parts = [
      t.count(p.accepted, { one: '# accepté', other: '# acceptés' }),
      p.duplicates ? t.count(p.duplicates, { one: '# déjà détenu', other: '# déjà détenus' }) : '',
      p.refused.length ? `refusés${NB}: ${p.refused.join(', ')}` : '',
      p.unanswered ? `${t.num(p.unanswered)} sans réponse` : '',
    ];
    return `envoi de ${t.count(p.offered, { one: '# événement de membre qui lui manquait', other: '# événements de membres qui lui manquaient' })} (${parts.filter(Boolean).join(`${NB}; `)})`;
  },
  'run.dryRunLine': (p, t) => `essai à blanc${NB}: ${typeof p.line === 'string' ? t.text(p.line) : t.reason(p.line)}`,
  'plan.window': (p, t) =>
    `fenêtre${NB}: ${t.reason(p.window)}${NB}; ${t.count(p.members, { one: '# membre', other: '# membres' })}${NB}; ${p.noDms ? `sans messages privés${NB}; ` : ''}${p.verify ? 'signatures vérifiées' : 'signatures NON vérifiées (--no-verify : les événements falsifiés sont stockés tels quels)'}`,
  // the store's description in French: `relais <url>`, `strfry <bin> (configuration <conf>)`
  'plan.store': (p, t) => `stockage local${NB}: ${t.text(p.store).replace(/^relay /, 'relais ').replace(/ \(config /, ' (configuration ')}`,
  'plan.peer': (p) => `pair ${p.id} (${p.host ?? 'sans nom d’hôte'})${NB}: ${runWords('fr').route[p.route] ?? p.route} ${p.url ?? ''}`,
  'plan.filter': (p, t) =>
    `  ${PASS[p.pass] ?? p.pass}${NB}: ${[
      ...(p.kinds ? [p.kinds.length > 6 ? `${t.num(p.kinds.length)} types` : `types ${p.kinds.join(',')}`] : []),
      p.authors !== null ? t.count(p.authors, { one: '# auteur', other: '# auteurs' }) : 'aucun auteur',
      p.since !== null ? `depuis ${p.since}` : 'tout',
    ].join(', ')}`,
  'plan.skipped': (p, t) => `ignoré ${p.id}${NB}: ${t.reason(p.why)}`,
  'run.noPeer': () => `aucun pair synchronisable dans le dossier swarm${NB}: rien à synchroniser`,
  'run.memoryNotSaved': (p, t) => `impossible d’enregistrer la mémoire des pairs${NB}: ${t.reason(p.why)}`,
  'run.profilesNotRefreshed': (p, t) => `index des profils non rafraîchi${NB}: ${t.reason(p.why)}`,
  'run.graphNotRecomputed': (p, t) => `graphe non recalculé${NB}: ${t.reason(p.why)}`,
  'known.unreadable': (p, t) => `${p.path}${NB}: ${t.reason(p.why)}${NB}; on repart d’une réconciliation complète`,
  'known.notSaved': (p, t) => `impossible d’enregistrer ce qu’il détient${NB}: ${t.reason(p.why)}`,
  'history.notSaved': (p, t) => `impossible d’enregistrer l’exécution ${p.id} dans l’historique${NB}: ${t.reason(p.why)}`,
  'sync.alreadyRunning': (p) => `une synchronisation tourne déjà dans cette application (exécution ${p.id})`,
  'station.stampNotWritten': (p, t) => `impossible d’écrire l’horodatage de la dernière exécution de la station ${p.path}${NB}: ${t.reason(p.why)}`,
  'known.badMagic': () => 'pas un fichier d’identifiants connus (signature invalide)',
  'known.truncated': () => 'fichier d’identifiants connus tronqué',
  'history.damaged': (p) => `l’index de l’historique ${p.path} est abîmé${NB}; un nouveau est commencé`,
  'history.unreadable': (p, t) => `impossible de lire l’index de l’historique ${p.path}${NB}: ${t.reason(p.why)}`,

  'card.invalidJson': (p, t) => `JSON invalide (${t.text(p.detail)})`,
  'card.notObject': () => 'pas un objet JSON',
  'card.badKey': (p) => `${p.field} n’est pas une clé hexadécimale de 64 caractères${NB}; ignoré`,
  'card.peerIdMismatch': (p) => `ipfsnodeid ${p.peerId} diffère du nom du dossier`,
  'moats.unusable': (p, t) => `${t.reason(p.why)}${NB}: fraîcheur inconnue`,
  'moats.empty': () => 'vide',
  'moats.notTimestamp': (p) => `pas un horodatage (${q(p.value)})`,
  'moats.badDate': (p) => `pas une date valide (${p.value})`,
  'moats.unknownFormat': (p) => `format d’horodatage inconnu (${p.digits} chiffres)`,
  'swarm.tooMany': (p, t) => `plus de ${t.num(p.max)} dossiers de balise${NB}: le reste est ignoré`,
  'swarm.notFolder': (p) => `${entryWhat(p.entry)}, pas un dossier de balise${NB}; ignoré`,
  'members.notFolder': (p) => `${entryWhat(p.entry)} là où un dossier de membre est attendu${NB}; ignoré`,
  'members.emptyHex': () => `vide${NB}: aucune clé, le dossier n’est pas compté comme membre`,
  'members.badLines': (p, t) => {
    const one = p.count === 1;
    const more = p.more > 0 ? `, … ${t.num(p.more)} de plus` : '';
    const binary = p.binary > 0 ? ` (${t.num(p.binary)} avec des octets binaires ou non UTF-8)` : '';
    return (
      `${t.num(p.count)} ${one ? 'ligne n’est' : 'lignes ne sont'} pas une clé hexadécimale de 64 caractères ` +
      `(${one ? 'ligne' : 'lignes'} ${p.lines.join(', ')}${more})${binary}${NB}; ${one ? 'ignorée' : 'ignorées'}`
    );
  },
  'self.noPeerId': () => 'aucun Identity.PeerID valide',
  'self.invalidJson': () => 'JSON invalide',
  'self.severalBeacons': (p) => `plusieurs dossiers de balise (${p.folders.join(', ')})${NB}; ${p.chosen} est utilisé`,
  'file.missing': () => 'absent',
  'file.rootNotFolder': () => 'la racine de la station n’est pas un dossier',
  'file.pathNotFolder': () => 'un dossier du chemin n’en est pas un',
  'file.brokenLink': () => 'lien symbolique cassé',
  'file.linkLoop': () => 'boucle de liens symboliques',
  'file.linkOutside': () => 'lien symbolique pointant hors de la racine de la station, refusé',
  'file.secretLink': () => 'lien symbolique vers un fichier de clé privée, refusé',
  'file.secretRefused': (p) => `refus d’ouvrir un fichier de clé privée (${p.name})`,
  'file.becameLink': () => 'devenu un lien symbolique pendant la lecture, refusé',
  'file.cannotResolve': (p, t) => `impossible à résoudre (${t.text(p.detail)})`,
  'file.cannotList': (p, t) => `impossible de lister (${t.text(p.detail)})`,
  'file.cannotOpen': (p, t) => `impossible d’ouvrir (${t.text(p.detail)})`,
  'file.notFolder': () => 'pas un dossier',
  'file.binary': () => 'contenu binaire (octets NUL)',
  'file.notUtf8': () => 'pas du texte UTF-8',
  'file.permission': () => 'illisible (permission refusée)',
  'file.isFolder': () => 'un dossier, pas un fichier',
  'file.notRegular': () => 'pas un fichier ordinaire',
  'file.tooLarge': (p, t) => `trop volumineux (${t.num(p.size)} octets, limite ${t.num(p.limit)})`,
  'file.tooLargeOver': (p, t) => `trop volumineux (plus de ${t.num(p.limit)} octets)`,
  'watch.polling': (p, t) => `la surveillance de ${p.path} a échoué (${t.text(p.detail)})${NB}; il est relu à intervalles réguliers`,

  'station.missing': (p) =>
    `aucune station à ${p.root}${NB}: le dossier n’existe pas (vérifiez --zen-root ou la racine de la station dans les Réglages)`,
  'station.rereadFailed': (p, t) => `station ${p.root}${NB}: la relecture après un changement a échoué${NB}: ${t.reason(p.why)}`,
  'station.empty': (p) =>
    `aucune station à ${p.root}${NB}: il ne contient ni tmp/, ni strfry/, ni game/ (vérifiez --zen-root ou la racine de la station dans les Réglages)`,

  'stats.counted': (p) => `compté par ${p.store}`,
  'stats.cannotCount': (p) => `${p.store}${NB}: impossible de compter les événements`,
  'stats.countFailed': (p, t) => `${p.store}${NB}: le comptage a échoué (${t.reason(p.why)})`,
  'stats.noStore': (p, t) => `pas de stockage local${NB}: ${t.reason(p.why)}`,

  'url.empty': () => 'URL de relais vide',
  'url.tooLong': (p, t) => `URL de relais de plus de ${t.num(p.max)} caractères`,
  'url.invalid': (p) => `l’URL de relais ${q(p.url)} n’est pas une URL valide`,
  'url.notWs': (p) => `l’URL de relais ${q(p.url)} n’est pas une URL ws:// ou wss://`,
  'url.noHost': (p) => `l’URL de relais ${q(p.url)} n’a pas d’hôte`,
  'url.credentials': (p) => `l’URL de relais ${q(p.url)} contient des identifiants, refusée`,
  'url.query': (p) => `l’URL de relais ${q(p.url)} contient une chaîne de requête, refusée`,
  'url.fragment': (p) => `l’URL de relais ${q(p.url)} contient un fragment, refusée`,
  'url.path': (p) => `l’URL de relais ${q(p.url)} a un chemin au-delà de /, refusée`,

  'service.noAnswer': (p) => `pas de réponse dans les ${p.ms} ms`,
  'service.invalidUrl': (p, t) => `URL de relais invalide${NB}: ${t.text(p.detail)}`,
  'service.kuboHttp': (p) => `kubo a répondu HTTP ${p.status}`,

  'timeouts.notJson': (p) =>
    `CONSTELLATION_TIMEOUTS n’est pas du JSON (${p.text})${NB}: donnez un objet de délais en ms, par exemple {"kuboPing":3000}`,
  'timeouts.notObject': () => 'CONSTELLATION_TIMEOUTS doit être un objet de délais en ms, par exemple {"kuboPing":3000}',
  'timeouts.unknown': (p) => `CONSTELLATION_TIMEOUTS${NB}: aucun délai ne s’appelle ${q(p.name)} (délais connus${NB}: ${p.known.join(', ')})`,
  'timeouts.notPositive': (p) => `CONSTELLATION_TIMEOUTS${NB}: ${p.name} doit être un nombre positif`,
  'settings.invalid': (p, t) => `réglages invalides${NB}: ${t.join(p.issues)}`,
  'settings.captainOnly': (p) =>
    `réglage refusé${NB}: ${p.key} ne se change pas depuis la fenêtre ni par l’API web (il décide du programme lancé)${NB}; réglez-le sur la station${NB}: ${p.flag}, ${p.env}, ou «${NB}${p.key}${NB}» dans ${p.path}`,
  'settings.tightened': (p) => `${p.path} était lisible par d’autres utilisateurs (il contient kuboAuth)${NB}: rendu privé (0600)`,
  'settings.fileIgnored': (p, t) => `${p.path}${NB}: ignoré, ${t.join(p.issues)}`,
  'settings.fileNotJson': (p, t) => `${p.path}${NB}: ignoré, JSON invalide (${t.text(p.detail)})`,
  'settings.fileUnreadable': (p, t) => `${p.path}${NB}: ${t.text(p.detail)}`,
  'contract.invalidInput': (p, t) => `${p.call}${NB}: entrée invalide${NB}: ${t.join(p.issues)}`,
  'contract.invalidOutput': (p, t) => `${p.call}${NB}: réponse invalide du moteur${NB}: ${t.join(p.issues)}`,
  'contract.invalidEvent': (p, t) => `${p.event}${NB}: événement invalide${NB}: ${t.join(p.issues)}`,
  'contract.unknownCall': (p) => `appel inconnu ${p.call}`,
  'input.field': (p, t) => `${p.path}${NB}: ${t.reason(p.why)}`,
  'input.wsUrl': () => 'une URL ws:// ou wss://',
  'input.httpUrl': () => 'une URL http:// ou https://',
  'input.hex64': () => 'une clé hexadécimale de 64 caractères en minuscules',
  'input.zenRootEmpty': () => 'la racine de la station ne peut pas être vide',
  'input.daysNegative': () => 'le nombre de jours doit valoir 0 (tout) ou plus',
  'input.noKind': () => 'choisissez au moins un type',
  'input.check': (p, t) => {
    const what = ORIGIN[p.origin ?? ''] ?? 'valeur';
    const limit = p.limit === undefined ? '' : t.num(p.limit);
    switch (p.check) {
      case 'too_small':
        if (p.origin === 'string') return `trop court${NB}: au moins ${limit} caractère(s) attendu(s)`;
        if (p.origin === 'array') return `trop court${NB}: au moins ${limit} élément(s) attendu(s)`;
        return `trop petit${NB}: ${what} attendu ${p.inclusive ? '>=' : '>'}${limit}`;
      case 'too_big':
        if (p.origin === 'string') return `trop long${NB}: au plus ${limit} caractère(s) attendu(s)`;
        if (p.origin === 'array') return `trop long${NB}: au plus ${limit} élément(s) attendu(s)`;
        return `trop grand${NB}: ${what} attendu ${p.inclusive ? '<=' : '<'}${limit}`;
      case 'invalid_type':
        return `entrée invalide${NB}: ${TYPE[p.expected ?? ''] ?? p.expected ?? '?'} attendu, ${TYPE[p.received ?? ''] ?? p.received ?? '?'} reçu`;
      case 'invalid_value':
        return `option invalide${NB}: valeur attendue parmi ${(p.values ?? []).join('|')}`;
      case 'unrecognized_keys':
        return `clé(s) inconnue(s)${NB}: ${(p.values ?? []).join(', ')}`;
      case 'invalid_format':
        return 'format invalide';
      default:
        return t.text(p.text);
    }
  },

  'profiles.noPeerHolds': () => 'aucun pair ne détient son profil',
  'profiles.noFallback': () => 'aucun relais de secours configuré',
  'profiles.noSyncablePeer': () => 'aucun pair synchronisable',
  'profiles.noReachablePeer': (p, t) =>
    `${p.count === 1 ? 'le seul pair synchronisable était injoignable' : `les ${t.num(p.count)} pairs synchronisables étaient injoignables`} lors de la synchronisation de cette exécution${NB}: ${p.count === 1 ? 'pas redemandé' : 'pas redemandés'}`,
  'profiles.notFound': () => 'introuvable',
  'profiles.fullSync': (p, t) => `${t.reason(p.peer)}${NB}: synchro complète, ${t.count(p.events, { one: '# événement', other: '# événements', many: '# d’événements' })}`,
  'profiles.fallbackFound': (p) => `relais de secours ${p.url}${NB}: kind 0`,
  'profiles.fallbackNone': (p) => `relais de secours ${p.url}${NB}: pas de kind 0`,
  'profiles.fallbackFailed': (p, t) => `relais de secours ${p.url}${NB}: ${t.reason(p.why)}`,
  'profiles.noAnswer': (p) => `pas de réponse dans les ${p.ms} ms (timeouts.profile)`,
  'profiles.noWay': (p, t) => `${t.reason(p.peer)}${NB}: aucun chemin vers son relais${NB}: ${t.reason(p.why)}`,
  'profiles.cannotConnect': (p, t) => `${t.reason(p.peer)}${NB}: impossible de se connecter à ${p.url}${NB}: ${t.reason(p.why)}`,
  'profiles.gone': (p, t) => `${t.reason(p.peer)}${NB}: son profil avait disparu au moment de la synchro complète`,
  'profiles.fullSyncTimeout': (p) => `synchro complète non terminée dans les ${p.ms} ms (timeouts.profile)`,
  'profiles.profileOnly': (p, t) => `${t.reason(p.peer)}${NB}: profil seul, échec de la synchro complète${NB}: ${t.reason(p.why)}`,
  'profiles.importFailed': (p, t) => `échec de l’import dans le relais local${NB}: ${t.reason(p.why)}`,
  'profiles.still': (p, t) => t.join(p.whys),
  'profiles.dryRun': (p, t) =>
    `essai à blanc${NB}: serait demandé à ${t.count(p.peers, { one: '# pair', other: '# pairs' })}, puis à ${t.num(p.fallbacks)} relais de secours`,
  'profiles.refused': (p, t) =>
    `profils${NB}: ${t.count(p.count, { one: '# événement refusé', other: '# événements refusés' })} par le relais local (${p.reasons.map((r) => t.text(r)).join(', ')})`,
  'profiles.outsideRoot': (p) => `export des profils${NB}: ${p.dir} mène à ${p.real}, hors de la racine de la station ${p.root}${NB}; non écrit`,
  'profiles.exportFailed': (p, t) => `profils${NB}: impossible d’écrire l’export de la station${NB}: ${t.reason(p.why)}`,
  'profiles.stillMissing': (p, t) =>
    `profils${NB}: ${t.count(p.count, { one: '# membre', other: '# membres' })} sur ${t.num(p.total)} toujours sans profil (${t.join(p.whys)})`,

  'profiles.exported': (p, t) => `profils${NB}: export écrit (${t.count(p.count, { one: '# membre', other: '# membres' })}) dans ${p.json} et ${p.csv}`,
  'profiles.recovering': (p, t) =>
    `profils${NB}: ${t.num(p.missing)} membre${p.missing === 1 ? '' : 's'} sur ${t.num(p.members)} sans profil dans le relais local${NB}; récupération en cours`,
  'graph.notHex': (p) => `graphe${NB}: ${q(p.value)} n’est pas une clé hexadécimale de 64 caractères`,
  'graph.workerMissing': (p) => `le calcul du graphe est introuvable${NB}: ni ${p.built} ni ${p.source} n’existent (installation abîmée${NB}?)`,
  'graph.workerFailed': (p, t) => `le calcul du graphe (${p.job}) a échoué${NB}: ${t.reason(p.why)}`,
  'graph.workerCrashed': (p, t) => `le calcul du graphe (${p.job}) s’est arrêté brutalement${NB}: ${t.text(p.detail)}`,
  'graph.workerExited': (p) => `le calcul du graphe (${p.job}) s’est terminé avec le code ${p.exitCode} avant de répondre`,
  'graph.recomputeFailed': (p, t) => `graphe${NB}: le recalcul après la synchronisation a échoué${NB}: ${t.reason(p.why)}`,
  'graph.savedOld': (p) => `graphe${NB}: ${p.file} n’est pas une portée enregistrée par cette version${NB}; il sera réécrit après le prochain calcul`,
  'graph.cannotRead': (p, t) => `graphe${NB}: impossible de lire ${p.file}${NB}: ${t.text(p.detail)}`,
  'graph.unreadable': (p, t) => `graphe${NB}: ${p.file} est illisible (${t.text(p.detail)})${NB}; il sera réécrit après le prochain calcul`,
  'graph.cannotSave': (p, t) => `graphe${NB}: impossible d’enregistrer ${p.file}${NB}: ${t.text(p.detail)} (la portée reste en mémoire)`,
  'graph.subgraphFailed': (p, t) => `graphe${NB}: le dessin du sous-graphe a échoué${NB}: ${t.reason(p.why)}`,
  'graph.noResult': () => `graphe${NB}: le calcul s’est terminé sans résultat`,
  'graph.computed': (p, t) =>
    `graphe${NB}: ${t.count(p.members, { one: '# membre', other: '# membres' })}, N1 ${t.num(p.n1)}, N2 ${t.num(p.n2)}, ${t.count(p.edges, { one: '# lien', other: '# liens' })} en ${t.num(p.ms)} ms ` +
    `(listes d’abonnements ${t.num(p.listsMs)} ms, analyse ${t.num(p.analysisMs)} ms, couverture ${t.num(p.coverageMs)} ms)` +
    (p.overCap > 0 ? ` (${t.count(p.overCap, { one: '# liste d’abonnements', other: '# listes d’abonnements' })} de plus de ${t.num(p.cap)} entrées ignorée${p.overCap === 1 ? '' : 's'})` : ''),

  'schedule.off': () => 'la planification est désactivée dans les réglages',
  'schedule.isPaused': () => 'la planification est en pause',
  'schedule.notDue': () => 'pas encore l’heure',
  'schedule.due': () => 'c’est l’heure',
  'schedule.running': () => 'une synchronisation est déjà en cours dans Constellation',
  'schedule.lockHeld': (p, t) => `le verrou de la station est pris${p.detail ? ` (${t.reason(p.detail)})` : ''}`,
  'schedule.tooSoon': (p) =>
    `la dernière exécution a commencé ${p.agoMinutes < 1 ? 'il y a moins d’une minute' : `il y a ${p.agoMinutes} min`} (moins de ${p.gapMinutes} min)`,
  'schedule.noHost': () => 'pas de planification dans cet hôte (l’application de bureau et `serve --schedule` en ont une)',
  'schedule.note': (p, t) => `${p.at} ${t.reason(p.why)}`,
  'schedule.skipped': (p, t) => `exécution sautée${NB}: ${t.reason(p.why)}`,
  'schedule.started': (p) => `exécution ${p.runId} lancée`,
  'schedule.cannotStart': (p, t) => `l’exécution planifiée n’a pas pu démarrer${NB}: ${t.reason(p.why)}`,
  'schedule.paused': () => 'en pause',
  'schedule.resumed': () => 'reprise',
  'schedule.woke': () => `la machine s’est réveillée${NB}: réévaluation sous peu`,
  'schedule.clockJumped': (p) => `l’horloge a sauté de ${p.minutes} min (veille ou changement d’heure)${NB}: réévaluation`,
  'schedule.interval': (p) => `intervalle réglé à ${p.minutes} min`,
  'schedule.planned': (p) => `planifié toutes les ${p.minutes} min${NB}; prochaine exécution à ${p.at}`,
  'schedule.log': (p, t) => `planification${NB}: ${t.reason(p.why)}`,
  'schedule.historyUnreadable': (p, t) => `planification${NB}: impossible de lire l’historique des exécutions${NB}: ${t.reason(p.why)}`,
  'lock.cannotCheck': (p, t) => `impossible de vérifier le verrou${NB}: ${t.reason(p.why)}`,
  'lock.symlink': (p) => `${p.path} est un lien symbolique, non suivi`,
  'lock.unreadable': (p, t) => `impossible de lire ${p.path}${NB}: ${t.text(p.detail)}`,
  'lock.noPid': (p) => `${p.path} ne contient aucun PID (périmé)`,
  'lock.pid': (p) => `PID ${p.pid}`,
  'lock.notRunning': (p) => `le PID ${p.pid} ne tourne plus`,
  'lock.stale': (p, t) => `verrou périmé${NB}: ${t.reason(p.why)}`,
  'lock.held': (p) => `une synchronisation tourne déjà (le PID ${p.pid} tient ${p.path})${NB}; réessayez quand elle sera finie`,
  'lock.heldDryRun': (p) => `essai à blanc${NB}: une synchronisation tient le verrou (PID ${p.pid})${NB}; une vraie exécution serait refusée maintenant`,
  'lock.empty': () => 'il ne contient aucun PID',
  'lock.beforeBoot': (p) => `écrit avant le dernier démarrage de la machine${NB}; le PID ${p.pid} appartient maintenant à un autre processus`,
  'lock.pidReused': (p) => `le PID ${p.pid} appartient maintenant à un processus démarré après son écriture`,
  'lock.removedStale': (p, t) => `verrou périmé ${p.path} supprimé (${t.reason(p.why)})`,
  'lock.cannotWrite': (p, t) => `impossible d’écrire le verrou ${p.path}${NB}: ${t.reason(p.why)}`,
  'lock.cannotTakeOver': (p, t) => `impossible de reprendre le verrou périmé ${p.path}${NB}: ${t.reason(p.why)}`,
  'lock.keepsComingBack': (p) => `impossible de prendre le verrou ${p.path}${NB}: il revient sans cesse`,

  'engine.leftoverTunnels': (p, t) => `tunnels restants${NB}: ${t.reason(p.why)}`,
  'engine.demoStop': (p, t) => `démo${NB}: ${t.reason(p.why)}`,
  'files.swept': (p, t) =>
    `${t.count(p.files.length, { one: '# fichier temporaire laissé', other: '# fichiers temporaires laissés' })} par une écriture interrompue, supprimé${p.files.length === 1 ? '' : 's'}${NB}: ${p.files.join(', ')}`,
  'files.notSwept': (p, t) => `fichiers temporaires restants non balayés${NB}: ${t.reason(p.why)}`,
  'engine.notStarted': () => 'le moteur n’est pas démarré',
  'history.noRun': (p) => `aucune exécution ${p.id} dans l’historique`,

  'live.notInHost': () => 'la synchronisation en direct ne tourne pas dans cet hôte (l’application de bureau, `serve --live` et `constellation live` la font tourner)',
  'live.settingOff': () => 'la synchronisation en direct est désactivée dans les réglages',
  'live.notStarted': () => 'la synchronisation en direct n’est pas démarrée',
  'live.stopped': () => 'la synchronisation en direct est arrêtée',
  'live.engineStopping': () => 'le moteur s’arrête',
  'live.restarting': () => 'redémarrage avec les nouveaux réglages',
  'live.couldNotStart': (p, t) => `la synchronisation en direct n’a pas pu démarrer${NB}: ${t.reason(p.why)}`,
  'live.log': (p, t) => `synchro en direct${NB}: ${t.reason(p.why)}`,
  'live.catchUpFailed': (p, t) => `échec du rattrapage (${t.reason(p.why)})${NB}; le flux continue, nouvel essai dans ${p.retrySeconds}${NB}s`,
  'live.localRelay': (p, t) => `relais local ${p.url}${NB}: ${t.reason(p.why)}`,
  'live.refusing': (p, t) => `${who(p.peer, t)} refuse les événements de cette station (${t.text(p.answer)})${NB}; aucun envoi avant ${p.until}`,
  'live.resubscribeFailed': (p, t) => `${who(p.peer, t)}${NB}: échec du réabonnement (${t.reason(p.why)})${NB}; reconnexion`,
  'live.importLost': (p, t) => `${t.reason(p.why)}${NB}; les événements sont redemandés à leurs pairs`,
  'live.started': (p) =>
    `démarrée avec ${p.peers} pair(s), ${p.members} membres${p.share ? '' : ' (sans partager les événements de cette station)'}`,
  'live.streaming': (p, t) => `${who(p.peer, t)}${NB}: flux ouvert (${p.via === 'tunnel' ? 'tunnel' : 'direct'}, ${p.subscriptions} abonnement(s))`,
  'live.caughtUp': (p, t) =>
    `${who(p.peer, t)}${NB}: rattrapé depuis ${p.since} (${p.method})${NB}: ${p.queued} nouveaux sur ${p.fetched} reçus, ${p.offered} envoyés`,
  'live.peerGone': (p, t) =>
    `${typeof p.peer === 'string' ? `pair ${p.peer}` : t.reason(p.peer)}${NB}: ${p.routeChanged ? `sa route a changé${NB}; reconnexion` : `n’est plus un pair synchronisable${NB}; lien fermé`}`,
  'live.following': (p) => `${p.members} membres suivis désormais`,
  'live.stillClosing': (p) => `${p.links} lien(s) encore en fermeture après ${p.ms}${NB}ms${NB}; on continue`,
  'live.cannotSave': (p, t) => `impossible d’enregistrer ce que couvre le flux de chaque pair${NB}: ${t.reason(p.why)}`,
  'live.stationUnreadable': (p, t) => `échec de la lecture de la station${NB}: ${t.reason(p.why)}`,
  'live.ended': () => 'arrêtée',
  'live.marksUnreadable': (p, t) => `${p.path}${NB}: ${t.reason(p.why)}${NB}; la synchro en direct rattrape la dernière heure avec chaque pair`,
  'live.noPeersObject': () => 'pas d’objet "peers"',
  'share.cannotRead': (p, t) => `impossible de lire les événements récents du relais local à partager${NB}: ${t.reason(p.why)}`,
  'sync.shareRefused': (p, t) => `refuse les événements de cette station (${t.text(p.answer)})${NB}: rien de plus ne lui a été envoyé pendant cette exécution`,

  'cli.cannotRun': (p, t) => `impossible d’exécuter ${p.program}${NB}: ${t.text(p.detail)}`,
  'cli.noPackageRoot': (p) => `dossier du paquet Constellation introuvable au-dessus de ${p.from}`,
  'cli.rendererMissing': (p) => `l’interface construite est absente (${p.path} introuvable)${NB}: lancez npm run build`,
  'service.systemctlFailed': (p) =>
    `systemctl --user ${p.args} a échoué (code de sortie ${p.code})${NB}: ${p.output || 'aucun message'}`,
  'service.templateUnreadable': (p, t) =>
    `le modèle d’unité ${p.path} est illisible (${t.text(p.detail)})${NB}: l’installation est-elle complète${NB}?`,
  'service.wrote': (p) => `écrit${NB}: ${p.path}`,
  'service.removed': (p) => `supprimé${NB}: ${p.path}`,
};
