#!/usr/bin/env node
// The escalation task (warning: `escalate overdue warnings`) over a whole region the size of the demo
// region (target < 5 s), on a throwaway database of its own (bench-db.mjs: runs beside `pnpm start`).
// The region: COUNTIES × TOWNSHIPS × VILLAGES (default 12 × 20 × 61 = 14,640 villages, the demo region
// has 14,592), the 2026 public holidays and make-up workdays on the region's calendar, and PER_VILLAGE
// open warnings past their follow-up deadline in every village (default 3: 43,920, all of them due —
// the worst case; the demo data keeps ~3% of a year's warnings open). The task runs as the service
// runs it (the API role, the national scope, one transaction) on a working day, then again the same day
// (nothing left to do), then on a holiday (nothing escalates), then a week later; before them, as its
// peer, the task's previous statement and history trigger (migration 0563) on the same rows, rolled back.
// PER_VILLAGE=0.03 stands for the demo data's open share (a fraction: that share of villages gets one).
// Prints JSON lines.
import { loadavg } from 'node:os';
import { createOrm, inScope } from '../../packages/db/dist/index.js';
import { allEntities } from '../../services/api/dist/index.js';
import { escalateOverdueWarnings } from '../../packages/warning/dist/index.js';
import { escalationHistorySql } from '../../packages/warning/dist/move.migrations.js';
import { openBenchDatabase } from './bench-db.mjs';

const COUNTIES = Number(process.env.COUNTIES ?? 12);
const TOWNSHIPS = Number(process.env.TOWNSHIPS ?? 20);
const VILLAGES = Number(process.env.VILLAGES ?? 61);
const PER_VILLAGE = Number(process.env.PER_VILLAGE ?? 3);

