import pg from 'pg';
import { readFile } from 'node:fs/promises';
const c = new pg.Client(`postgres://postgres@127.0.0.1:5432/scratch_tracking_s10`); await c.connect();
const sql = (await readFile(new URL('./seed-trip-plan.sql', import.meta.url), 'utf8')).replace('create temp table tracking_trip_plan on commit drop as', 'explain analyze');
const d = (await c.query(`select d.id, coalesce(d.vehicle_id, 1) v, d.customer_id from device d order by id`)).rows;
const params = [1, 50000, 1000000, d.map(r=>r.id), d.map(r=>r.v), d.map(r=>r.customer_id), d.map(()=> 'A|B'), d.map(()=>59000000), d.map(()=>18000000), d.map(()=>17000), d.map(()=>1767000000), d.map(()=>1767000000+86400*150)];
const r = await c.query(sql, params); console.log(r.rows.map(x=>x['QUERY PLAN']).join('\n'));
await c.end();
