/**
 * Word lists for the tracking seed's invented Swedish data. Names are common Swedish first and last
 * names combined at random, company names are assembled from parts: nobody real is described.
 * Cities are real places because positions must fall on the map.
 */

/** Common Swedish first names. */
export const firstNames: readonly string[] = [
  'Anna', 'Eva', 'Maria', 'Karin', 'Sara', 'Lena', 'Kerstin', 'Emma', 'Ingrid', 'Malin',
  'Linnéa', 'Elin', 'Sofia', 'Johanna', 'Helena', 'Ida', 'Annika', 'Frida', 'Maja', 'Astrid',
  'Erik', 'Lars', 'Karl', 'Anders', 'Johan', 'Per', 'Nils', 'Mikael', 'Jan', 'Hans',
  'Peter', 'Olof', 'Gustav', 'Fredrik', 'Daniel', 'Magnus', 'Mattias', 'Oskar', 'Viktor', 'Björn',
];

/** Common Swedish last names. */
export const lastNames: readonly string[] = [
  'Andersson', 'Johansson', 'Karlsson', 'Nilsson', 'Eriksson', 'Larsson', 'Olsson', 'Persson',
  'Svensson', 'Gustafsson', 'Pettersson', 'Jonsson', 'Jansson', 'Hansson', 'Bengtsson', 'Jönsson',
  'Lindberg', 'Jakobsson', 'Magnusson', 'Lindström', 'Olofsson', 'Lindqvist', 'Lindgren', 'Berg',
  'Axelsson', 'Bergström', 'Lundberg', 'Lundgren', 'Mattsson', 'Berglund', 'Fredriksson', 'Sandberg',
  'Henriksson', 'Forsberg', 'Sjöberg', 'Wallin', 'Engström', 'Eklund', 'Danielsson', 'Håkansson',
];

/** Street names; a house number is added. */
export const streets: readonly string[] = [
  'Storgatan', 'Kyrkogatan', 'Drottninggatan', 'Industrivägen', 'Skolgatan', 'Järnvägsgatan',
  'Parkvägen', 'Björkvägen', 'Hamngatan', 'Sjövägen', 'Ringvägen', 'Åkervägen', 'Verkstadsgatan',
  'Lagervägen', 'Transportvägen', 'Kvarngatan', 'Ekvägen', 'Tallvägen', 'Fabriksgatan', 'Smedjegatan',
  'Mejerivägen', 'Stationsgatan', 'Lövängsvägen', 'Bruksgatan', 'Hantverkargatan',
];

/** A city: where customers live and where their vehicles drive. */
export interface City {
  name: string;
  /** First three digits of the city's postal codes (NNN NN). */
  postalPrefix: string;
  /** Centre latitude in millionths of a degree. */
  latMicro: number;
  /** Centre longitude in millionths of a degree. */
  lonMicro: number;
  /**
   * Millionths of a degree of longitude per kilometre east at this latitude (8993 / cos(lat)),
   * precomputed so the seed's SQL needs no trigonometry, whose last bits differ between C libraries.
   */
  lonMicroPerKm: number;
  /** Relative share of customers. */
  weight: number;
}

