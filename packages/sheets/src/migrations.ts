import type { Migration } from '@jiceng/db';

// Import jobs (docs/sheets.md): one row per uploaded file, its state and progress, kept so that a page
// reload (or another request) can ask how the import went. Only the owner sees a job: the policy reads
// the account from the transaction-local `app.user_id` that the job store sets with each statement. The
// maintenance sweep that fails jobs left behind by a dead process sets `app.import_sweep`.
const importJob = `
create table import_job (
  id bigint generated always as identity primary key,
  owner_id bigint not null references app_user (id),
  kind text not null check (kind in ('assessments', 'support')),
  file_name text check (length(file_name) <= 200),
  state text not null default 'QUEUED' check (state in ('QUEUED', 'RUNNING', 'DONE', 'FAILED')),
  total integer,
  validated integer not null default 0,
  written integer not null default 0,
  problem_count integer not null default 0,
  problems jsonb not null default '[]',
  error_code text,
  error_message text,
  result jsonb,
  created_at timestamptz not null default now(),
  heartbeat_at timestamptz not null default now(),
  finished_at timestamptz
);
create index import_job_owner on import_job (owner_id, id desc);
create index import_job_unfinished on import_job (heartbeat_at) where state in ('QUEUED', 'RUNNING');
alter table import_job enable row level security;
alter table import_job force row level security;
create policy import_job_owner on import_job
  using (owner_id = nullif(current_setting('app.user_id', true), '')::bigint or current_setting('app.import_sweep', true) = 'on')
  with check (owner_id = nullif(current_setting('app.user_id', true), '')::bigint or current_setting('app.import_sweep', true) = 'on');
grant select, insert, update on import_job to :api_role;
`;

// Every permissive policy the API role meets checks the scope (tenancy's rls test): a job is seen by its
// owner in a request that has a scope (signed in, enabled), and by the sweep only with the country in scope.
const importJobScoped = `
drop policy import_job_owner on import_job;
create policy import_job_owner on import_job
  using ((owner_id = nullif(current_setting('app.user_id', true), '')::bigint and cardinality((select jiceng_scopes())) > 0)
      or (current_setting('app.import_sweep', true) = 'on' and 'cn'::ltree <@ (select jiceng_scopes())))
  with check ((owner_id = nullif(current_setting('app.user_id', true), '')::bigint and cardinality((select jiceng_scopes())) > 0)
      or (current_setting('app.import_sweep', true) = 'on' and 'cn'::ltree <@ (select jiceng_scopes())));
`;

export const sheetsMigrations: Migration[] = [
  { id: '0600_sheets_import_job', sql: importJob },
  { id: '0601_sheets_import_job_scoped', sql: importJobScoped },
];
