import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

// What each file of sql/ defines in the privacy schema, what it uses of the other files, and
// what its header says it needs. A file names, in its leading comment block:
//
//   -- needs: 010-names, 040-classification
//   -- uses later: 180-strategy-call
//
// `needs`: earlier files whose objects it uses. `uses later`: later files whose objects it names
// only where they are bound when they run, after the whole of sql/ is applied: in PL/pgSQL
// bodies, and in string literals (SQL text run later, or a message that points to a function).
// Everything else (a `language sql` body, a view, a DO block, a grant, a statement run as the
// file is applied) is bound as the file is applied, so it may use earlier files only.
// Tables and types the versioned migrations create are there before any of sql/ and need no
// mention. test/house/sql-dependencies.test.ts holds every file to its header.

/** One file of sql/, by its name without `.sql` (`010-names`). */
export interface SqlFile {
  readonly name: string;
  /** Objects of the privacy schema it creates (functions, views, types …), by name. */
  readonly defines: ReadonlySet<string>;
  /** Objects of other files it uses, by defining file: names used where they are bound on apply. */
  readonly usesNow: ReadonlyMap<string, ReadonlySet<string>>;
  /** The same for names used only inside PL/pgSQL function bodies and string literals. */
  readonly usesLate: ReadonlyMap<string, ReadonlySet<string>>;
  /** Its `-- needs:` line, or undefined when it has none. */
  readonly needs: readonly string[] | undefined;
  /** Its `-- uses later:` line (empty when it has none). */
  readonly usesLater: readonly string[];
}

const DEFINITION = /\bcreate\s+(?:or\s+replace\s+)?(?:function|procedure|view|type|table|sequence|aggregate)\s+(?:if\s+not\s+exists\s+)?privacy\.(\w+)/gi;
const USE = /\bprivacy\.(\w+)/gi;
const DOLLAR = /\$(\w*)\$/g;

/**
 * The file's SQL with its `--` comments blanked out, function bodies' included (single-quoted
 * strings kept), so that offsets stay the same.
 */
function withoutComments(sql: string): string {
  let out = '';
  let inString = false;
  for (let i = 0; i < sql.length; i += 1) {
    const c = sql[i]!;
    if (inString) {
      if (c === "'") inString = false;
      out += c;
    } else if (c === "'") {
      inString = true;
      out += c;
    } else if (c === '-' && sql[i + 1] === '-') {
      const end = sql.indexOf('\n', i);
      const stop = end < 0 ? sql.length : end;
      out += ' '.repeat(stop - i);
      i = stop - 1;
    } else {
      out += c;
    }
  }
  return out;
}

/** Ranges [start, end) of the bodies of `create function … language plpgsql`. */
function plpgsqlBodies(sql: string): [number, number][] {
  const bodies: [number, number][] = [];
  DOLLAR.lastIndex = 0;
  for (let open = DOLLAR.exec(sql); open; open = DOLLAR.exec(sql)) {
    const start = open.index + open[0].length;
    const close = sql.indexOf(open[0], start);
    if (close < 0) break;
    const statementStart = sql.lastIndexOf(';', open.index) + 1;
    const statementEnd = sql.indexOf(';', close + open[0].length);
    const around = sql.slice(statementStart, open.index) + sql.slice(close + open[0].length, statementEnd < 0 ? undefined : statementEnd);
    if (/\bcreate\s+(or\s+replace\s+)?(function|procedure)\b/i.test(around) && /\blanguage\s+plpgsql\b/i.test(around)) {
      bodies.push([start, close]);
    }
    DOLLAR.lastIndex = close + open[0].length;
  }
  return bodies;
}

/** Ranges [start, end) of the single-quoted string literals of SQL without comments. */
function stringLiterals(code: string): [number, number][] {
  const ranges: [number, number][] = [];
  let start = -1;
  for (let i = 0; i < code.length; i += 1) {
    if (code[i] !== "'") continue;
    if (start < 0) {
      start = i + 1;
    } else if (code[i + 1] === "'") {
      i += 1;
    } else {
      ranges.push([start, i]);
      start = -1;
    }
  }
  return ranges;
}

/** The files named on a header line `-- <label>: a, b` (none: `-- needs: none`). */
function headerList(sql: string, label: string): string[] | undefined {
  const leading = /^(?:--[^\n]*\n)+/.exec(sql)?.[0] ?? '';
  const line = new RegExp(`^-- ${label}: (.*)$`, 'm').exec(leading);
  if (!line) return undefined;
  const text = line[1]!.trim();
  return text === 'none' ? [] : text.split(/\s*,\s*/).filter((s) => s.length > 0);
}