/** Swedish cities with approximate centre coordinates. */
export const cities: readonly City[] = [
  { name: 'Stockholm', postalPrefix: '114', latMicro: 59329300, lonMicro: 18068600, lonMicroPerKm: 17630, weight: 6 },
  { name: 'Göteborg', postalPrefix: '411', latMicro: 57708900, lonMicro: 11974600, lonMicroPerKm: 16834, weight: 4 },
  { name: 'Malmö', postalPrefix: '211', latMicro: 55605000, lonMicro: 13003800, lonMicroPerKm: 15920, weight: 3 },
  { name: 'Uppsala', postalPrefix: '753', latMicro: 59858600, lonMicro: 17638900, lonMicroPerKm: 17910, weight: 2 },
  { name: 'Västerås', postalPrefix: '722', latMicro: 59609900, lonMicro: 16544800, lonMicroPerKm: 17777, weight: 1 },
  { name: 'Örebro', postalPrefix: '702', latMicro: 59275300, lonMicro: 15213400, lonMicroPerKm: 17602, weight: 1 },
  { name: 'Linköping', postalPrefix: '582', latMicro: 58410800, lonMicro: 15621400, lonMicroPerKm: 17168, weight: 1 },
  { name: 'Helsingborg', postalPrefix: '252', latMicro: 56046500, lonMicro: 12694500, lonMicroPerKm: 16101, weight: 1 },
  { name: 'Jönköping', postalPrefix: '553', latMicro: 57782600, lonMicro: 14161800, lonMicroPerKm: 16868, weight: 1 },
  { name: 'Norrköping', postalPrefix: '602', latMicro: 58587700, lonMicro: 16192400, lonMicroPerKm: 17255, weight: 1 },
  { name: 'Lund', postalPrefix: '222', latMicro: 55704700, lonMicro: 13191000, lonMicroPerKm: 15960, weight: 1 },
  { name: 'Umeå', postalPrefix: '903', latMicro: 63825800, lonMicro: 20263000, lonMicroPerKm: 20388, weight: 1 },
  { name: 'Gävle', postalPrefix: '802', latMicro: 60674900, lonMicro: 17141300, lonMicroPerKm: 18362, weight: 1 },
  { name: 'Borås', postalPrefix: '503', latMicro: 57721000, lonMicro: 12940100, lonMicroPerKm: 16839, weight: 1 },
  { name: 'Södertälje', postalPrefix: '151', latMicro: 59195500, lonMicro: 17625300, lonMicroPerKm: 17561, weight: 1 },
  { name: 'Eskilstuna', postalPrefix: '632', latMicro: 59371700, lonMicro: 16507700, lonMicroPerKm: 17652, weight: 1 },
  { name: 'Karlstad', postalPrefix: '652', latMicro: 59379300, lonMicro: 13503600, lonMicroPerKm: 17656, weight: 1 },
  { name: 'Växjö', postalPrefix: '352', latMicro: 56877700, lonMicro: 14809100, lonMicroPerKm: 16458, weight: 1 },
  { name: 'Halmstad', postalPrefix: '302', latMicro: 56674500, lonMicro: 12857800, lonMicroPerKm: 16369, weight: 1 },
  { name: 'Sundsvall', postalPrefix: '852', latMicro: 62390800, lonMicro: 17306900, lonMicroPerKm: 19405, weight: 1 },
  { name: 'Luleå', postalPrefix: '972', latMicro: 65584800, lonMicro: 22154700, lonMicroPerKm: 21757, weight: 1 },
  { name: 'Östersund', postalPrefix: '831', latMicro: 63179200, lonMicro: 14635700, lonMicroPerKm: 19931, weight: 1 },
  { name: 'Kalmar', postalPrefix: '392', latMicro: 56663400, lonMicro: 16356800, lonMicroPerKm: 16364, weight: 1 },
  { name: 'Kiruna', postalPrefix: '981', latMicro: 67855800, lonMicro: 20225300, lonMicroPerKm: 23858, weight: 1 },
  { name: 'Falun', postalPrefix: '791', latMicro: 60606500, lonMicro: 15635500, lonMicroPerKm: 18323, weight: 1 },
  { name: 'Visby', postalPrefix: '621', latMicro: 57634800, lonMicro: 18294800, lonMicroPerKm: 16799, weight: 1 },
  { name: 'Trollhättan', postalPrefix: '461', latMicro: 58283700, lonMicro: 12288600, lonMicroPerKm: 17106, weight: 1 },
  { name: 'Kristianstad', postalPrefix: '291', latMicro: 56029400, lonMicro: 14156700, lonMicroPerKm: 16094, weight: 1 },
  { name: 'Skellefteå', postalPrefix: '931', latMicro: 64750700, lonMicro: 20952800, lonMicroPerKm: 21083, weight: 1 },
  { name: 'Borlänge', postalPrefix: '784', latMicro: 60485800, lonMicro: 15437100, lonMicroPerKm: 18255, weight: 1 },
];

/** First part of invented company names. */
export const companyPrefixes: readonly string[] = [
  'Nord', 'Syd', 'Väst', 'Öst', 'Fjäll', 'Skog', 'Sjö', 'Berg', 'Älv', 'Dal', 'Kust', 'Mälar',
  'Vätter', 'Bergslags', 'Norrlands', 'Skåne', 'Gotlands', 'Lappland', 'Hallands', 'Värmlands',
];

/** Trade part of invented company names. */
export const companyTrades: readonly string[] = [
  'frakt', 'transport', 'bygg', 'el', 'rör', 'service', 'logistik', 'åkeri', 'städ', 'verkstad',
  'taxi', 'buss', 'miljö', 'mark', 'kyl', 'schakt', 'måleri', 'flytt', 'budbil', 'entreprenad',
];

/** Legal-form endings of invented company names. */
export const companySuffixes: readonly string[] = [
  ' AB', ' AB', ' AB', ' & Söner AB', ' i Sverige AB', ' Handelsbolag', ' Ekonomisk förening',
];

/** Titles of contact persons at company customers. */
export const contactTitles: readonly string[] = [
  'VD', 'Ekonomichef', 'Fordonsansvarig', 'Transportledare', 'Inköpschef', 'Administratör',
  'Platschef', 'Ekonomiassistent', 'Driftchef', 'Trafikledare',
];

/** A vehicle make, its World Manufacturer Identifier (first three VIN characters) and models. */
export interface VehicleMake {
  make: string;
  wmi: string;
  models: readonly string[];
}

/** Vehicle makes common in Swedish commercial fleets. */
export const vehicleMakes: readonly VehicleMake[] = [
  { make: 'Volvo', wmi: 'YV1', models: ['V60', 'V90', 'XC60', 'XC90', 'EX30'] },
  { make: 'Volvo Trucks', wmi: 'YV2', models: ['FH16', 'FM', 'FL', 'FE'] },
  { make: 'Scania', wmi: 'YS2', models: ['R450', 'P280', 'G410', 'S500'] },
  { make: 'Volkswagen', wmi: 'WV1', models: ['Transporter', 'Crafter', 'Caddy', 'ID. Buzz Cargo'] },
  { make: 'Ford', wmi: 'WF0', models: ['Transit', 'Transit Custom', 'Ranger'] },
  { make: 'Mercedes-Benz', wmi: 'W1V', models: ['Sprinter', 'Vito', 'eVito'] },
  { make: 'Toyota', wmi: 'JTD', models: ['Hilux', 'Proace', 'RAV4'] },
  { make: 'Renault', wmi: 'VF1', models: ['Master', 'Kangoo', 'Trafic'] },
];

/** Domains for consumers' private e-mail addresses; `.example` is reserved (RFC 2606) and never delivers. */
export const privateMailDomains: readonly string[] = ['post.example', 'mejl.example', 'brevlada.example'];
