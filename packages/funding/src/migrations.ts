import { TENANT_KEYS, configFromAboveSql, configTableSql, fillTenantKeysSql, tenantTableSql, type Migration } from '@jiceng/db';

// A double-entry ledger in integer fen. Accounts belong to a unit; a transfer debits one account and
// credits another; entries are append-only and the account balance is their sum (kept in the same
// transaction, checked by tests after every run).
const ledger = `
create table funding_standard (
  id bigint generated always as identity primary key,
  ${TENANT_KEYS},
  key text not null check (key in ('OFFICE', 'ACTIVITY_PER_MEMBER', 'PARTY_BUILDING', 'BENEFIT_PROJECT', 'AWARD', 'VENUE_FARMING_M2', 'VENUE_PASTORAL_M2')),
  effective_on date not null,
  value bigint not null check (value >= 0),
  unique (unit_id, key, effective_on)
);
${configTableSql('funding_standard')}
${fillTenantKeysSql('funding_standard')}

create table account (
  id bigint generated always as identity primary key,
  ${TENANT_KEYS},
  fund text not null check (fund in ('OFFICE', 'ACTIVITY', 'PARTY_BUILDING', 'BENEFIT_PROJECT', 'AWARD')),
  year integer not null check (year between 2000 and 2100),
  -- SOURCE: where appropriations come from (may go negative); BUDGET: allocated, not yet paid;
  -- CASH: paid to the village (kept by the township, 村财乡管); SPENT: what the village spent; POOL: the region's award pool
  kind text not null check (kind in ('SOURCE', 'BUDGET', 'CASH', 'SPENT', 'POOL')),
  balance bigint not null default 0,
  check (kind = 'SOURCE' or balance >= 0),
  unique (unit_id, fund, year, kind)
);
${tenantTableSql('account')}
${fillTenantKeysSql('account')}

create table transfer (
  id bigint generated always as identity primary key,
  idempotency_key text not null unique check (length(idempotency_key) between 8 and 200),
  request_hash text not null,
  kind text not null check (kind in ('APPROPRIATE', 'ALLOCATE', 'DISBURSE', 'SPEND', 'AWARD')),
  debit_account bigint not null references account (id),
  credit_account bigint not null references account (id),
  debit_path ltree not null,
  credit_path ltree not null,
  amount bigint not null check (amount > 0),
  fund text not null,
  year integer not null,
  -- the deeper of the two units: the transfer is visible there and above
  ${TENANT_KEYS},
  occurred_on date not null,
  voucher text,
  category text,
  receipt text,
  note text,
  reverses bigint unique references transfer (id),
  created_by bigint references app_user (id),
  created_at timestamptz not null default now(),
  check (debit_account <> credit_account)
);
create index transfer_kind_year on transfer (kind, fund, year);
create unique index transfer_one_award on transfer (unit_id) where kind = 'AWARD' and reverses is null;
${tenantTableSql('transfer')}
${fillTenantKeysSql('transfer')}

create table entry (
  id bigint generated always as identity primary key,
  transfer_id bigint not null references transfer (id),
  account_id bigint not null references account (id),
  amount bigint not null check (amount <> 0),
  -- checked by the tenant-keys trigger; entries are read through their account or transfer
  unit_id bigint not null,
  unit_path ltree not null,
  county_id bigint
);
create index entry_account on entry (account_id);
${tenantTableSql('entry', 'unit_path', { index: false })}
${fillTenantKeysSql('entry')}

-- append-only: corrections are reversing transfers. Only the tenancy keys may change, when a unit
-- moves (撤乡并镇) and its rows follow it.
create function jiceng_append_only() returns trigger language plpgsql as $$
begin
  if tg_op = 'UPDATE' and (to_jsonb(new) - '{unit_path,county_id,debit_path,credit_path}'::text[])
                        = (to_jsonb(old) - '{unit_path,county_id,debit_path,credit_path}'::text[]) then
    return new;
  end if;
  raise exception '% rows are append-only', tg_table_name using errcode = '42501';
end $$;
create trigger transfer_append_only before update or delete on transfer for each row execute function jiceng_append_only();
create trigger entry_append_only before update or delete on entry for each row execute function jiceng_append_only();
revoke update, delete on transfer, entry from :api_role;
grant update (unit_path, county_id, debit_path, credit_path) on transfer to :api_role;
grant update (unit_path, county_id) on entry to :api_role;
`;

// Balances rolled up per county (or per region for units outside counties), so summaries above
// county level read a few hundred rows instead of every village account. A posting appends its two
// deltas (no row is shared between concurrent postings); compaction folds them into fund_rollup.
// Rows are keyed by the rollup unit's path: moving a county carries them; moving a village or
// township across counties re-keys its accounts' balances (trigger below).

/** The rollup unit's path (its county, or a region), and a signed amount per fund, year and account kind. */
const ROLLUP_COLUMNS = `id bigint generated always as identity primary key, unit_path ltree not null, county_id bigint,
  fund text not null, year integer not null, kind text not null, amount bigint not null`;

/** 0401's compaction of the per-county deltas (0440's compaction keeps it) */
const FOLD_COUNTY_DELTAS = `  with moved as (delete from fund_rollup_delta where unit_path <@ any (jiceng_scopes()) returning unit_path, fund, year, kind, amount),
       folded as (
         insert into fund_rollup (unit_path, fund, year, kind, amount)
         select unit_path, fund, year, kind, sum(amount) from moved group by unit_path, fund, year, kind
         on conflict (unit_path, fund, year, kind) do update set amount = fund_rollup.amount + excluded.amount
         returning 1)
  select count(*) into n from moved;
`;

// Applied migration, kept byte for byte: JS reads `\.` as `.`, so the regex's dot below matches any character;
// the result is the same while r and c only start a label. A fix needs a new migration.
// biome-ignore-start lint/suspicious/noUselessEscapeInString: see above
const rollup = `
-- the rollup unit of a path: its deepest region (r…) or county (c…) label
create function jiceng_rollup_path(p ltree) returns ltree language sql immutable parallel safe as $$
  select substring(p::text from '^(.*\.[rc][^.]*)')::ltree
$$;

create table fund_rollup (${ROLLUP_COLUMNS}, unique (unit_path, fund, year, kind));
create table fund_rollup_delta (${ROLLUP_COLUMNS});
${tenantTableSql('fund_rollup')}
${tenantTableSql('fund_rollup_delta')}
-- written only by the ledger functions below (they run as the owner): a township's posting adds to
-- its county's rollup, which lies outside the township's scope. Reads stay scoped.
revoke insert, update on fund_rollup, fund_rollup_delta from :api_role;
grant update (unit_path, county_id) on fund_rollup, fund_rollup_delta to :api_role;
create policy fund_rollup_ledger on fund_rollup for all to :owner_role using (true) with check (true);
create policy fund_rollup_delta_ledger on fund_rollup_delta for all to :owner_role using (true) with check (true);

-- Folds the committed deltas visible in the caller's scope into fund_rollup. Deltas committed later
-- stay for the next run; each delta row is deleted, and so folded, by one compaction only.
create function jiceng_compact_fund_rollup() returns integer language plpgsql security definer set search_path = public, pg_temp as $$
declare n integer;
begin
${FOLD_COUNTY_DELTAS}  return n;
end $$;

-- Recomputes the rollup from the accounts in the caller's scope (seeds that write accounts in bulk).
create function jiceng_rebuild_fund_rollup() returns void language plpgsql security definer set search_path = public, pg_temp as $$
begin
  lock table fund_rollup_delta in exclusive mode;
  delete from fund_rollup_delta where unit_path <@ any (jiceng_scopes());
  delete from fund_rollup where unit_path <@ any (jiceng_scopes());
  insert into fund_rollup (unit_path, fund, year, kind, amount)
  select jiceng_rollup_path(unit_path), fund, year, kind, sum(balance) from account
   where jiceng_rollup_path(unit_path) <@ any (jiceng_scopes()) group by 1, 2, 3, 4;
end $$;

-- 撤乡并镇 across counties: the moved accounts' balances leave the old county's rollup for the new one.
-- (A county or region that moves keeps its label, and its rollup rows move with it.)
create function jiceng_fund_rollup_rekey() returns trigger language plpgsql security definer set search_path = public, pg_temp as $$
begin
  insert into fund_rollup_delta (unit_path, fund, year, kind, amount)
  values (jiceng_rollup_path(old.unit_path), old.fund, old.year, old.kind, -old.balance),
         (jiceng_rollup_path(new.unit_path), new.fund, new.year, new.kind, new.balance);
  return null;
end $$;
create trigger account_rollup_rekey after update of unit_path on account for each row
  when (subpath(jiceng_rollup_path(old.unit_path), -1) <> subpath(jiceng_rollup_path(new.unit_path), -1) and old.balance <> 0)
  execute function jiceng_fund_rollup_rekey();
revoke execute on function jiceng_fund_rollup_rekey() from public;
grant execute on function jiceng_compact_fund_rollup(), jiceng_rebuild_fund_rollup() to :api_role;
`;
// biome-ignore-end lint/suspicious/noUselessEscapeInString: see above

