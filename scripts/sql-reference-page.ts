import pg from 'pg';

// docs/sql-reference.md, rendered from the installed privacy schema: what the `COMMENT ON` of
// each function, table, view and type says, under its signature. Only catalog text that
// PostgreSQL 15 and 18 print alike goes in, so the page is the same on both.

/** The command that regenerates the committed page, for messages that ask for it. */
export const REFRESH_COMMAND = 'DATABASE_URL=postgres://… node scripts/sql-reference.ts > docs/sql-reference.md';

interface FunctionRow { name: string; args: string; result: string; kind: string; definer: boolean; comment: string | null }
interface RelationRow { name: string; kind: string; comment: string | null; columns: { name: string; type: string; comment: string | null }[] }

const RELATION_KINDS: Record<string, string> = { r: 'Tables', p: 'Tables', v: 'Views', m: 'Views', c: 'Types' };

/** The reference page (Markdown) of the privacy schema in the database at `url`. */
export async function sqlReferencePage(url: string): Promise<string> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const functions = await client.query<FunctionRow>(`
      select p.proname as name, pg_get_function_arguments(p.oid) as args,
             coalesce(pg_get_function_result(p.oid), '') as result, p.prokind as kind,
             p.prosecdef as definer, obj_description(p.oid, 'pg_proc') as comment
      from pg_proc p where p.pronamespace = 'privacy'::regnamespace
      order by p.proname, pg_get_function_identity_arguments(p.oid)`);
    const relations = await client.query<RelationRow>(`
      select c.relname as name, c.relkind::text as kind, obj_description(c.oid, 'pg_class') as comment,
             coalesce((select json_agg(json_build_object('name', a.attname, 'type', format_type(a.atttypid, a.atttypmod),
                                                         'comment', col_description(c.oid, a.attnum)) order by a.attnum)
                       from pg_attribute a where a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped), '[]') as columns
      from pg_class c where c.relnamespace = 'privacy'::regnamespace and c.relkind in ('r', 'p', 'v', 'm', 'c')
      order by c.relname`);
    return render(functions.rows, relations.rows);
  } finally {
    await client.end();
  }
}

function paragraph(comment: string | null): string {
  return comment?.trim() ? comment.trim() : '*(no comment)*';
}

function render(functions: FunctionRow[], relations: RelationRow[]): string {
  const out = [
    '# SQL reference: the `privacy` schema',
    '',
    'Generated from the `COMMENT ON` texts of an installed toolkit by `scripts/sql-reference.ts`; do not',
    'edit by hand. `test/house/sql-reference.test.ts` fails when this page is not current. Refresh it:',
    '',
    '```sh',
    REFRESH_COMMAND,
    '```',
    '',
    'Which roles may call what is in `sql/` and in `test/attacks/`; this page says what each object is for.',
    '',
    '## Functions',
    '',
  ];
  let previous = '';
  for (const f of functions) {
    const returns = f.kind === 'p' ? 'procedure' : `→ ${f.result}`;
    // Overloads share one heading, each with its signature.
    if (f.name !== previous) out.push(`### \`privacy.${f.name}\``, '');
    previous = f.name;
    out.push(`\`privacy.${f.name}(${f.args})\` ${returns}${f.definer ? ' · security definer' : ''}`, '',
             paragraph(f.comment), '');
  }
  for (const section of ['Tables', 'Views', 'Types']) {
    const listed = relations.filter((r) => RELATION_KINDS[r.kind] === section);
    if (listed.length === 0) continue;
    out.push(`## ${section}`, '');
    for (const r of listed) {
      out.push(`### \`privacy.${r.name}\``, '', paragraph(r.comment), '', '| column | type | comment |', '|---|---|---|');
      for (const c of r.columns) out.push(`| \`${c.name}\` | \`${c.type}\` | ${(c.comment ?? '').replace(/\s+/g, ' ').replaceAll('|', '\\|')} |`);
      out.push('');
    }
  }
  return `${out.join('\n').trimEnd()}\n`;
}
