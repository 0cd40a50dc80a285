-- integritet: the word lists of the `fake` strategy (reference data, re-applied when changed).
--
-- Common given names and surnames, and invented companies, streets and places: a fake value
-- looks real and belongs to nobody in particular. Positions are 1..n in list order; fake picks
-- a position by a hash of the value, so editing a list changes the fakes of that list. The
-- table is privacy.fake_word (migration 0003); rows no longer listed here are removed.
--
-- The table is what a DBA reads and edits. The masks read its compiled form,
-- privacy.fake_word_list(locale, kind): an immutable function returning each list as an array
-- constant, rewritten by a trigger whenever the table changes. Being immutable, it is folded
-- into a constant when a query is planned, so a fake costs an array lookup per row instead of
-- a query (measured on PostgreSQL 15, kind full_name: 3 µs a row instead of 130 µs).
--
-- needs: none

-- Why invoker: only the table's owner can change the table, and so fire the trigger; it owns
-- the function it rewrites. Words reach the function text only as literals (format %L).
create or replace function privacy.compile_fake_words()
returns void
language plpgsql volatile
set search_path = pg_catalog, pg_temp
as $compile$
declare
  v_branches pg_catalog.text;
begin
  select pg_catalog.string_agg(
           pg_catalog.format(E'    when locale OPERATOR(pg_catalog.=) %L and kind OPERATOR(pg_catalog.=) %L then %L::pg_catalog.text[]',
                             l.locale, l.kind, l.words::pg_catalog.text),
           E'\n' order by l.locale, l.kind)
    into v_branches
  from (select w.locale, w.kind, pg_catalog.array_agg(w.word order by w.position) as words
        from privacy.fake_word w group by w.locale, w.kind) l;
  -- The body goes in as one literal too, so no word can end it early.
  execute pg_catalog.format(
    'create or replace function privacy.fake_word_list(locale text, kind text) returns text[]
       language sql immutable parallel safe as %L',
    E'\n  select case\n' || coalesce(v_branches, '    when false then null') || E'\n  end\n');
  execute $comment$comment on function privacy.fake_word_list(text, text) is
    'The fake strategy''s word list of a locale and kind (compiled from privacy.fake_word; NULL if none).'$comment$;
  execute 'revoke execute on function privacy.fake_word_list(text, text) from public';
end
$compile$;
comment on function privacy.compile_fake_words() is
  'Rewrites privacy.fake_word_list() from the privacy.fake_word table.';

-- Why: keeps the compiled lists equal to the table, whoever changes it and however.
create or replace function privacy.fake_word_changed()
returns trigger
language plpgsql
set search_path = pg_catalog, pg_temp
as $$
begin
  perform privacy.compile_fake_words();
  return null;
end
$$;
comment on function privacy.fake_word_changed() is 'Trigger: recompiles privacy.fake_word_list() after a change of the word lists.';

create or replace trigger fake_word_compile
  after insert or update or delete or truncate on privacy.fake_word
  for each statement execute function privacy.fake_word_changed();

