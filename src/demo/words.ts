/** Words the demo's generated people and notes are made of (deterministic picks, see plan.ts). */

export const FIRST_NAMES = [
  'Alice', 'Bastien', 'Camille', 'Damien', 'Elodie', 'Fanny', 'Gaspard', 'Hélène', 'Inès', 'Jules', 'Karim', 'Léa',
  'Manon', 'Nicolas', 'Océane', 'Paul', 'Quentin', 'Romane', 'Samuel', 'Théo', 'Ursule', 'Victor', 'Wendy', 'Xavier',
  'Yasmine', 'Zoé', 'Anouk', 'Benoît', 'Chloé', 'Denis', 'Emma', 'Félix', 'Gaëlle', 'Hugo', 'Iris', 'Joseph',
  'Louise', 'Marius', 'Nina', 'Oscar', 'Pauline', 'Rémi', 'Sarah', 'Tom', 'Valentin', 'Yann', 'Mila', 'Arthur',
];

export const LAST_NAMES = [
  'Martin', 'Bernard', 'Dubois', 'Thomas', 'Robert', 'Richard', 'Petit', 'Durand', 'Leroy', 'Moreau', 'Simon',
  'Laurent', 'Lefebvre', 'Michel', 'Garcia', 'David', 'Bertrand', 'Roux', 'Vincent', 'Fournier', 'Morel', 'Girard',
  'André', 'Mercier', 'Dupont', 'Lambert', 'Bonnet', 'François', 'Martinez', 'Legrand', 'Garnier', 'Faure',
];

export const TRADES = [
  'maraîchère', 'menuisier', 'developer', 'beekeeper', 'teacher', 'photographer', 'baker', 'cyclist', 'musician',
  'permaculture nerd', 'nurse', 'potter', 'sysadmin', 'farmer', 'illustrator', 'translator', 'brewer', 'carpenter',
];

export const PLACES = ['Toulouse', 'Lyon', 'Nantes', 'Rennes', 'Grenoble', 'Montpellier', 'Bordeaux', 'Lille', 'Brest', 'Annecy'];

export const TOPICS = [
  'the market', 'a new seed swap', 'the river walk', 'our solar panels', 'the village assembly', 'a repair café',
  'the community garden', 'my first Nostr relay', 'an IPFS pinning party', 'the bike workshop', 'the bread oven',
  'a hiking trail', 'the local currency', 'the library', 'a jam session', 'the apple harvest', 'the co-op',
];

export const OPENERS = [
  'Just back from', 'Thinking about', 'Who is coming to', 'Loved', 'Photos from', 'Notes on', 'A question about',
  'Can anyone help with', 'Good morning from', 'Reminder:', 'Small victory at', 'Rainy day at',
];

export const ENDINGS = ['', ' 🌱', ' ☀️', ' 🚲', ' #UPlanet', ' #nostr', ' #astroport', ' — see you there!', ' 🙏', ' #g1'];

export const ARTICLE_TITLES = [
  'How our station syncs with its neighbours', 'A week of vegetables', 'Repairing a bicycle hub', 'Running a relay at home',
  'Notes from the assembly', 'Seed library: what we learned', 'Baking with the wood oven', 'A guide to the river trail',
  'Why we pin our files together', 'The co-op accounts, explained',
];

export const REACTIONS = ['+', '+', '+', '🤙', '❤️', '🔥', '👍'];