// jiceng_post_transfer's parts that 0410 (idempotency per account) keeps as they were in 0401
const POST_SIGNATURE = `jiceng_post_transfer(
  p_key text, p_hash text, p_kind text, p_fund text, p_year integer,
  p_debit_unit bigint, p_debit_kind text, p_credit_unit bigint, p_credit_kind text, p_amount bigint,
  p_on date, p_voucher text, p_category text, p_receipt text, p_note text, p_reverses bigint, p_user bigint)
returns table (outcome text, transfer_id bigint, available bigint, debit_account bigint, credit_account bigint)
language plpgsql security definer set search_path = public, pg_temp as $$
declare
  a account%rowtype;
  d account%rowtype;
  c account%rowtype;
  s account%rowtype;
  v_prior record;
  v_id bigint;
`;
/** find (or create) both accounts and lock them in id order */
const POST_LOCK_ACCOUNTS = `begin
  if p_amount <= 0 then
    raise exception 'amount must be positive' using errcode = '22023';
  end if;
  for attempt in 1..2 loop
    for a in select * from account
              where fund = p_fund and year = p_year
                and ((unit_id = p_debit_unit and kind = p_debit_kind) or (unit_id = p_credit_unit and kind = p_credit_kind))
              order by id for update loop
      if a.unit_id = p_debit_unit and a.kind = p_debit_kind then d := a; end if;
      if a.unit_id = p_credit_unit and a.kind = p_credit_kind then c := a; end if;
    end loop;
    exit when d.id is not null and c.id is not null;
    exit when attempt = 2;
    insert into account (unit_id, fund, year, kind) values (p_debit_unit, p_fund, p_year, p_debit_kind), (p_credit_unit, p_fund, p_year, p_credit_kind)
      on conflict do nothing;
  end loop;
  if d.id is null or c.id is null then
    outcome := 'NOT_FOUND';
    return next;
    return;
  end if;
`;
/** the one-award and one-reversal rules and the overdraw check, under the locks */
const POST_RULES = `  -- the transfer hangs on the deeper of its two units
  if nlevel(c.unit_path) >= nlevel(d.unit_path) then s := c; else s := d; end if;
  -- (nested ifs keep the common path free of subqueries)
  if p_kind = 'AWARD' and p_reverses is null then
    -- one award per village; a reversed award no longer counts (the pool lock serializes awards)
    if exists (select 1 from transfer t where t.unit_id = s.unit_id and t.kind = 'AWARD' and t.reverses is null
                and not exists (select 1 from transfer r where r.reverses = t.id)) then
      outcome := 'AWARDED_ALREADY';
      return next;
      return;
    end if;
  end if;
  if p_reverses is not null then
    if exists (select 1 from transfer t where t.reverses = p_reverses) then
      outcome := 'REVERSED_ALREADY';
      return next;
      return;
    end if;
  end if;
  if p_debit_kind <> 'SOURCE' and d.balance < p_amount then
    outcome := 'INSUFFICIENT_FUNDS';
    available := d.balance;
    return next;
    return;
  end if;
`;
/** 0420's rules: the award and voucher registers (read under the locks; their unique indexes decide races), then 0401's one reversal and no overdraw */
const POST_RULES_REGISTERED = `${POST_RULES.slice(0, POST_RULES.indexOf("  if p_kind = 'AWARD'"))}  if p_kind = 'AWARD' and p_reverses is null then
    -- one standing award per village, in any year (award_grant_once holds it against races)
    if exists (select 1 from award_grant g where g.unit_id = s.unit_id and g.released_by is null) then
      outcome := 'AWARDED_ALREADY';
      return next;
      return;
    end if;
  end if;
  if p_kind = 'DISBURSE' and p_reverses is null and p_voucher is not null then
    -- a voucher number once per county and year (voucher_use_once holds it against races)
    if exists (select 1 from voucher_use u where u.issuer = jiceng_voucher_issuer(s.county_id, s.unit_path) and u.year = p_year
                  and u.voucher = p_voucher and u.released_by is null) then
      outcome := 'VOUCHER_USED';
      return next;
      return;
    end if;
  end if;
${POST_RULES.slice(POST_RULES.indexOf('  if p_reverses is not null then'))}`;
/** the answer for a key claimed before: the original (same content) or CONFLICT */
const POST_REPLAY_OR_CONFLICT = `    outcome := case when v_prior.request_hash = p_hash then 'REPLAY' else 'CONFLICT' end;
    transfer_id := v_prior.id;
    return next;
    return;
`;
/** both balances, the entries and the rollup deltas */
const POST_APPLY = `  update account set balance = balance + case when id = d.id then -p_amount else p_amount end where id in (d.id, c.id);
  with e as (insert into entry (transfer_id, account_id, amount, unit_id, unit_path, county_id)
             values (v_id, d.id, -p_amount, d.unit_id, d.unit_path, d.county_id), (v_id, c.id, p_amount, c.unit_id, c.unit_path, c.county_id))
  insert into fund_rollup_delta (unit_path, fund, year, kind, amount)
  values (jiceng_rollup_path(d.unit_path), p_fund, p_year, p_debit_kind, -p_amount),
         (jiceng_rollup_path(c.unit_path), p_fund, p_year, p_credit_kind, p_amount);
  outcome := 'POSTED';
  transfer_id := v_id;
  debit_account := d.id;
  credit_account := c.id;
  return next;
end $$;`;

