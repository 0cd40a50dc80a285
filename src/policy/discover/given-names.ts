// Common given names (Swedish, Nordic, English) and surname endings, to recognise person names
// in sampled values. A hint, not a register: a match is evidence for a human to weigh.

/** Common given names, lower-case. */
export const GIVEN_NAMES: ReadonlySet<string> = new Set([
  'anna', 'eva', 'maria', 'karin', 'sara', 'lena', 'kerstin', 'emma', 'ingrid', 'malin', 'linnéa', 'linnea',
  'elin', 'sofia', 'johanna', 'helena', 'ida', 'annika', 'frida', 'maja', 'astrid', 'elsa', 'alice', 'ebba',
  'wilma', 'julia', 'ella', 'olivia', 'saga', 'agnes', 'klara', 'hanna', 'jenny', 'cecilia', 'camilla',
  'marie', 'birgitta', 'margareta', 'elisabeth', 'ulla', 'gunilla', 'louise', 'therese', 'caroline', 'lisa',
  'erik', 'lars', 'karl', 'anders', 'johan', 'per', 'nils', 'mikael', 'michael', 'jan', 'hans', 'peter',
  'olof', 'gustav', 'fredrik', 'daniel', 'magnus', 'mattias', 'oskar', 'oscar', 'viktor', 'victor', 'björn',
  'stefan', 'thomas', 'tomas', 'andreas', 'jonas', 'martin', 'niklas', 'henrik', 'alexander', 'david',
  'william', 'liam', 'noah', 'hugo', 'lucas', 'adam', 'elias', 'axel', 'filip', 'leo', 'emil', 'anton',
  'sven', 'bengt', 'göran', 'leif', 'ulf', 'bo', 'kjell', 'åke', 'roger', 'mats', 'patrik', 'christer',
  'john', 'james', 'robert', 'mary', 'patricia', 'jennifer', 'linda', 'elizabeth', 'susan', 'sarah', 'jessica',
  'joseph', 'charles', 'christopher', 'matthew', 'anthony', 'mark', 'paul', 'steven', 'andrew', 'joshua',
  'emily', 'laura', 'karen', 'nancy', 'betty', 'helen', 'amy', 'rachel', 'kevin', 'brian', 'george', 'edward',
  'ole', 'ola', 'kari', 'jens', 'mette', 'sanna', 'mika', 'juha', 'timo', 'pekka', 'jukka', 'matti',
]);

/** Endings of common Nordic surnames. */
export const SURNAME_ENDINGS = /(sson|son|sen|berg|ström|strom|lund|qvist|kvist|gren|blad|dahl|holm|borg|stedt|man|ner|lin|ius)$/;
