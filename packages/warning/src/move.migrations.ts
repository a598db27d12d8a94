// 撤乡并镇 and the light rollup (warning_rollup, keyed by path): a unit move rewrites the paths of the
// moved subtree's rows, rollup rows included, so the units inside the moved subtree keep their counts.
// The units above it are not rewritten: each non-green village of the subtree leaves the rollup rows of
// its old ancestors outside the subtree and enters those of its new ones. The trigger fires on
// village_light's path rewrite, in the move's transaction (like funding's account_rollup_rekey).
export const lightMoveSql = `
-- light_event stays append-only, but its tenancy keys follow a unit move (its first trigger refused the
-- move of any village with a light history)
drop trigger light_event_append_only on light_event;
drop function light_event_append_only();
create trigger light_event_append_only before update or delete on light_event for each row execute function jiceng_refuse_change();
revoke update, delete on light_event from :api_role;
grant update (unit_path, county_id) on light_event to :api_role;

-- the number of trailing labels two paths share: the moved subtree's part of a village's path (every
-- label is a unit's own, and a move always changes the moved unit's parent)
create function jiceng_shared_tail(a ltree, b ltree) returns integer
  language sql immutable set search_path = public, pg_temp as $$
  select coalesce(max(k), 0) from generate_series(1, least(nlevel(a), nlevel(b))) k
   where subpath(a, nlevel(a) - k) = subpath(b, nlevel(b) - k)
$$;

create function jiceng_warning_rollup_rekey() returns trigger
  language plpgsql security definer set search_path = public, pg_temp as $$
declare
  s integer := jiceng_shared_tail(old.unit_path, new.unit_path);
  y integer := (old.light = 'YELLOW')::int;
  r integer := (old.light = 'RED')::int;
begin
  -- the old ancestors above the moved subtree (the country, level 1, carries no row)
  update warning_rollup w set yellow = w.yellow - y, red = w.red - r
   where w.unit_path in (select subpath(old.unit_path, 0, k) from generate_series(2, nlevel(old.unit_path) - s) k);
  insert into warning_rollup as w (unit_path, yellow, red)
  select subpath(new.unit_path, 0, k), y, r from generate_series(2, nlevel(new.unit_path) - s) k
  on conflict (unit_path) do update set yellow = w.yellow + y, red = w.red + r;
  return null;
end $$;
revoke execute on function jiceng_warning_rollup_rekey() from public;
create trigger village_light_rollup_rekey after update of unit_path on village_light for each row
  when (old.unit_path is distinct from new.unit_path and old.light <> 'GREEN')
  execute function jiceng_warning_rollup_rekey();
`;

// The escalation task moves thousands of warnings in one statement: their history rows are written by one
// statement-level trigger (transition tables) instead of one trigger call and one insert per warning.
export const escalationHistorySql = `
drop trigger warning_escalated on warning;
drop function warning_escalated();
create function warning_escalated() returns trigger language plpgsql as $$
begin
  insert into warning_history (warning_id, unit_id, kind, handler_from, handler_to, follow_up_due, note)
  select n.id, n.unit_id, 'ESCALATED', o.handler_level, n.handler_level, n.follow_up_due,
         coalesce(nullif(current_setting('app.escalation_reason', true), ''), 'the indicator worsened')
    from escalated_new n join escalated_old o on o.id = n.id
   where o.handler_level is distinct from n.handler_level
   order by n.id;
  return null;
end $$;
-- room on every page: an escalation changes no indexed column, so with room it is a HOT update (no index
-- entries to write); a full page makes every escalated warning a new entry in each of its five indexes
alter table warning set (fillfactor = 50);
create trigger warning_escalated after update on warning
  referencing old table as escalated_old new table as escalated_new
  for each statement execute function warning_escalated();
`;

// The history rows of an escalation carry their warning's tenancy keys (the warning's own, filled by the
// same trigger when it was written), so the per-row admin_unit look-up of jiceng_fill_tenant_keys is skipped
// for rows written by a trigger (pg_trigger_depth() > 0: only warning_escalated writes history that way);
// every insert by a statement, and every change of unit_id, still goes through the look-up. EXPLAIN ANALYZE
// on 14,640 escalations: the look-up was ~0.7 s of the history trigger's ~2 s.
export const escalationKeysSql = `
create or replace function warning_escalated() returns trigger language plpgsql as $$
begin
  insert into warning_history (warning_id, unit_id, unit_path, county_id, kind, handler_from, handler_to, follow_up_due, note)
  select n.id, n.unit_id, n.unit_path, n.county_id, 'ESCALATED', o.handler_level, n.handler_level, n.follow_up_due,
         coalesce(nullif(current_setting('app.escalation_reason', true), ''), 'the indicator worsened')
    from escalated_new n join escalated_old o on o.id = n.id
   where o.handler_level is distinct from n.handler_level
   order by n.id;
  return null;
end $$;
drop trigger warning_history_tenant_keys on warning_history;
create trigger warning_history_tenant_keys before insert on warning_history
  for each row when (pg_trigger_depth() = 0 or new.unit_path is null) execute function jiceng_fill_tenant_keys();
create trigger warning_history_tenant_keys_on_update before update of unit_id on warning_history
  for each row execute function jiceng_fill_tenant_keys();
`;