// Posting a transfer in one round trip. It runs as the owner (the API role cannot write transfers,
// entries or rollups any other way: every transfer has both entries by construction) under the
// caller's scope (RLS is forced for the owner too). Both accounts are found and locked in one
// statement, in id order (no deadlock between opposite flows); the idempotency key, the one-award
// rule and the one-reversal rule are checked under those locks, so concurrent retries see each
// other. Business outcomes are returned, never raised: nothing is written unless the transfer is
// posted. Tenant keys are copied from the locked accounts (no per-row lookups).
const postFunction = `
create function ${POST_SIGNATURE}${POST_LOCK_ACCOUNTS}
  select t.id, t.request_hash into v_prior from transfer t where t.idempotency_key = p_key;
  if found then
${POST_REPLAY_OR_CONFLICT}  end if;
${POST_RULES}
  insert into transfer (idempotency_key, request_hash, kind, debit_account, credit_account, debit_path, credit_path, amount, fund, year,
                        unit_id, unit_path, county_id, occurred_on, voucher, category, receipt, note, reverses, created_by)
  values (p_key, p_hash, p_kind, d.id, c.id, d.unit_path, c.unit_path, p_amount, p_fund, p_year,
          s.unit_id, s.unit_path, s.county_id, p_on, p_voucher, p_category, p_receipt, p_note, p_reverses, p_user)
  on conflict (idempotency_key) do nothing
  returning id into v_id;
  if v_id is null then
    -- the key was claimed meanwhile by a request on other accounts (or by another tenant's)
    select t.id, t.request_hash into v_prior from transfer t where t.idempotency_key = p_key;
${POST_REPLAY_OR_CONFLICT}  end if;
${POST_APPLY}
revoke execute on function jiceng_post_transfer(text, text, text, text, integer, bigint, text, bigint, text, bigint, date, text, text, text, text, bigint, bigint) from public;
grant execute on function jiceng_post_transfer(text, text, text, text, integer, bigint, text, bigint, text, bigint, date, text, text, text, text, bigint, bigint) to :api_role;

-- the ledger is written only through jiceng_post_transfer, which takes the tenant keys from the
-- locked accounts; accounts keep their trigger (they are created rarely)
revoke insert on transfer, entry from :api_role;
drop trigger transfer_tenant_keys on transfer;
drop trigger entry_tenant_keys on entry;

-- transfers are read by id, by unit and by county; the subtree GiST index cost a third of each posting
drop index transfer_unit_path_gist;
drop index transfer_one_award;
create index transfer_unit on transfer (unit_id, id);
create index transfer_county on transfer (county_id, id);
`;

// A transfer is reversed at most once. Only reversals carry `reverses`, so the unique index holds
// just those: postings no longer add a NULL to it, and "is this one reversed?" reads a small index.
const reversesIndex = `
alter table transfer drop constraint transfer_reverses_key;
create unique index transfer_reverses on transfer (reverses) where reverses is not null;
`;

/** 0410's posting function: the key claimed per account (claim first, then the transfer), with the given rules (and, from 0440, apply) */
const postPerAccount = (rules: string, apply = POST_APPLY) => `create or replace function ${POST_SIGNATURE}  v_claimed bigint;
${POST_LOCK_ACCOUNTS}
  -- the key, in the caller's account, while it lives
  select ic.transfer_id as id, ic.request_hash into v_prior from idempotency_claim ic
   where ic.user_id = coalesce(p_user, 0) and ic.key = p_key and ic.claimed_at > now() - interval '30 days';
  if found then
${POST_REPLAY_OR_CONFLICT}  end if;
${rules}
  -- claim the key first (a concurrent claim of the same account and key waits here, then sees it);
  -- an expired claim is taken over
  v_id := nextval(pg_get_serial_sequence('transfer', 'id'));
  insert into idempotency_claim as k (user_id, key, request_hash, transfer_id)
  values (coalesce(p_user, 0), p_key, p_hash, v_id)
  on conflict (user_id, key) do update set request_hash = excluded.request_hash, transfer_id = excluded.transfer_id, claimed_at = now()
     where k.claimed_at <= now() - interval '30 days'
  returning k.transfer_id into v_claimed;
  if v_claimed is null then
    -- claimed meanwhile by a request of the same account on other accounts
    select ic.transfer_id as id, ic.request_hash into v_prior from idempotency_claim ic where ic.user_id = coalesce(p_user, 0) and ic.key = p_key;
${POST_REPLAY_OR_CONFLICT}  end if;
  insert into transfer (id, idempotency_key, request_hash, kind, debit_account, credit_account, debit_path, credit_path, amount, fund, year,
                        unit_id, unit_path, county_id, occurred_on, voucher, category, receipt, note, reverses, created_by)
  overriding system value
  values (v_id, p_key, p_hash, p_kind, d.id, c.id, d.unit_path, c.unit_path, p_amount, p_fund, p_year,
          s.unit_id, s.unit_path, s.county_id, p_on, p_voucher, p_category, p_receipt, p_note, p_reverses, p_user);
${apply}
`;

// Idempotency keys belong to the account that sends them (as Stripe scopes keys per account) and live
// 30 days: the same key in another account, or after 30 days, is a new request, and nothing about
// other accounts' keys can be learned from an answer. Claims are kept beside the ledger (transfers
// still record their key); only the posting function and the pruning task touch them.
const idempotencyClaims = `
create table idempotency_claim (
  -- the account that sent the key (0: postings with no account, such as scripts)
  user_id bigint not null,
  key text not null,
  request_hash text not null,
  -- written in the same statement as its transfer (the claim comes first, so no foreign key)
  transfer_id bigint not null,
  claimed_at timestamptz not null default now(),
  primary key (user_id, key)
);
revoke all on idempotency_claim from :api_role;
select set_config('app.scopes', '{cn}', true);
insert into idempotency_claim (user_id, key, request_hash, transfer_id, claimed_at)
select coalesce(created_by, 0), idempotency_key, request_hash, id, created_at from transfer;
select set_config('app.scopes', '', true);
alter table transfer drop constraint transfer_idempotency_key_key;

${postPerAccount(POST_RULES)}
-- expired claims go (a maintenance task); the posting ignores them anyway
create function jiceng_prune_idempotency_claims() returns integer language sql security definer set search_path = public, pg_temp as $$
  with gone as (delete from idempotency_claim where claimed_at <= now() - interval '30 days' returning 1) select count(*)::integer from gone
$$;
revoke execute on function jiceng_prune_idempotency_claims() from public;
grant execute on function jiceng_prune_idempotency_claims() to :api_role;
`;

