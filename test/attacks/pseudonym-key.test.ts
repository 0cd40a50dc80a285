import { beforeAll, describe, expect, it } from 'vitest';
import { asRole, createLoginRole, type LoginRole } from '../support/login-role.ts';
import { useTestDatabase } from '../support/test-database.ts';
import { asText, attempt } from './fixture.ts';

// A masked view computes pseudonyms itself, with the key's HMAC pads read from
// privacy.pseudonym_pad (sql/131-mask-pseudonym.sql). The pads are the key (K' = inner pad xor
// 0x36): a restricted login that reads the view must get pseudonyms and nothing of the pads, by
// any door — the pad view, the key table, the view's definition, its plan, the functions it may
// execute, a function of its own, a leaky predicate, the view owner's role.

const db = useTestDatabase('base');
let attacker: LoginRole;
/** The current key and its pads, as hex: what no answer to the attacker may hold. */
let secrets: string[];

beforeAll(async () => {
  await db.pool().query(`
    create table public.member (id int primary key, email text, member_no bigint);
    insert into public.member values (1, 'anna@example.se', 4711), (2, 'bo@example.se', 4712);
    select privacy.classify_column('member', 'id', 'not_personal');
    select privacy.classify_column('member', 'email', 'contact', mask => 'pseudonym');
    select privacy.classify_column('member', 'member_no', 'identifier', mask => 'pseudonym');
    select privacy.protect_table('member');`);
  const { rows } = await db.pool().query(`
    select encode(k.key, 'hex') as key, encode(p.inner_pad, 'hex') as inner_pad, encode(p.outer_pad, 'hex') as outer_pad
    from privacy.pseudonym_key k, privacy.pseudonym_pad p where k.retired_at is null`);
  secrets = [rows[0].key, rows[0].inner_pad, rows[0].outer_pad];
  attacker = await createLoginRole(db, { memberOf: ['privacy_masked'] });
});

/** Fails when any 16-digit stretch of the key or a pad appears in `text`. */
function expectNoKey(text: string): void {
  const lower = text.toLowerCase().replace(/\\x/g, '');
  for (const secret of secrets) {
    for (let i = 0; i + 16 <= secret.length; i += 8) expect(lower).not.toContain(secret.slice(i, i + 16));
  }
}

describe('a privacy_masked login reads pseudonyms', () => {
  it('through the masked view, and gets them (the HMAC is computed for it)', async () => {
    const outcome = await asRole(attacker, (client) => attempt(client, 'select * from masked.member order by id'));
    expect(outcome.error).toBeUndefined();
    expect(outcome.rows.map((r) => r.email)).toEqual([expect.stringMatching(/^[0-9a-f]{16}$/), expect.stringMatching(/^[0-9a-f]{16}$/)]);
    expectNoKey(asText(outcome));
  });
});