with list (locale, kind, words) as (values
  ('sv', 'first_name', array[
    'Anna', 'Eva', 'Maria', 'Karin', 'Sara', 'Lena', 'Kerstin', 'Emma', 'Ingrid', 'Malin',
    'Jenny', 'Hanna', 'Linnea', 'Elin', 'Sofia', 'Ida', 'Johanna', 'Birgitta', 'Elsa', 'Maja',
    'Alice', 'Julia', 'Astrid', 'Wilma', 'Saga', 'Ebba', 'Klara', 'Agnes', 'Freja', 'Signe',
    'Lars', 'Erik', 'Anders', 'Per', 'Karl', 'Johan', 'Nils', 'Mikael', 'Jan', 'Hans',
    'Olof', 'Peter', 'Gustav', 'Axel', 'Oskar', 'Hugo', 'Elias', 'Ludvig', 'Viktor', 'Filip',
    'Emil', 'Isak', 'Arvid', 'Sixten', 'Vilgot', 'Måns', 'Tage', 'Björn', 'Sture', 'Göran']),
  ('sv', 'last_name', array[
    'Andersson', 'Johansson', 'Karlsson', 'Nilsson', 'Eriksson', 'Larsson', 'Olsson', 'Persson', 'Svensson', 'Gustafsson',
    'Pettersson', 'Jonsson', 'Jansson', 'Hansson', 'Bengtsson', 'Jönsson', 'Lindberg', 'Jakobsson', 'Magnusson', 'Lindström',
    'Olofsson', 'Lindqvist', 'Lindgren', 'Berg', 'Axelsson', 'Bergström', 'Lundberg', 'Lundgren', 'Lundqvist', 'Mattsson',
    'Berglund', 'Fredriksson', 'Sandberg', 'Henriksson', 'Forsberg', 'Sjöberg', 'Wallin', 'Engström', 'Eklund', 'Danielsson',
    'Lundin', 'Håkansson', 'Björk', 'Bergman', 'Gunnarsson', 'Holm', 'Wikström', 'Samuelsson', 'Isaksson', 'Fransson',
    'Bergqvist', 'Nyström', 'Holmberg', 'Arvidsson', 'Löfgren', 'Söderberg', 'Nyberg', 'Blomqvist', 'Claesson', 'Nordström']),
  ('sv', 'company', array[
    'Björkdal Transport AB', 'Norrvik Logistik AB', 'Granåsen Bygg AB', 'Sjöbacka Frakt AB', 'Tallmora Åkeri AB',
    'Ekholmen Service AB', 'Lindhaga Konsult AB', 'Älvsnäs Energi AB', 'Fjällkant Data AB', 'Rönnvik Fastigheter AB',
    'Stenåker Maskin AB', 'Hagalund Städ AB', 'Vallby Trädgård AB', 'Åsmyra Redovisning AB', 'Kvarnbo El AB',
    'Lövstrand Media AB', 'Bergslunda Rör AB', 'Myrbacka Livs AB', 'Norrgårda Verkstad AB', 'Solviken Resor AB',
    'Ängsholm Måleri AB', 'Grönhult Snickeri AB', 'Östanå Plåt AB', 'Västerbo Bil AB', 'Furulid Omsorg AB',
    'Hällebo Kyl AB', 'Strömsvik Marin AB', 'Backebo Möbler AB', 'Klippan Kök AB', 'Lärkdal Tryck AB',
    'Sävsjöås Textil AB', 'Dalkarlsbo Teknik AB', 'Mossberga Mark AB', 'Tjärnsjö Skog AB', 'Vretalund Glas AB',
    'Uddebo Kaffe AB', 'Ekeslätt Lantbruk AB', 'Holmlunda Säkerhet AB', 'Nyckelby IT AB', 'Brunnsvik Bageri AB',
    'Ljungdala Handel AB', 'Skärvik Fisk AB', 'Rosendal Blommor AB', 'Torsåker Smide AB', 'Kastanjeberg Ljud AB',
    'Gläntan Förskola AB', 'Mälarnäs Båt AB', 'Björnbo Vård AB', 'Sandgärdet Golv AB', 'Linnebo Design AB']),
  ('sv', 'street', array[
    'Storgatan', 'Kyrkogatan', 'Skolgatan', 'Drottninggatan', 'Kungsgatan', 'Trädgårdsgatan', 'Järnvägsgatan', 'Nygatan', 'Torggatan', 'Parkvägen',
    'Björkvägen', 'Ekvägen', 'Tallvägen', 'Granvägen', 'Lindvägen', 'Rönnvägen', 'Almvägen', 'Aspvägen', 'Lönnvägen', 'Hagvägen',
    'Skogsvägen', 'Ängsvägen', 'Sjövägen', 'Strandvägen', 'Backvägen', 'Bergsgatan', 'Åsvägen', 'Fabriksgatan', 'Hamngatan', 'Prästgårdsgatan',
    'Stationsvägen', 'Smedjegatan', 'Mejerivägen', 'Kvarngatan', 'Sockerbruksgatan', 'Tegelbruksvägen', 'Lärkvägen', 'Svalvägen', 'Trastvägen', 'Vitsippsvägen',
    'Blåbärsvägen', 'Lingonvägen', 'Hjortronvägen', 'Solvägen', 'Månvägen', 'Stjärnvägen', 'Norra vägen', 'Södra vägen', 'Östra gatan', 'Västra gatan']),
  ('sv', 'city', array[
    'Björkvik', 'Ekeslätt', 'Granliden', 'Tallåsen', 'Lindhaga', 'Norrbacka', 'Söderhamra', 'Västerlunda', 'Österhult', 'Sjöviken',
    'Åsmyra', 'Kvarnbo', 'Lövstrand', 'Bergslunda', 'Myrbacka', 'Norrgårda', 'Solviken', 'Ängsholm', 'Grönhult', 'Östanå',
    'Västerbo', 'Furulid', 'Hällebo', 'Strömsvik', 'Backebo', 'Lärkdal', 'Sävsjöås', 'Dalkarlsbo', 'Mossberga', 'Tjärnsjö',
    'Vretalund', 'Uddevik', 'Holmlunda', 'Nyckelby', 'Brunnsvik', 'Ljungdala', 'Skärvik', 'Rosendala', 'Torsåker', 'Kastanjeberg',
    'Gläntvik', 'Mälarnäs', 'Björnbo', 'Sandgärde', 'Linnebo', 'Hagmora', 'Stenåker', 'Vallbyn', 'Rönnvik', 'Fjällkanten']),
  ('en', 'first_name', array[
    'Oliver', 'George', 'Harry', 'Jack', 'Jacob', 'Noah', 'Charlie', 'Thomas', 'Oscar', 'William',
    'James', 'Henry', 'Leo', 'Alfie', 'Joshua', 'Freddie', 'Archie', 'Ethan', 'Isaac', 'Alexander',
    'Joseph', 'Edward', 'Samuel', 'Max', 'Daniel', 'Arthur', 'Lucas', 'Logan', 'Theo', 'Owen',
    'Olivia', 'Amelia', 'Isla', 'Ava', 'Emily', 'Isabella', 'Mia', 'Poppy', 'Ella', 'Lily',
    'Sophie', 'Grace', 'Evie', 'Sophia', 'Ruby', 'Chloe', 'Freya', 'Daisy', 'Alice', 'Florence',
    'Jessica', 'Phoebe', 'Harper', 'Matilda', 'Rosie', 'Erin', 'Holly', 'Millie', 'Lucy', 'Ivy']),
  ('en', 'last_name', array[
    'Smith', 'Jones', 'Williams', 'Taylor', 'Brown', 'Davies', 'Evans', 'Wilson', 'Thomas', 'Johnson',
    'Roberts', 'Robinson', 'Thompson', 'Wright', 'Walker', 'White', 'Edwards', 'Hughes', 'Green', 'Hall',
    'Lewis', 'Harris', 'Clarke', 'Patel', 'Jackson', 'Wood', 'Turner', 'Martin', 'Cooper', 'Hill',
    'Ward', 'Morris', 'Moore', 'Clark', 'Lee', 'King', 'Baker', 'Harrison', 'Morgan', 'Allen',
    'James', 'Scott', 'Phillips', 'Watson', 'Davis', 'Parker', 'Price', 'Bennett', 'Young', 'Griffiths',
    'Mitchell', 'Kelly', 'Cook', 'Carter', 'Richardson', 'Bailey', 'Collins', 'Bell', 'Shaw', 'Murphy']),
  ('en', 'company', array[
    'Harbourline Freight Ltd', 'Ashcombe Logistics Ltd', 'Brackenridge Builders Ltd', 'Copperfield Consulting Ltd', 'Dunmore Haulage Ltd',
    'Elmstead Services Ltd', 'Fernhill Data Ltd', 'Greywell Energy Ltd', 'Hollowbrook Estates Ltd', 'Ironbridge Machinery Ltd',
    'Juniper Lane Cleaning Ltd', 'Kestrel Garden Care Ltd', 'Larkspur Accounting Ltd', 'Millbeck Electrical Ltd', 'Northwold Media Ltd',
    'Oakhurst Plumbing Ltd', 'Pebblecombe Foods Ltd', 'Quarrydale Engineering Ltd', 'Redwater Travel Ltd', 'Saltmarsh Decorators Ltd',
    'Thornbury Joinery Ltd', 'Upperton Sheet Metal Ltd', 'Westhaven Motors Ltd', 'Yarrowfield Care Ltd', 'Ambergate Refrigeration Ltd',
    'Bridgewick Marine Ltd', 'Coldharbour Furniture Ltd', 'Dovecote Kitchens Ltd', 'Eastbrook Print Ltd', 'Foxley Textiles Ltd',
    'Glenmoor Technology Ltd', 'Heathcote Groundworks Ltd', 'Ivywood Forestry Ltd', 'Kingsmere Glass Ltd', 'Linfield Coffee Ltd',
    'Marlowe Farming Ltd', 'Newbold Security Ltd', 'Orchard Key IT Ltd', 'Penhallow Bakery Ltd', 'Ravensdale Trading Ltd',
    'Stonehaven Fisheries Ltd', 'Tanglewood Florists Ltd', 'Underhill Forge Ltd', 'Vanebrook Audio Ltd', 'Whitlow Nurseries Ltd',
    'Ashdown Boatworks Ltd', 'Beechcroft Health Ltd', 'Cranmore Flooring Ltd', 'Dellwood Design Ltd', 'Eldermere Logistics Ltd']),
  ('en', 'street', array[
    'High Street', 'Station Road', 'Main Street', 'Park Road', 'Church Road', 'Church Street', 'London Road', 'Victoria Road', 'Green Lane', 'Manor Road',
    'Church Lane', 'Park Avenue', 'The Avenue', 'The Crescent', 'Queens Road', 'New Road', 'Grange Road', 'Kings Road', 'Kingsway', 'Windsor Road',
    'Highfield Road', 'Mill Lane', 'Alexander Road', 'York Road', 'Main Road', 'Broadway', 'King Street', 'The Green', 'Springfield Road', 'George Street',
    'Park Lane', 'Victoria Street', 'Albert Road', 'Queensway', 'New Street', 'Queen Street', 'West Street', 'North Street', 'Orchard Way', 'The Grove',
    'Richmond Road', 'Grove Road', 'South Street', 'School Lane', 'The Drive', 'North Road', 'Stanley Road', 'Meadow Close', 'Mill Road', 'Willow Way']),
  ('en', 'city', array[
    'Ashbridge', 'Brackenford', 'Colderwick', 'Dunhollow', 'Eastmere', 'Fallowby', 'Greystoke Vale', 'Hartwell', 'Ivybridge Cross', 'Juniper Bay',
    'Kestrelton', 'Larkhill Down', 'Marlow End', 'Northwold', 'Oakhurst', 'Pebbleford', 'Quarrydale', 'Redwater', 'Saltmarsh', 'Thornbury Heath',
    'Upperton', 'Westhaven', 'Yarrowfield', 'Ambergate', 'Bridgewick', 'Coldharbour', 'Dovecote', 'Eastbrook', 'Foxley', 'Glenmoor',
    'Heathcote', 'Ivywood', 'Kingsmere', 'Linfield', 'Millbeck', 'Newbold Green', 'Orchardleigh', 'Penhallow', 'Ravensdale', 'Stonehaven',
    'Tanglewood', 'Underhill', 'Vanebrook', 'Whitlow', 'Ashdown', 'Beechcroft', 'Cranmore', 'Dellwood', 'Eldermere', 'Fernhill'])
),
word as (
  select l.locale, l.kind, w.position::integer as position, w.word
  from list l, pg_catalog.unnest(l.words) with ordinality as w(word, position)
),
upserted as (
  insert into privacy.fake_word as f (locale, kind, position, word)
  select locale, kind, position, word from word
  on conflict (locale, kind, position) do update set word = excluded.word
    where f.word is distinct from excluded.word
)
delete from privacy.fake_word f
where not exists (select from word w where w.locale = f.locale and w.kind = f.kind and w.position = f.position);

-- Compiled even when the statement above changed nothing (a fresh install, or a function lost).
select privacy.compile_fake_words();

-- See sql/100-strategy-building-blocks.sql: nothing here is for PUBLIC.
revoke execute on all functions in schema privacy from public;

-- Every role that reads, writes or sweeps protected data runs these, and admins (sql/README.md, grants).
grant execute on function privacy.fake_word_list(text, text)
  to privacy_masked, privacy_unmasked, privacy_view_owner, privacy_sweeper, privacy_admin;