// Once per village, ever: the award register (award_grant) and the voucher register (voucher_use) are
// written by a trigger on every transfer insert, whoever writes it (the posting function, the demo seed),
// and hold their rules as unique indexes, so they hold under any concurrency: grants for the same
// village in different years lock different pools but meet on award_grant_once. A reversal releases
// its original's row (the rows stay, as history), so a reversed award allows a new one and a reversed
// disbursement's voucher may be used again. The posting function looks first (a clean outcome);
// the index decides races (unique_violation, answered as CONFLICT by the service).
// Existing data keeps its first standing award per village and first use of each voucher; later
// duplicates stay unregistered (ledgerProblems lists villages paid twice, for reversal).
const registers = `
create table award_grant (
  id bigint generated always as identity primary key,
  -- the village awarded
  ${TENANT_KEYS},
  transfer_id bigint not null unique references transfer (id),
  released_by bigint unique references transfer (id)
);
create unique index award_grant_once on award_grant (unit_id) where released_by is null;
${tenantTableSql('award_grant')}

create table voucher_use (
  id bigint generated always as identity primary key,
  -- the village paid
  ${TENANT_KEYS},
  -- the county the voucher belongs to (its id; a region's rollup path where there is no county), fixed
  -- when written: a village moved to another county later keeps its past vouchers in the old one
  issuer text not null,
  year integer not null,
  voucher text not null,
  transfer_id bigint not null unique references transfer (id),
  released_by bigint unique references transfer (id)
);
create unique index voucher_use_once on voucher_use (issuer, year, voucher) where released_by is null;
${tenantTableSql('voucher_use')}

-- written only by the trigger below (as the owner); a unit move rewrites their tenancy keys
revoke insert, update, delete on award_grant, voucher_use from :api_role;
grant update (unit_path, county_id) on award_grant, voucher_use to :api_role;

create function jiceng_voucher_issuer(p_county bigint, p_path ltree) returns text language sql immutable parallel safe as $$
  select coalesce(p_county::text, jiceng_rollup_path(p_path)::text)
$$;

create function jiceng_transfer_registers() returns trigger language plpgsql security definer set search_path = public, pg_temp as $$
begin
  -- set-based over the statement's rows (a seed inserts thousands at once, a posting one)
  if exists (select 1 from added where reverses is not null) then
    update award_grant g set released_by = a.id from added a where a.reverses = g.transfer_id and a.kind = 'AWARD';
    update voucher_use u set released_by = a.id from added a where a.reverses = u.transfer_id and a.kind = 'DISBURSE';
  end if;
  insert into award_grant (unit_id, unit_path, county_id, transfer_id)
  select unit_id, unit_path, county_id, id from added where kind = 'AWARD' and reverses is null order by id;
  insert into voucher_use (unit_id, unit_path, county_id, issuer, year, voucher, transfer_id)
  select unit_id, unit_path, county_id, jiceng_voucher_issuer(county_id, unit_path), year, voucher, id from added
   where kind = 'DISBURSE' and reverses is null and voucher is not null order by id;
  return null;
end $$;
revoke execute on function jiceng_transfer_registers() from public;

select set_config('app.scopes', '{cn}', true);
insert into award_grant (unit_id, unit_path, county_id, transfer_id)
select distinct on (t.unit_id) t.unit_id, t.unit_path, t.county_id, t.id from transfer t
 where t.kind = 'AWARD' and t.reverses is null and not exists (select 1 from transfer r where r.reverses = t.id)
 order by t.unit_id, t.id;
insert into award_grant (unit_id, unit_path, county_id, transfer_id, released_by)
select t.unit_id, t.unit_path, t.county_id, t.id, r.id from transfer t join transfer r on r.reverses = t.id where t.kind = 'AWARD' and t.reverses is null;
insert into voucher_use (unit_id, unit_path, county_id, issuer, year, voucher, transfer_id)
select distinct on (jiceng_voucher_issuer(t.county_id, t.unit_path), t.year, t.voucher)
       t.unit_id, t.unit_path, t.county_id, jiceng_voucher_issuer(t.county_id, t.unit_path), t.year, t.voucher, t.id from transfer t
 where t.kind = 'DISBURSE' and t.reverses is null and t.voucher is not null and not exists (select 1 from transfer r where r.reverses = t.id)
 order by jiceng_voucher_issuer(t.county_id, t.unit_path), t.year, t.voucher, t.id;
insert into voucher_use (unit_id, unit_path, county_id, issuer, year, voucher, transfer_id, released_by)
select t.unit_id, t.unit_path, t.county_id, jiceng_voucher_issuer(t.county_id, t.unit_path), t.year, t.voucher, t.id, r.id
  from transfer t join transfer r on r.reverses = t.id where t.kind = 'DISBURSE' and t.reverses is null and t.voucher is not null;
select set_config('app.scopes', '', true);

create trigger transfer_registers after insert on transfer referencing new table as added for each statement execute function jiceng_transfer_registers();

-- the posting function as in 0410, with the one-award rule read from the register and the voucher rule added
${postPerAccount(POST_RULES_REGISTERED)}`;

// ---------------------------------------------------------------- 0440: figures per unit per year (issue 12 point 5)
// For EVERY unit (the country down to each village) and year, the sums over its subtree by fund and account
// kind (fund_unit_rollup: `amount`, and `village_amount`, the part held in village accounts, for compliance),
// plus one DAYS row per unit and year (fund 'ALL'): `amount` the sum over its villages of the days from a
// village's first allocation to its first payment, `villages` how many villages that sum covers. Any unit's
// funds figures, and a list of units with theirs, are then one read by unit id (btree: RLS keeps ltree
// operators from driving an index).
// Written as the per-county rollup is (0401): a posting appends deltas for the unit line of each of its two
// accounts (no row is shared between concurrent postings, so disbursements do not queue on the country's
// row), and the compaction task folds them. Reads add the pending deltas. Rows carry their unit's path, so
// the scope policies apply, and a unit move rewrites it; the move's statement also carries the moved
// subtree's figures from its old ancestors to its new ones (trigger on admin_unit below).
// Per village and year (fund_village): its first allocation and first payment, so a posting updates the
// days without reading the village's transfers (only a reversal re-reads them), and what it holds of the
// office and activity funds (BUDGET + CASH + SPENT: what was allocated to it), which compliance compares
// with the standards without reading every village's accounts.
const UNIT_ROLLUP_COLUMNS = `id bigint generated always as identity primary key,
  ${TENANT_KEYS},
  fund text not null,
  year integer not null,
  kind text not null check (kind in ('SOURCE', 'BUDGET', 'CASH', 'SPENT', 'POOL', 'DAYS')),
  amount bigint not null default 0,
  village_amount bigint not null default 0,
  villages integer not null default 0`;