describe('stealing the pseudonym key or its pads', () => {
  it('reading the pad view directly is refused', async () => {
    const outcome = await asRole(attacker, (client) => attempt(client, 'select * from privacy.pseudonym_pad'));
    expect(outcome.error?.code).toBe('42501');
    expectNoKey(asText(outcome));
  });

  it('reading the key table directly is refused', async () => {
    const outcome = await asRole(attacker, (client) => attempt(client, 'select * from privacy.pseudonym_key'));
    expect(outcome.error?.code).toBe('42501');
  });

  it('the pad view is readable by the masked views\' owner alone: not privacy_masked, not PUBLIC', async () => {
    const { rows } = await db.pool().query(`
      select a.grantee::regrole::text as role, a.privilege_type as privilege
      from pg_class c, aclexplode(coalesce(c.relacl, acldefault('r', c.relowner))) a
      where c.oid = 'privacy.pseudonym_pad'::regclass and a.grantee <> c.relowner`);
    expect(rows).toEqual([{ role: 'privacy_view_owner', privilege: 'SELECT' }]);
    const members = await db.pool().query(`select pg_has_role($1, 'privacy_view_owner', 'MEMBER') as member`, [attacker.name]);
    expect(members.rows[0].member).toBe(false);
  });

  it('becoming the view owner is refused', async () => {
    const outcome = await asRole(attacker, (client) => attempt(client, 'set role privacy_view_owner'));
    expect(outcome.error?.code).toBe('42501');
  });

  it('the definitions it may read (views, functions, policies) hold no key and no pad: nothing is inlined as a literal', async () => {
    const outcome = await asRole(attacker, (client) => attempt(client, `
      select string_agg(d, ' ') as everything from (
        select definition as d from pg_views where schemaname in ('masked', 'privacy')
        union all select pg_get_viewdef(c.oid) from pg_class c where c.relkind = 'v'
                    and c.relnamespace in ('masked'::regnamespace, 'privacy'::regnamespace)
        union all select prosrc from pg_proc where pronamespace in ('masked'::regnamespace, 'privacy'::regnamespace)
        union all select qual || coalesce(with_check, '') from pg_policies
        union all select pg_get_expr(adbin, adrelid) from pg_attrdef) defs`));
    expect(outcome.error).toBeUndefined();
    expect(String(outcome.rows[0]!.everything)).toContain('privacy.pseudonym_pad');
    expectNoKey(asText(outcome));
  });

  it('the plan of a read of the masked view shows how the pads are read, not what they are', async () => {
    const outcome = await asRole(attacker, (client) => attempt(client, `
      explain (verbose, analyze, costs off, timing off, summary off) select * from masked.member`));
    expect(outcome.error).toBeUndefined();
    expect(asText(outcome)).toContain('pseudonym_key');
    expectNoKey(asText(outcome));
  });

  it('the HMAC functions that take a key are refused; the one it may run needs the pads it lacks', async () => {
    await asRole(attacker, async (client) => {
      for (const sql of [`select privacy.hmac_key_block('\\x00'::bytea)`, `select privacy.hmac_sha256('\\x00'::bytea, '\\x00'::bytea)`]) {
        expect((await attempt(client, sql)).error?.code, sql).toBe('42501');
      }
      // pseudonym_digest is executable (so that it inlines for the reader), and computes only
      // from pads it is given: with pads of its own choosing, not the masked view's pseudonym.
      const own = await attempt(client, `select left(privacy.pseudonym_digest('anna@example.se', '\\x00'::bytea, '\\x00'::bytea), 16) as p`);
      const masked = await attempt(client, `select email from masked.member where id = 1`);
      expect(own.rows[0]!.p).not.toBe(masked.rows[0]!.email);
    });
  });

  it('a function or view of its own reads the pads with its own rights, and is refused', async () => {
    await asRole(attacker, async (client) => {
      await client.query(`create function pg_temp.pads() returns setof bytea language sql as
                          $$ select inner_pad from privacy.pseudonym_pad $$`);
      const viaFunction = await attempt(client, `select pg_temp.pads()`);
      expect(viaFunction.error?.code).toBe('42501');
      await client.query(`create temporary view stolen as select * from privacy.pseudonym_pad`).catch(() => undefined);
      const viaView = await attempt(client, `select * from pg_temp.stolen`);
      expect(viaView.error?.code).toMatch(/^42(501|P01)$/);
      expectNoKey(asText(viaFunction) + asText(viaView));
    });
  });

  it('a leaky predicate on the masked view sees the pseudonyms, never the pads', async () => {
    const caught: string[] = [];
    await asRole(attacker, async (client) => {
      client.on('notice', (n) => { if (n.message?.startsWith('caught')) caught.push(n.message); });
      await client.query(`create function pg_temp.leak(v anyelement) returns boolean language plpgsql cost 0.0001 as
                          $$ begin raise notice 'caught %', v; return true; end $$`);
      const outcome = await attempt(client, `
        select * from masked.member where pg_temp.leak(email) and pg_temp.leak(member_no) and pg_temp.leak(id)`);
      expect(outcome.error).toBeUndefined();
    });
    expect(caught.length).toBeGreaterThanOrEqual(6);
    expectNoKey(caught.join(' '));
  });
});
