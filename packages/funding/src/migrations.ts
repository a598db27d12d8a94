import { TENANT_KEYS, configTableSql, fillTenantKeysSql, tenantTableSql, type Migration } from '@jiceng/db';

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

export const fundingMigrations: Migration[] = [{ id: '0400_funding_ledger', sql: ledger }];