const unitRollup = `
create table fund_unit_rollup (${UNIT_ROLLUP_COLUMNS}, unique (unit_id, year, fund, kind));
-- pending deltas name their unit by path (a posting needs no look-up of the units above it); the compaction
-- folds them into the rows of those units' ids. Few rows (compacted every 2 s): reads scan them.
create table fund_unit_delta (id bigint generated always as identity primary key, unit_path ltree not null, county_id bigint,
  fund text not null, year integer not null, kind text not null, amount bigint not null default 0, village_amount bigint not null default 0,
  villages integer not null default 0);
-- read by unit id (under RLS ltree operators cannot drive an index) and the deltas by a scan: no GiST index
${tenantTableSql('fund_unit_rollup', 'unit_path', { index: false })}
${tenantTableSql('fund_unit_delta', 'unit_path', { index: false })}
create table fund_village (
  ${TENANT_KEYS},
  year integer not null,
  first_allocate date,
  first_disburse date,
  office bigint not null default 0,
  activity bigint not null default 0,
  primary key (unit_id, year)
);
${tenantTableSql('fund_village', 'unit_path', { index: false })}
-- written only by the ledger functions (as the owner); a unit move rewrites their tenancy keys
revoke insert, update, delete on fund_unit_rollup, fund_unit_delta, fund_village from :api_role;
grant update (unit_path, county_id) on fund_unit_rollup, fund_unit_delta, fund_village to :api_role;
create policy fund_unit_rollup_ledger on fund_unit_rollup for all to :owner_role using (true) with check (true);
create policy fund_unit_delta_ledger on fund_unit_delta for all to :owner_role using (true) with check (true);
create policy fund_village_ledger on fund_village for all to :owner_role using (true) with check (true);

-- Appends signed figures (an account's path, fund, year, kind, amount, villages) to the unit at each prefix of
-- the path: the unit and every unit above it, by path (no look-up). An amount on a village's account (its
-- label starts with v, as tenancy builds paths) counts in village_amount too. Owner-only tables: no scope needed.
create function jiceng_fund_unit_roll(p_paths ltree[], p_funds text[], p_years integer[], p_kinds text[], p_amounts bigint[], p_villages integer[])
  returns void language sql security definer set search_path = public, pg_temp as $$
  insert into fund_unit_delta (unit_path, fund, year, kind, amount, village_amount, villages)
  select subpath(x.path, 0, k), x.fund, x.year, x.kind, sum(x.amount),
         sum(case when subpath(x.path, -1)::text like 'v%' and x.kind <> 'DAYS' then x.amount else 0 end), sum(x.villages)
    from unnest(p_paths, p_funds, p_years, p_kinds, p_amounts, p_villages) as x(path, fund, year, kind, amount, villages)
   cross join generate_series(1, nlevel(x.path)) k
   where x.path is not null and (x.amount <> 0 or x.villages <> 0)
   group by 1, x.fund, x.year, x.kind
  having sum(x.amount) <> 0 or sum(case when subpath(x.path, -1)::text like 'v%' and x.kind <> 'DAYS' then x.amount else 0 end) <> 0 or sum(x.villages) <> 0
$$;
revoke execute on function jiceng_fund_unit_roll(ltree[], text[], integer[], text[], bigint[], integer[]) from public;

-- A village's days from its first allocation to its first payment of a year (null until it has both).
create function jiceng_village_days(p_first_allocate date, p_first_disburse date) returns integer language sql immutable parallel safe as $$
  select p_first_disburse - p_first_allocate
$$;

-- What a posting does to the unit rollup: its two accounts' lines; and for a posting that hangs on a village
-- (not AWARD), the village's first dates and days (allocations and payments) and its office and activity
-- holdings (what its BUDGET, CASH and SPENT accounts gained or lost: only an allocation or its reversal
-- changes them). Called by jiceng_post_transfer, as the owner.
create function jiceng_fund_unit_post(p_kind text, p_fund text, p_year integer, p_debit account, p_credit account, p_hang account, p_amount bigint,
  p_on date, p_reverses bigint) returns void language plpgsql security definer set search_path = public, pg_temp as $$
declare
  v_village bigint := p_hang.unit_id;
  v_old fund_village%rowtype;
  v_alloc date;
  v_disb date;
  v_held bigint := 0;
  v_before integer;
  v_after integer;
  dv bigint := 0;
  dn integer := 0;
begin
  -- a posting that hangs on a village (its label starts with v): its first dates, days and holdings
  if p_fund <> 'AWARD' and (p_kind in ('ALLOCATE', 'DISBURSE') or p_fund in ('OFFICE', 'ACTIVITY')) and subpath(p_hang.unit_path, -1)::text like 'v%' then
    select * into v_old from fund_village f where f.unit_id = v_village and f.year = p_year for update;
    v_alloc := v_old.first_allocate;
    v_disb := v_old.first_disburse;
    if p_kind in ('ALLOCATE', 'DISBURSE') then
      if p_reverses is null and v_old.unit_id is not null then
        if p_kind = 'ALLOCATE' then v_alloc := least(v_alloc, p_on); else v_disb := least(v_disb, p_on); end if;
      else
        -- a first posting, or a reversal: the village's standing allocations and payments of the year (in the caller's scope: the village is)
        select min(t.occurred_on) filter (where t.kind = 'ALLOCATE'), min(t.occurred_on) filter (where t.kind = 'DISBURSE') into v_alloc, v_disb
          from transfer t where t.unit_id = v_village and t.year = p_year and t.kind in ('ALLOCATE', 'DISBURSE') and t.fund <> 'AWARD'
           and t.reverses is null and not exists (select 1 from transfer r where r.reverses = t.id);
      end if;
    end if;
    if p_fund in ('OFFICE', 'ACTIVITY') then
      v_held := case when p_credit.unit_id = v_village and p_credit.kind in ('BUDGET', 'CASH', 'SPENT') then p_amount else 0 end
              - case when p_debit.unit_id = v_village and p_debit.kind in ('BUDGET', 'CASH', 'SPENT') then p_amount else 0 end;
    end if;
    if v_old.unit_id is null then
      insert into fund_village (unit_id, unit_path, county_id, year, first_allocate, first_disburse, office, activity)
      values (v_village, p_hang.unit_path, p_hang.county_id, p_year, v_alloc, v_disb, case when p_fund = 'OFFICE' then v_held else 0 end,
              case when p_fund = 'ACTIVITY' then v_held else 0 end);
    elsif v_old.first_allocate is distinct from v_alloc or v_old.first_disburse is distinct from v_disb or v_held <> 0 then
      update fund_village f set first_allocate = v_alloc, first_disburse = v_disb,
             office = f.office + case when p_fund = 'OFFICE' then v_held else 0 end, activity = f.activity + case when p_fund = 'ACTIVITY' then v_held else 0 end
       where f.unit_id = v_village and f.year = p_year;
    end if;
    v_before := jiceng_village_days(v_old.first_allocate, v_old.first_disburse);
    v_after := jiceng_village_days(v_alloc, v_disb);
    dv := coalesce(v_after, 0) - coalesce(v_before, 0);
    dn := (v_after is not null)::int - (v_before is not null)::int;
  end if;
  perform jiceng_fund_unit_roll(
    array[p_debit.unit_path, p_credit.unit_path, case when dv <> 0 or dn <> 0 then p_hang.unit_path end],
    array[p_fund, p_fund, 'ALL'], array[p_year, p_year, p_year], array[p_debit.kind, p_credit.kind, 'DAYS'], array[-p_amount, p_amount, dv], array[0, 0, dn]);
end $$;
revoke execute on function jiceng_fund_unit_post(text, text, integer, account, account, account, bigint, date, bigint) from public;

-- 撤乡并镇: a unit that changes parent takes its subtree's figures (its own row: rollup and pending deltas)
-- from its old ancestors to its new ones, in the move's statement. (Its own rows and those below keep their
-- unit ids; the move rewrites their paths like every unit_path column.)
create function jiceng_fund_unit_moved() returns trigger language plpgsql security definer set search_path = public, pg_temp as $$
begin
  -- the moved unit's figures: its compacted row and its pending deltas (still at its old path: the move
  -- rewrites the other tables after admin_unit); out of every unit above its old place, into every unit
  -- above its new one (the common ones net out)
  insert into fund_unit_delta (unit_path, fund, year, kind, amount, village_amount, villages)
  select subpath(s.parent, 0, k), f.fund, f.year, f.kind, sum(s.sign * f.amount), sum(s.sign * f.village_amount), sum(s.sign * f.villages)
    from (select fund, year, kind, sum(amount) as amount, sum(village_amount) as village_amount, sum(villages) as villages
            from (select fund, year, kind, amount, village_amount, villages from fund_unit_rollup where unit_id = new.id
                  union all
                  select fund, year, kind, amount, village_amount, villages from fund_unit_delta where unit_path = old.path) r
           group by fund, year, kind) f
   cross join (values (-1, subpath(old.path, 0, nlevel(old.path) - 1)), (1, subpath(new.path, 0, nlevel(new.path) - 1))) as s(sign, parent)
   cross join generate_series(1, nlevel(s.parent)) k
   group by 1, f.fund, f.year, f.kind
  having sum(s.sign * f.amount) <> 0 or sum(s.sign * f.village_amount) <> 0 or sum(s.sign * f.villages) <> 0;
  return null;
end $$;
revoke execute on function jiceng_fund_unit_moved() from public;
create trigger admin_unit_fund_rollup_moved after update of parent_id on admin_unit for each row
  when (old.parent_id is distinct from new.parent_id) execute function jiceng_fund_unit_moved();

-- Compaction folds the per-unit deltas too (the per-county rollup as in 0401).
create or replace function jiceng_compact_fund_rollup() returns integer language plpgsql security definer set search_path = public, pg_temp as $$
declare n integer;
begin
${FOLD_COUNTY_DELTAS}  with moved as (delete from fund_unit_delta where unit_path <@ any (jiceng_scopes())
                 returning unit_path, fund, year, kind, amount, village_amount, villages),
       summed as (select unit_path, fund, year, kind, sum(amount) as amount, sum(village_amount) as village_amount, sum(villages) as villages
                    from moved group by unit_path, fund, year, kind)
  insert into fund_unit_rollup as r (unit_id, unit_path, county_id, fund, year, kind, amount, village_amount, villages)
  select u.id, u.path, coalesce(u.county_id, u.id), m.fund, m.year, m.kind, m.amount, m.village_amount, m.villages
    from summed m join admin_unit u on u.path = m.unit_path order by u.id
  on conflict (unit_id, year, fund, kind) do update
     set amount = r.amount + excluded.amount, village_amount = r.village_amount + excluded.village_amount, villages = r.villages + excluded.villages;
  return n;
end $$;

-- Each village's row of fund_village as the ledger gives it (first dates of its standing allocations and
-- payments, office and activity held), for the villages with any.
create function jiceng_fund_village_truth() returns table (unit_id bigint, unit_path ltree, county_id bigint, year integer, first_allocate date,
  first_disburse date, office bigint, activity bigint) language sql stable set search_path = public, pg_temp as $$
  with firsts as (
    select t.unit_id, t.year, min(t.occurred_on) filter (where t.kind = 'ALLOCATE') as first_allocate, min(t.occurred_on) filter (where t.kind = 'DISBURSE') as first_disburse
      from transfer t
     where t.kind in ('ALLOCATE', 'DISBURSE') and t.fund <> 'AWARD' and t.reverses is null and not exists (select 1 from transfer r where r.reverses = t.id)
     group by t.unit_id, t.year),
  held as (
    select a.unit_id, a.year, sum(a.balance) filter (where a.fund = 'OFFICE') as office, sum(a.balance) filter (where a.fund = 'ACTIVITY') as activity
      from account a where a.kind in ('BUDGET', 'CASH', 'SPENT') and a.fund in ('OFFICE', 'ACTIVITY') group by a.unit_id, a.year),
  -- a village with postings hanging on it (transfers of any kind but AWARD) has a row
  touched as (select distinct t.unit_id, t.year from transfer t where t.fund <> 'AWARD')
  select v.id, v.path, coalesce(v.county_id, v.id), x.year, f.first_allocate, f.first_disburse, coalesce(h.office, 0)::bigint, coalesce(h.activity, 0)::bigint
    from touched x join admin_unit v on v.id = x.unit_id and v.level = 'VILLAGE'
    left join firsts f on f.unit_id = x.unit_id and f.year = x.year
    left join held h on h.unit_id = x.unit_id and h.year = x.year
$$;

-- The per-unit figures as the source rows give them, for the units whose rows lie in the caller's
-- scope: the accounts' balances summed up each account's line (its path's prefixes), and each village's
-- first allocation and payment per year. Used to rebuild after a bulk load and by the check.
create function jiceng_fund_unit_truth() returns table (unit_id bigint, unit_path ltree, county_id bigint, fund text, year integer, kind text,
  amount bigint, village_amount bigint, villages integer) language sql stable set search_path = public, pg_temp as $$
  with firsts as (select f.unit_id, f.year, f.first_allocate, f.first_disburse from jiceng_fund_village_truth() f),
  leaf as (
    select a.unit_path as path, a.fund, a.year, a.kind, a.balance as amount, case when u.level = 'VILLAGE' then a.balance else 0 end as village_amount, 0 as villages
      from account a join admin_unit u on u.id = a.unit_id
    union all
    select v.path, 'ALL', f.year, 'DAYS', jiceng_village_days(f.first_allocate, f.first_disburse), 0, 1
      from firsts f join admin_unit v on v.id = f.unit_id where jiceng_village_days(f.first_allocate, f.first_disburse) is not null),
  summed as (
    select subpath(x.path, 0, k) as path, x.fund, x.year, x.kind, sum(x.amount) as amount, sum(x.village_amount) as village_amount, sum(x.villages) as villages
      from leaf x cross join generate_series(1, nlevel(x.path)) k
     group by 1, 2, 3, 4)
  select u.id, u.path, coalesce(u.county_id, u.id), s.fund, s.year, s.kind, s.amount::bigint, s.village_amount::bigint, s.villages::int
    from summed s join admin_unit u on u.path = s.path
   where s.amount <> 0 or s.village_amount <> 0 or s.villages <> 0
$$;

-- Recomputes the per-county rollup from the ledger in the caller's scope, and the per-unit rollup and the
-- villages' first dates over the whole tree (a subtree's figures reach every unit above it), for seeds
-- that write accounts in bulk: one set-based statement each.
create or replace function jiceng_rebuild_fund_rollup() returns void language plpgsql security definer set search_path = public, pg_temp as $$
declare
  caller_scope text := current_setting('app.scopes', true);
begin
  lock table fund_rollup_delta, fund_unit_delta in exclusive mode;
  delete from fund_rollup_delta where unit_path <@ any (jiceng_scopes());
  delete from fund_rollup where unit_path <@ any (jiceng_scopes());
  insert into fund_rollup (unit_path, fund, year, kind, amount)
  select jiceng_rollup_path(unit_path), fund, year, kind, sum(balance) from account
   where jiceng_rollup_path(unit_path) <@ any (jiceng_scopes()) group by 1, 2, 3, 4;
  perform set_config('app.scopes', '{cn}', true);
  delete from fund_unit_delta;
  delete from fund_unit_rollup;
  delete from fund_village;
  insert into fund_unit_rollup (unit_id, unit_path, county_id, fund, year, kind, amount, village_amount, villages)
  select * from jiceng_fund_unit_truth();
  insert into fund_village (unit_id, unit_path, county_id, year, first_allocate, first_disburse, office, activity)
  select * from jiceng_fund_village_truth();
  perform set_config('app.scopes', coalesce(caller_scope, ''), true);
end $$;

-- the ledger as it stands when this migration runs
select set_config('app.scopes', '{cn}', true);
select jiceng_rebuild_fund_rollup();
select set_config('app.scopes', '', true);
`;

