-- integritet: self-check of the subject graph — links whose values are taken on trust, and links
-- that no longer hold. privacy.verify() includes these findings. (Tables that reference a linked
-- table without being linked themselves are in privacy.subject_graph(); they are not findings:
-- a lookup table is often rightly unlinked.)
--
--   select * from privacy.verify_subject_links();
--
-- needs: none
-- uses later: 400-subject-graph

-- Why definer: reads the subject graph (privacy.subject_graph, itself definer) for verify(),
-- which privacy_admin members run; it returns names of tables, columns and constraints only.
create or replace function privacy.verify_subject_links()
returns table (severity text, check_name text, object text, message text)
language plpgsql stable security definer
set search_path = pg_catalog, pg_temp
as $$
begin
  -- Below migration 0014 the graph's tables lack what this reads: 0014 down replaces this function
  -- with one that finds nothing.
  return query
  select case when g.finding like '%no longer exists%' then 'high' else 'medium' end,
         case when g.finding like '%no longer exists%' then 'subject_link_broken' else 'subject_link_unchecked' end,
         g.relation || coalesce('.' || case when g.foreign_key is null then g.link end, ''),
         pg_catalog.format('%s: %s', g.subject_type, g.finding)
  from privacy.subject_graph() g
  where g.finding is not null and g.link is not null;
end
$$;
comment on function privacy.verify_subject_links() is
  'Findings about subject links: taken on trust (unchecked) or broken.';

revoke execute on function privacy.verify_subject_links() from public;
grant execute on function privacy.verify_subject_links() to privacy_admin;