const { urls, close } = await openBenchDatabase();
let api;
try {
  const owner = await createOrm({ url: urls.ownerUrl, entities: allEntities(), poolMax: 2 });
  const t0 = performance.now();
  const warnings = await inScope(owner, ['cn'], async (em) => {
    const [r] = await em.execute(`insert into admin_unit (code, name, level, parent_id, path) values ('980000000000', '基准盟', 'REGION', (select id from admin_unit where path = 'cn'), 'cn.r98') returning id`);
    await em.execute(`insert into admin_unit (code, name, level, parent_id, path)
      select '98' || lpad(c::text, 2, '0') || '00000000', '基准旗' || c, 'COUNTY', ?, ('cn.r98.c98' || lpad(c::text, 2, '0') || '00')::ltree from generate_series(1, ?) c`, [r.id, COUNTIES]);
    await em.execute(`update admin_unit set county_id = id where level = 'COUNTY' and path <@ 'cn.r98'`);
    await em.execute(`insert into admin_unit (code, name, level, parent_id, path, county_id)
      select left(c.code, 6) || lpad(t::text, 3, '0') || '000', c.name || '镇' || t, 'TOWNSHIP', c.id, (c.path::text || '.t' || left(c.code, 6) || lpad(t::text, 3, '0'))::ltree, c.id
        from admin_unit c, generate_series(1, ?) t where c.level = 'COUNTY' and c.path <@ 'cn.r98'`, [TOWNSHIPS]);
    await em.execute(`insert into admin_unit (code, name, level, parent_id, path, county_id)
      select left(t.code, 9) || lpad(v::text, 3, '0'), t.name || '村' || v, 'VILLAGE', t.id, (t.path::text || '.v' || left(t.code, 9) || lpad(v::text, 3, '0'))::ltree, t.county_id
        from admin_unit t, generate_series(1, ?) v where t.level = 'TOWNSHIP' and t.path <@ 'cn.r98'`, [VILLAGES]);
    // the 2026 holidays (国庆 Oct 1-7) and a make-up workday (Sep 27, a Sunday) on the region's calendar
    await em.execute(`insert into calendar_day (unit_id, day, kind)
      select ?::bigint, d::date, 'HOLIDAY' from generate_series('2026-10-01'::date, '2026-10-07', interval '1 day') d
      union all select ?::bigint, '2026-09-27'::date, 'WORKDAY'`, [r.id, r.id]);
    const [u] = await em.execute(`insert into app_user (username, display_name, password_hash, unit_id, roles) values ('bench-reporter', 'b', 'x', ?, '{ORG_ADMIN}') returning id`, [r.id]);
    const [n] = await em.execute(`with ins as (
      insert into warning (unit_id, indicator_code, level, severity, handler_level, facts, observed_on, reported_by, idempotency_key, follow_up_due)
      select v.id, 'PB01-0' || k, case when k = 1 then 'RED' else 'YELLOW' end, 'ORDINARY',
             (array['VILLAGE', 'TOWNSHIP', 'COUNTY'])[1 + (v.id + k) % 3], '基准', '2026-11-02', ?, 'e' || v.id || '-' || k, '2026-11-20'
        from admin_unit v, generate_series(1, greatest(1, ?::int)) k where v.level = 'VILLAGE' and v.path <@ 'cn.r98'
          and (?::float8 >= 1 or (hashtext(v.code) & 1023) < ?::float8 * 1024)
      returning 1) select count(*)::int as n from ins`, [u.id, Math.floor(PER_VILLAGE), PER_VILLAGE, PER_VILLAGE]);
    await em.execute('analyze admin_unit');
    await em.execute('analyze warning');
    await em.execute('analyze calendar_day');
    return n.n;
  });
  console.log(JSON.stringify({ fixture: { villages: COUNTIES * TOWNSHIPS * VILLAGES, openOverdueWarnings: warnings, builtInMs: Math.round(performance.now() - t0) } }));
  await owner.close();
  api = await createOrm({ url: urls.apiUrl, entities: allEntities(), poolMax: 2 });
  const run = async (label, on) => {
    const load = loadavg()[0];
    const t = performance.now();
    const n = await inScope(api, ['cn'], (em) => escalateOverdueWarnings(em, on));
    console.log(JSON.stringify({ run: label, on, escalated: n, ms: Math.round(performance.now() - t), loadAverage: Number(load.toFixed(1)) }));
  };
  // the peer: the task's previous statement (0563: the calendar per township in a CTE the planner inlined,
  // so next_due was computed per warning; the warnings joined again through their primary key) with the
  // history trigger of 0563 (the tenancy keys looked up per history row), same fixture, rolled back
  // (run as the owner, who may put 0563's trigger back inside the transaction)
  {
    const peerOrm = await createOrm({ url: urls.ownerUrl, entities: allEntities(), poolMax: 1 });
    const t = performance.now();
    let n = 0;
    await inScope(peerOrm, ['cn'], async (em) => {
      // 0563's history function, as that migration wrote it
      await em.execute(escalationHistorySql.match(/create function warning_escalated\(\)[\s\S]*?end \$\$;/)[0].replace('create function', 'create or replace function'));
      await em.execute(`drop trigger warning_history_tenant_keys on warning_history`);
      await em.execute(`drop trigger warning_history_tenant_keys_on_update on warning_history`);
      await em.execute(`create trigger warning_history_tenant_keys before insert or update of unit_id on warning_history
        for each row execute function jiceng_fill_tenant_keys()`);
      const t1 = performance.now();
      await em.execute(`select set_config('app.escalation_reason', 'not handled by its follow-up deadline', true)`);
      n = (await em.execute(`with today as (select '2026-12-02'::date as d),
       due as (
         select w.id, subpath(w.unit_path, 0, nlevel(w.unit_path) - 1) as township
           from warning w, today
          where w.resolved_on is null and w.handler_level <> 'CITY' and w.follow_up_due < today.d),
       townships as (
         select t.township, jiceng_add_working_days(t.township, today.d, 5) as next_due
           from (select distinct township from due) t, today
          where jiceng_add_working_days(t.township, today.d - 1, 1) = today.d)
       update warning w set handler_level = case w.handler_level when 'VILLAGE' then 'TOWNSHIP' when 'TOWNSHIP' then 'COUNTY' else 'CITY' end,
              follow_up_due = townships.next_due
         from due join townships using (township)
        where w.id = due.id
        returning w.id`)).length;
      console.log(JSON.stringify({ run: 'peer: the previous statement and history trigger (0563, rolled back)', on: '2026-12-02', escalated: n, ms: Math.round(performance.now() - t1), withTriggerSwapMs: Math.round(performance.now() - t), loadAverage: Number(loadavg()[0].toFixed(1)) }));
      throw new Error('rollback');
    }).catch((e) => { if (e.message !== 'rollback') throw e; });
    await peerOrm.close();
  }
  // the peer's dead row versions would take the pages' free room from the task: vacuum them first
  const vacuum = await createOrm({ url: urls.ownerUrl, entities: allEntities(), poolMax: 1 });
  await vacuum.em.getConnection().execute('vacuum warning');
  await vacuum.close();
  await run('working day', '2026-12-02');
  await run('the same day again', '2026-12-02');
  await run('public holiday', '2026-10-02');
  await run('a week later: the new deadlines passed', '2026-12-10');
} finally {
  await api?.close();
  await close();
}