/** 0440's apply: 0401's, and the per-unit rollup (jiceng_fund_unit_post) before the outcome */
const POST_APPLY_UNITS = POST_APPLY.replace(`  outcome := 'POSTED';`, `  perform jiceng_fund_unit_post(p_kind, p_fund, p_year, d, c, s, p_amount, p_on, p_reverses);
  outcome := 'POSTED';`);

// ---------------------------------------------------------------- 0470: a batch posted set-based (issue 12, the disbursement ratios)
// A list of plain postings (no reversal, no award; every key once; no account both debited and credited
// in the list) is posted with one statement per step for the whole list instead of the per-item function
// once per item: the accounts found (or created) and locked in id order in one statement; the checks
// (idempotency keys, vouchers, balances) read under those locks for all items at once; then the claims, the
// transfers (the registers' trigger runs once for them all), the balances, the entries, the per-county and
// per-unit rollup deltas (summed over the list) and the villages' first dates and holdings. When any check
// finds something (a key seen before, a voucher taken, a balance short, an account missing), or the list is
// not plain, nothing has been written but the accounts: the list is posted item by item as before
// (jiceng_post_transfer), which finds the first item refused and answers it exactly as a single posting would.
// A voucher taken meanwhile by a request that committed first (the registers' unique index) is raised with the
// first item whose voucher is taken in its detail (`item <n>`), so the service names it without a savepoint.
const postBatch = `
create type jiceng_post_item as (n integer, key text, hash text, kind text, fund text, year integer, debit_unit bigint, debit_kind text,
  credit_unit bigint, credit_kind text, amount bigint, "on" date, voucher text, category text, receipt text, note text, reverses bigint,
  user_id bigint);
-- a plain posting with its transfer id and both accounts locked (s: the one it hangs on, the deeper)
create type jiceng_posting as (n integer, id bigint, key text, hash text, kind text, fund text, year integer, amount bigint, "on" date,
  voucher text, category text, receipt text, note text, user_id bigint, d account, c account, s account);

create function jiceng_post_transfers(p_items jsonb)
returns table (n integer, outcome text, transfer_id bigint, available bigint, debit_account bigint, credit_account bigint)
-- custom plans: a generic plan does not know the list's size and scans the registers and claims (65 ms and growing
-- for a list of 50 after the fifth call, against 23 ms)
language plpgsql security definer set search_path = public, pg_temp set plan_cache_mode = force_custom_plan as $$
declare
  v_items jiceng_post_item[];
  v_count integer;
  v_sides integer;
  v_acc account[];
  v_posts jiceng_posting[];
  v_claimed bigint[];
  v_plain boolean;
  v_paths ltree[];
  v_years integer[];
  v_days bigint[];
  v_dn integer[];
  v_constraint text;
  v_message text;
  v_n integer;
begin
  select array_agg(row(i.n::integer, i.key, i.hash, i.kind, i.fund, i.year, i.debit_unit, i.debit_kind, i.credit_unit, i.credit_kind, i.amount, i."on",
                       i.voucher, i.category, i.receipt, i.note, i.reverses, i.user_id)::jiceng_post_item order by i.n)
    into v_items
    from rows from (jsonb_to_recordset(p_items) as (key text, hash text, kind text, fund text, year integer, debit_unit bigint,
            debit_kind text, credit_unit bigint, credit_kind text, amount bigint, "on" date, voucher text, category text, receipt text,
            note text, reverses bigint, user_id bigint)) with ordinality as i(key, hash, kind, fund, year, debit_unit, debit_kind, credit_unit,
            credit_kind, amount, "on", voucher, category, receipt, note, reverses, user_id, n);
  v_count := coalesce(cardinality(v_items), 0);
  begin
  v_plain := v_count > 1
    and not exists (select 1 from unnest(v_items) i where i.reverses is not null or i.kind = 'AWARD' or i.amount is null or i.amount <= 0)
    and (select count(distinct (coalesce(i.user_id, 0), i.key)) from unnest(v_items) i) = v_count
    and not exists (select 1 from unnest(v_items) a join unnest(v_items) b
                     on a.debit_unit = b.credit_unit and a.debit_kind = b.credit_kind and a.fund = b.fund and a.year = b.year);
  if v_plain then
    -- both accounts of every item, created where missing, locked in id order (as the single posting does)
    select count(*) into v_sides from (select i.debit_unit, i.fund, i.year, i.debit_kind from unnest(v_items) i
                                       union select i.credit_unit, i.fund, i.year, i.credit_kind from unnest(v_items) i) x;
    for attempt in 1..2 loop
      v_acc := array(
        select a from account a
         where (a.unit_id, a.fund, a.year, a.kind) in (select i.debit_unit, i.fund, i.year, i.debit_kind from unnest(v_items) i
                                                       union all select i.credit_unit, i.fund, i.year, i.credit_kind from unnest(v_items) i)
         order by a.id for update);
      exit when coalesce(cardinality(v_acc), 0) = v_sides or attempt = 2;
      insert into account (unit_id, fund, year, kind)
      select x.unit, x.fund, x.year, x.kind from (select i.debit_unit as unit, i.fund, i.year, i.debit_kind as kind from unnest(v_items) i
                                                  union select i.credit_unit, i.fund, i.year, i.credit_kind from unnest(v_items) i) x
       order by 1, 2, 3, 4
      on conflict do nothing;
    end loop;
    v_plain := coalesce(cardinality(v_acc), 0) = v_sides;
  end if;
  if v_plain then
    select array_agg(row(x.n, nextval(pg_get_serial_sequence('transfer', 'id')), x.key, x.hash, x.kind, x.fund, x.year, x.amount, x."on", x.voucher,
                         x.category, x.receipt, x.note, x.user_id, x.d, x.c, x.s)::jiceng_posting order by x.n)
      into v_posts
      -- (the accounts locked above, read again by their unique key: an index probe each, not a join of two arrays)
      from (select i.n, i.key, i.hash, i.kind, i.fund, i.year, i.amount, i."on", i.voucher, i.category, i.receipt, i.note, i.user_id,
                   d, c, case when nlevel(c.unit_path) >= nlevel(d.unit_path) then c else d end as s
              from unnest(v_items) i
              join account d on d.unit_id = i.debit_unit and d.fund = i.fund and d.year = i.year and d.kind = i.debit_kind
              join account c on c.unit_id = i.credit_unit and c.fund = i.fund and c.year = i.year and c.kind = i.credit_kind
             order by i.n) x;
    -- the checks, under the locks: a key claimed before (and alive), a voucher taken (or twice in the list), a balance short
    v_plain := not exists (select 1 from unnest(v_posts) p join idempotency_claim ic on ic.user_id = coalesce(p.user_id, 0) and ic.key = p.key
                            where ic.claimed_at > now() - interval '30 days')
      and not exists (select 1 from unnest(v_posts) p
                       where p.kind = 'DISBURSE' and p.voucher is not null
                       group by jiceng_voucher_issuer((p.s).county_id, (p.s).unit_path), p.year, p.voucher having count(*) > 1)
      and not exists (select 1 from unnest(v_posts) p join voucher_use u
                        on u.issuer = jiceng_voucher_issuer((p.s).county_id, (p.s).unit_path) and u.year = p.year and u.voucher = p.voucher
                       where p.kind = 'DISBURSE' and p.voucher is not null and u.released_by is null)
      and not exists (select 1 from unnest(v_posts) p where (p.d).kind <> 'SOURCE'
                       group by (p.d).id, (p.d).balance having (p.d).balance < sum(p.amount));
  end if;
  if not v_plain then
    -- item by item, each seeing the ones before it: the first refusal is answered as a single posting's
    return query
      select i.n, r.outcome, r.transfer_id, r.available, r.debit_account, r.credit_account
        from unnest(v_items) i
       cross join lateral jiceng_post_transfer(i.key, i.hash, i.kind, i.fund, i.year, i.debit_unit, i.debit_kind, i.credit_unit, i.credit_kind,
            i.amount, i."on", i.voucher, i.category, i.receipt, i.note, i.reverses, i.user_id) r
       order by i.n;
    return;
  end if;

  -- the keys, claimed first (a concurrent claim of the same account and key waits here); an expired claim is taken over
  with claimed as (
    insert into idempotency_claim as k (user_id, key, request_hash, transfer_id)
    select coalesce(p.user_id, 0), p.key, p.hash, p.id from unnest(v_posts) p order by p.n
    on conflict (user_id, key) do update set request_hash = excluded.request_hash, transfer_id = excluded.transfer_id, claimed_at = now()
       where k.claimed_at <= now() - interval '30 days'
    returning k.transfer_id)
  select array_agg(c.transfer_id) into v_claimed from claimed c;
  if coalesce(cardinality(v_claimed), 0) < v_count then
    -- claimed meanwhile by a request of the same account on other accounts: those items answer as a single posting would
    return query
      select p.n, case when ic.request_hash = p.hash then 'REPLAY' else 'CONFLICT' end, ic.transfer_id, null::bigint, null::bigint, null::bigint
        from unnest(v_posts) p join idempotency_claim ic on ic.user_id = coalesce(p.user_id, 0) and ic.key = p.key
       where p.id <> all (coalesce(v_claimed, '{}'));
    v_posts := array(select p from unnest(v_posts) p where p.id = any (coalesce(v_claimed, '{}')) order by p.n);
  end if;

  insert into transfer (id, idempotency_key, request_hash, kind, debit_account, credit_account, debit_path, credit_path, amount, fund, year,
                        unit_id, unit_path, county_id, occurred_on, voucher, category, receipt, note, reverses, created_by)
  overriding system value
  select p.id, p.key, p.hash, p.kind, (p.d).id, (p.c).id, (p.d).unit_path, (p.c).unit_path, p.amount, p.fund, p.year,
         (p.s).unit_id, (p.s).unit_path, (p.s).county_id, p."on", p.voucher, p.category, p.receipt, p.note, null, p.user_id
    from unnest(v_posts) p order by p.id;

  update account a set balance = a.balance + x.delta
    from (select y.id, sum(y.delta) as delta
            from (select (p.d).id as id, -p.amount as delta from unnest(v_posts) p union all select (p.c).id, p.amount from unnest(v_posts) p) y
           group by y.id) x
   where a.id = x.id;

  insert into entry (transfer_id, account_id, amount, unit_id, unit_path, county_id)
  select e.* from (select p.id, (p.d).id, -p.amount, (p.d).unit_id, (p.d).unit_path, (p.d).county_id from unnest(v_posts) p
                   union all
                   select p.id, (p.c).id, p.amount, (p.c).unit_id, (p.c).unit_path, (p.c).county_id from unnest(v_posts) p) e
   order by 1, 3;

  -- the per-county deltas, summed over the list
  insert into fund_rollup_delta (unit_path, fund, year, kind, amount)
  select y.path, y.fund, y.year, y.kind, sum(y.amount)
    from (select jiceng_rollup_path((p.d).unit_path) as path, p.fund, p.year, (p.d).kind as kind, -p.amount as amount from unnest(v_posts) p
          union all
          select jiceng_rollup_path((p.c).unit_path), p.fund, p.year, (p.c).kind, p.amount from unnest(v_posts) p) y
   group by y.path, y.fund, y.year, y.kind
  having sum(y.amount) <> 0;

  -- the villages' first dates and holdings (as jiceng_fund_unit_post per posting; no reversals here): the rows there are,
  -- locked in village order, moved on by the list; a village's first row read from its standing transfers (the list's included)
  with g as (
    select (p.s).unit_id as village, (p.s).unit_path as path, (p.s).county_id as county, p.year,
           min(p."on") filter (where p.kind = 'ALLOCATE') as alloc, min(p."on") filter (where p.kind = 'DISBURSE') as disb,
           bool_or(p.kind in ('ALLOCATE', 'DISBURSE')) as dated,
           coalesce(sum(h.held) filter (where p.fund = 'OFFICE'), 0) as office, coalesce(sum(h.held) filter (where p.fund = 'ACTIVITY'), 0) as activity
      from unnest(v_posts) p
     cross join lateral (select case when (p.c).unit_id = (p.s).unit_id and (p.c).kind in ('BUDGET', 'CASH', 'SPENT') then p.amount else 0 end
                              - case when (p.d).unit_id = (p.s).unit_id and (p.d).kind in ('BUDGET', 'CASH', 'SPENT') then p.amount else 0 end as held) h
     where p.fund <> 'AWARD' and (p.kind in ('ALLOCATE', 'DISBURSE') or p.fund in ('OFFICE', 'ACTIVITY'))
       and subpath((p.s).unit_path, -1)::text like 'v%'
     group by 1, 2, 3, 4),
  o as (select f.* from fund_village f where (f.unit_id, f.year) in (select g.village, g.year from g) order by f.unit_id, f.year for update),
  m as (
    select g.*, o.unit_id is not null as had, o.first_allocate as a0, o.first_disburse as d0,
           case when o.unit_id is not null then least(o.first_allocate, g.alloc) when g.dated then st.alloc end as a1,
           case when o.unit_id is not null then least(o.first_disburse, g.disb) when g.dated then st.disb end as d1
      from g left join o on o.unit_id = g.village and o.year = g.year
      -- (the condition inside the lateral: it is then not run at all for a village that has its row)
      left join lateral (
        select min(t.occurred_on) filter (where t.kind = 'ALLOCATE') as alloc, min(t.occurred_on) filter (where t.kind = 'DISBURSE') as disb
          from transfer t where o.unit_id is null and g.dated and t.unit_id = g.village and t.year = g.year and t.kind in ('ALLOCATE', 'DISBURSE')
           and t.fund <> 'AWARD' and t.reverses is null and not exists (select 1 from transfer r where r.reverses = t.id)) st on true),
  ins as (
    insert into fund_village (unit_id, unit_path, county_id, year, first_allocate, first_disburse, office, activity)
    select m.village, m.path, m.county, m.year, m.a1, m.d1, m.office, m.activity from m where not m.had order by m.village),
  upd as (
    update fund_village f set first_allocate = m.a1, first_disburse = m.d1, office = f.office + m.office, activity = f.activity + m.activity
      from m where m.had and f.unit_id = m.village and f.year = m.year
       and (m.a0 is distinct from m.a1 or m.d0 is distinct from m.d1 or m.office <> 0 or m.activity <> 0))
  select array_agg(x.path), array_agg(x.year), array_agg(x.dv), array_agg(x.dn) into v_paths, v_years, v_days, v_dn
    from (select m.path, m.year, coalesce(jiceng_village_days(m.a1, m.d1), 0) - coalesce(jiceng_village_days(m.a0, m.d0), 0) as dv,
                 (jiceng_village_days(m.a1, m.d1) is not null)::int - (jiceng_village_days(m.a0, m.d0) is not null)::int as dn from m) x
   where x.dv <> 0 or x.dn <> 0;

  -- the per-unit deltas: both accounts' lines of every posting and the villages' days, one row per unit prefix, fund, year and kind
  perform jiceng_fund_unit_roll(
    array(select (p.d).unit_path from unnest(v_posts) p) || array(select (p.c).unit_path from unnest(v_posts) p) || coalesce(v_paths, '{}'),
    array(select p.fund from unnest(v_posts) p) || array(select p.fund from unnest(v_posts) p) || array(select 'ALL'::text from unnest(coalesce(v_paths, '{}'))),
    array(select p.year from unnest(v_posts) p) || array(select p.year from unnest(v_posts) p) || coalesce(v_years, '{}'),
    array(select (p.d).kind from unnest(v_posts) p) || array(select (p.c).kind from unnest(v_posts) p) || array(select 'DAYS'::text from unnest(coalesce(v_paths, '{}'))),
    array(select -p.amount from unnest(v_posts) p) || array(select p.amount from unnest(v_posts) p) || coalesce(v_days, '{}'),
    array(select 0 from unnest(v_posts) p) || array(select 0 from unnest(v_posts) p) || coalesce(v_dn, '{}'));

  return query select p.n, 'POSTED'::text, p.id, null::bigint, (p.d).id, (p.c).id from unnest(v_posts) p;
  exception when unique_violation then
    -- a voucher taken meanwhile by a request that committed first (the registers' index): the list's writes are
    -- undone; the error names the first item whose voucher is now taken (its detail: item <n>, 1-based)
    get stacked diagnostics v_constraint = constraint_name, v_message = message_text;
    if v_constraint = 'voucher_use_once' then
      select i.n into v_n from unnest(v_items) i join admin_unit a on a.id = i.credit_unit
       where i.kind = 'DISBURSE' and i.reverses is null and i.voucher is not null
         and exists (select 1 from voucher_use u where u.issuer = jiceng_voucher_issuer(a.county_id, a.path) and u.year = i.year
                       and u.voucher = i.voucher and u.released_by is null)
       order by i.n limit 1;
      raise exception using errcode = 'unique_violation', message = v_message, constraint = v_constraint, detail = 'item ' || coalesce(v_n, 1);
    end if;
    raise;
  end;
end $$;
revoke execute on function jiceng_post_transfers(jsonb) from public;
grant execute on function jiceng_post_transfers(jsonb) to :api_role;
`;

