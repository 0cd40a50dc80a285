-- integritet: the rental schema's reference protection, every table's tenant declared.
--
-- The store is the tenant. customer and staff hold it as a column; rental reaches it through
-- its customer, film_review through its rental and that rental's customer, payment (partitioned
-- by month) through its customer; the film catalogue is shared by every store, on purpose.
-- Run after `integritet migrate up`, as the schema's owner.

-- A tenant path follows foreign keys only. payment's are on some partitions only (as older
-- dumps have them); the partitioned table gets its own, which covers every partition.
alter table payment add foreign key (customer_id) references customer;

select privacy.classify_column('customer', c, 'not_personal')
  from unnest(array['customer_id', 'store_id', 'address_id', 'activebool', 'create_date', 'last_update']) c;
select privacy.classify_column('customer', 'first_name', 'identifier', mask => 'partial', mask_params => '{"keep_first": 1}');
select privacy.classify_column('customer', 'last_name', 'identifier', mask => 'partial', mask_params => '{"keep_first": 1}');
select privacy.classify_column('customer', 'email', 'contact', mask => 'email');
select privacy.classify_column('customer', 'personnummer', 'identifier');
select privacy.protect_table('customer', tenant_column => 'store_id');

select privacy.classify_column('rental', c, 'not_personal')
  from unnest(array['rental_id', 'rental_date', 'inventory_id', 'customer_id', 'return_date', 'staff_id', 'last_update']) c;
select privacy.protect_table('rental', tenant_column => 'store_id', tenant_via => '{customer_id}');

select privacy.classify_column('film_review', c, 'not_personal')
  from unnest(array['review_id', 'rental_id', 'stars', 'posted_at']) c;
select privacy.classify_column('film_review', 'body', 'free_text');
select privacy.protect_table('film_review', tenant_column => 'store_id', tenant_via => '{rental_id,customer_id}');

select privacy.classify_column('payment', c, 'not_personal')
  from unnest(array['payment_id', 'customer_id', 'staff_id', 'rental_id', 'payment_date']) c;
select privacy.classify_column('payment', 'amount', 'financial', mask => 'generalize', mask_params => '{"step": 10}');
select privacy.protect_table('payment', tenant_column => 'store_id', tenant_via => '{customer_id}');

select privacy.classify_column('film', c, 'not_personal')
  from unnest(array['film_id', 'title', 'description', 'release_year', 'rental_rate', 'last_update']) c;
select privacy.protect_table('film', shared => true);