/** Every file of `folder` (default: the repository's sql/), in apply order. */
export function sqlFiles(folder: string): SqlFile[] {
  const texts = readdirSync(folder).filter((f) => f.endsWith('.sql')).sort()
    .map((f) => ({ name: f.slice(0, -'.sql'.length), sql: readFileSync(join(folder, f), 'utf8') }));
  const definedIn = new Map<string, string>();
  const parsed = texts.map(({ name, sql }) => {
    const code = withoutComments(sql);
    const defines = new Set([...code.matchAll(DEFINITION)].map((m) => m[1]!.toLowerCase()));
    for (const object of defines) definedIn.set(object, name);
    return { name, sql, code, defines };
  });
  return parsed.map(({ name, sql, code, defines }) => {
    const bodies = [...plpgsqlBodies(code), ...stringLiterals(code)];
    const usesNow = new Map<string, Set<string>>();
    const usesLate = new Map<string, Set<string>>();
    for (const m of code.matchAll(USE)) {
      const object = m[1]!.toLowerCase();
      const file = definedIn.get(object);
      if (!file || file === name) continue;
      const late = bodies.some(([start, end]) => m.index >= start && m.index < end);
      const uses = late ? usesLate : usesNow;
      uses.set(file, (uses.get(file) ?? new Set()).add(object));
    }
    return { name, defines, usesNow, usesLate, needs: headerList(sql, 'needs'), usesLater: headerList(sql, 'uses later') ?? [] };
  });
}

/** What is wrong with the files' headers: one line per problem, empty when none. */
export function dependencyProblems(files: readonly SqlFile[]): string[] {
  const problems: string[] = [];
  const known = new Set(files.map((f) => f.name));
  for (const file of files) {
    if (!file.needs) {
      problems.push(`${file.name}: no "-- needs:" line in its leading comment block (write "-- needs: none" if it needs nothing)`);
      continue;
    }
    const used = new Map<string, Set<string>>();
    for (const [other, objects] of [...file.usesNow, ...file.usesLate]) {
      used.set(other, new Set([...(used.get(other) ?? []), ...objects]));
    }
    for (const other of [...file.needs, ...file.usesLater]) {
      if (!known.has(other)) problems.push(`${file.name}: names ${other}, which is not a file of sql/`);
    }
    for (const other of file.needs) {
      if (other >= file.name) problems.push(`${file.name}: needs ${other}, which is applied after it (a later file goes in "-- uses later:", for PL/pgSQL bodies only)`);
      if (known.has(other) && !used.has(other)) problems.push(`${file.name}: needs ${other} but uses nothing it defines`);
    }
    for (const other of file.usesLater) {
      if (other <= file.name) problems.push(`${file.name}: uses later ${other}, which is applied before it (it goes in "-- needs:")`);
      if (known.has(other) && !used.has(other)) problems.push(`${file.name}: uses later ${other} but uses nothing it defines`);
    }
    for (const [other, objects] of file.usesNow) {
      const list = [...objects].sort().map((o) => `privacy.${o}`).join(', ');
      if (other > file.name) {
        problems.push(`${file.name}: uses ${list} of ${other}, applied after it, outside a PL/pgSQL body (bound as the file is applied)`);
      } else if (!file.needs.includes(other)) {
        problems.push(`${file.name}: uses ${list} of ${other} without naming it in "-- needs:"`);
      }
    }
    for (const [other, objects] of file.usesLate) {
      const list = [...objects].sort().map((o) => `privacy.${o}`).join(', ');
      const declared = other < file.name ? file.needs.includes(other) : file.usesLater.includes(other);
      if (!declared) {
        problems.push(`${file.name}: uses ${list} of ${other} without naming it in "-- ${other < file.name ? 'needs' : 'uses later'}:"`);
      }
    }
  }
  return problems;
}

/** The header lines each file should carry, from what it uses. */
export function suggestedHeader(file: SqlFile): string[] {
  const all = new Set([...file.usesNow.keys(), ...file.usesLate.keys()]);
  const needs = [...all].filter((f) => f < file.name).sort();
  const later = [...all].filter((f) => f > file.name).sort();
  return [`-- needs: ${needs.length > 0 ? needs.join(', ') : 'none'}`, ...(later.length > 0 ? [`-- uses later: ${later.join(', ')}`] : [])];
}