export const fundingMigrations: Migration[] = [
  { id: '0400_funding_ledger', sql: ledger },
  { id: '0401_funding_post_and_rollup', sql: rollup + postFunction },
  { id: '0402_funding_reverses_index', sql: reversesIndex },
  { id: '0410_funding_idempotency_per_account', sql: idempotencyClaims },
  { id: '0420_funding_award_and_voucher_registers', sql: registers },
  // a region's funding standards are set from strictly above it (a parent region or the platform)
  { id: '0430_funding_standard_from_above', sql: configFromAboveSql('funding_standard') },
  { id: '0440_funding_unit_rollup', sql: `${unitRollup}\n-- the posting function as in 0420, adding to the per-unit rollup\n${postPerAccount(POST_RULES_REGISTERED, POST_APPLY_UNITS)}` },
  // the reporters' monthly subsidy (信息员补贴, seed 002), paid by county finance (packages/warning)
  { id: '0460_funding_reporter_subsidy_fund', sql: `
alter table account drop constraint account_fund_check;
alter table account add constraint account_fund_check
  check (fund in ('OFFICE', 'ACTIVITY', 'PARTY_BUILDING', 'BENEFIT_PROJECT', 'AWARD', 'REPORTER_SUBSIDY'));` },
  // a batch of plain postings one statement per step for the whole list (issue 12, the disbursement ratios)
  { id: '0470_funding_post_batch_set_based', sql: postBatch },
];
