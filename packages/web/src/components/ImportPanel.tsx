// The imports of the ledger page (docs/web.md, "The ledger page"): template downloads, an upload form
// (the file as the body of POST /import/<kind>, same-origin with the session cookie), and the caller's
// recent jobs (Query.importJobs) with a progress bar each; running jobs are polled (Query.importJob) until
// DONE or FAILED — after a reload too, since the list comes from the API. A refused file lists its problems.
import { Anchor, Badge, Button, Group, NativeSelect, Paper, Progress, Stack, Table, Text, Title } from '@mantine/core';
import { useCallback, useEffect, useMemo, useRef, useState, type FormEvent } from 'react';
import type { ResultOf } from 'gql.tada';
import { useAuth } from '../auth.js';
import { ApiError, request } from '../graphql/client.js';
import { IMPORT_JOB, IMPORT_JOBS } from '../graphql/ledgers.js';
import { formatDateTime, formatNumber } from '../format.js';

type Job = ResultOf<typeof IMPORT_JOBS>['importJobs'][number];
type Kind = 'assessments' | 'support';

const KINDS: Record<Kind, { title: string; action: string }> = {
  assessments: { title: '十星级评定', action: 'rectification:assess' },
  support: { title: '帮扶记录', action: 'support:log' },
};
const STATE_LABEL: Record<string, string> = { QUEUED: '排队中', RUNNING: '进行中', DONE: '已完成', FAILED: '失败' };
const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const POLL_MS = 500;
const live = (j: Job) => j.state === 'QUEUED' || j.state === 'RUNNING';

/** How far a job is, 0–100: reading, then checking every row (first half), then writing them (second half). */
export function jobProgress(j: Pick<Job, 'state' | 'total' | 'validated' | 'written'>): number {
  if (j.state === 'DONE') return 100;
  if (!j.total) return 0;
  return Math.min(99, Math.floor(((j.validated + j.written) / (2 * j.total)) * 100));
}

/** The content type a file is sent with: the browser's when it names a spreadsheet, else by the file's name. */
function typeOf(file: File): string {
  if (file.type === XLSX_TYPE || file.type === 'text/csv') return file.type;
  if (/\.xlsx$/i.test(file.name)) return XLSX_TYPE;
  if (/\.csv$/i.test(file.name)) return 'text/csv';
  return file.type || 'application/octet-stream';
}

/** The API's refusal of an upload ({ error: { code, message } }) as a sentence. */
async function refusal(res: Response): Promise<string> {
  try {
    const body = (await res.json()) as { error?: { message?: string } };
    if (body.error?.message) return body.error.message;
  } catch {
    /* not JSON */
  }
  return `上传失败 (${res.status})`;
}

export function ImportPanel({ year }: { year: number }) {
  const { me } = useAuth();
  const kinds = useMemo(() => (Object.keys(KINDS) as Kind[]).filter((k) => me?.actions.includes(KINDS[k].action)), [me]);
  const [jobs, setJobs] = useState<Job[]>([]);
  const [loadError, setLoadError] = useState<string>();
  const alive = useRef(true);
  const polling = useRef(new Set<string>());

  const put = useCallback((job: Job) => {
    setJobs((js) => (js.some((j) => j.id === job.id) ? js.map((j) => (j.id === job.id ? job : j)) : [job, ...js]));
  }, []);

  /** Polls one job until it has ended (or the page is left); a deadline-free loop, one request at a time. */
  const poll = useCallback(
    (id: string) => {
      if (polling.current.has(id)) return;
      polling.current.add(id);
      const step = async () => {
        if (!alive.current) return;
        try {
          const { importJob } = await request(IMPORT_JOB, { id });
          if (!alive.current || !importJob) return void polling.current.delete(id);
          put(importJob);
          if (!live(importJob)) return void polling.current.delete(id);
        } catch {
          /* a failed read is tried again */
        }
        setTimeout(() => void step(), POLL_MS);
      };
      void step();
    },
    [put],
  );

  useEffect(() => {
    alive.current = true;
    request(IMPORT_JOBS, { first: 10 })
      .then(({ importJobs }) => {
        if (!alive.current) return;
        setJobs(importJobs);
        for (const j of importJobs) if (live(j)) poll(j.id);
      })
      .catch((e: unknown) => setLoadError(e instanceof ApiError ? e.message : String(e)));
    return () => {
      alive.current = false;
      polling.current.clear();
    };
  }, [poll]);

  const [kind, setKind] = useState<Kind | undefined>(kinds[0]);
  useEffect(() => setKind((k) => (k && kinds.includes(k) ? k : kinds[0])), [kinds]);
  const [file, setFile] = useState<File | null>(null);
  const [uploadError, setUploadError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const input = useRef<HTMLInputElement>(null);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!kind || !file) return setUploadError('请选择要导入的文件');
    setUploadError(undefined);
    setBusy(true);
    try {
      const q = new URLSearchParams({ name: file.name });
      if (kind === 'support') q.set('year', String(year));
      const res = await fetch(`/import/${kind}?${q}`, {
        method: 'POST',
        credentials: 'same-origin',
        headers: { 'content-type': typeOf(file), accept: 'application/json' },
        body: file,
      });
      if (!res.ok) return setUploadError(await refusal(res));
      const { id } = (await res.json()) as { id: string };
      setFile(null);
      if (input.current) input.current.value = '';
      poll(id);
    } catch (err) {
      setUploadError(`上传失败：${String(err)}`);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section aria-labelledby="ledger-imports">
      <Title order={3} id="ledger-imports" mb="xs">
        导入
      </Title>
      <Stack gap="sm">
        <Group gap="md">
          <Text size="sm">模板：</Text>
          {(Object.keys(KINDS) as Kind[]).map((k) => (
            <Anchor key={k} href={`/export/template/${k}.xlsx`} download size="sm">
              {KINDS[k].title}模板 (XLSX)
            </Anchor>
          ))}
        </Group>
        {kinds.length === 0 ? (
          <Text size="sm" data-testid="import-none">
            您的角色不能导入数据（十星级评定需组织部，帮扶记录需结对帮扶单位的账号）。
          </Text>
        ) : (
          <form onSubmit={(e) => void submit(e)} data-testid="import-form">
            <Group align="flex-end" gap="md">
              <NativeSelect
                label="导入内容"
                value={kind}
                data={kinds.map((k) => ({ value: k, label: KINDS[k].title }))}
                onChange={(e) => setKind(e.currentTarget.value as Kind)}
              />
              <div>
                <Text component="label" htmlFor="import-file" size="sm" fw={500} display="block" mb={4}>
                  文件（XLSX 或 CSV）
                </Text>
                <input
                  id="import-file"
                  ref={input}
                  type="file"
                  name="file"
                  accept=".xlsx,.csv,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
                  aria-describedby={uploadError ? 'import-error' : undefined}
                  onChange={(e) => setFile(e.currentTarget.files?.[0] ?? null)}
                />
              </div>
              <Button type="submit" loading={busy} disabled={!file}>
                上传
              </Button>
            </Group>
            {kind === 'support' && (
              <Text size="xs" c="gray.7" mt={4}>
                帮扶记录按 {year} 年导入：每条记录的日期须在该年内。
              </Text>
            )}
            {uploadError && (
              <Text id="import-error" role="alert" c="red.8" size="sm" mt="xs">
                {uploadError}
              </Text>
            )}
          </form>
        )}

        <Title order={4} id="import-jobs">
          我的导入任务
        </Title>
        {loadError && <Text role="alert" c="red.8">{loadError}</Text>}
        {jobs.length === 0 && !loadError && <Text size="sm">暂无导入任务。</Text>}
        <Stack gap="md" aria-labelledby="import-jobs" aria-live="polite">
          {jobs.map((j) => (
            <JobCard key={j.id} job={j} />
          ))}
        </Stack>
      </Stack>
    </section>
  );
}

function JobCard({ job }: { job: Job }) {
  const pct = jobProgress(job);
  const name = job.fileName ?? '(未命名文件)';
  const kind = KINDS[job.kind as Kind]?.title ?? job.kind;
  return (
    <Stack gap={4} data-testid="import-job" data-id={job.id} data-state={job.state} data-progress={pct}>
      <Group justify="space-between">
        <Text size="sm" fw={600}>
          {kind} · {name}
        </Text>
        <Group gap="xs">
          <Badge color={job.state === 'DONE' ? 'green.8' : job.state === 'FAILED' ? 'red.8' : 'blue.8'}>{STATE_LABEL[job.state] ?? job.state}</Badge>
          <Text size="xs" c="gray.7">
            {formatDateTime(job.createdAt)}
          </Text>
        </Group>
      </Group>
      <Progress value={pct} animated={live(job)} aria-label={`${name} 导入进度`} />
      <Text size="xs" c="gray.7">
        {pct}%
        {job.total != null && ` · 共 ${formatNumber(job.total)} 行，已检查 ${formatNumber(job.validated)} 行，已写入 ${formatNumber(job.written)} 行`}
        {job.result && ` · 新增 ${formatNumber(job.result.inserted)}，更新 ${formatNumber(job.result.updated)}，未变 ${formatNumber(job.result.unchanged)}`}
      </Text>
      {job.state === 'FAILED' && (
        <Paper withBorder p="sm" data-testid="import-refused">
          <Text size="sm" fw={600} c="red.9">
            未导入：文件中的数据均未写入
          </Text>
          {job.errorMessage && <Text size="sm">{job.errorMessage}</Text>}
          {job.problems.length > 0 && (
            <Table mt="xs" withTableBorder data-testid="import-problems">
              <caption>共 {formatNumber(job.problemCount)} 个问题{job.problemCount > job.problems.length ? `，列出前 ${job.problems.length} 个` : ''}</caption>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th scope="col">工作表</Table.Th>
                  <Table.Th scope="col">行</Table.Th>
                  <Table.Th scope="col">列</Table.Th>
                  <Table.Th scope="col">问题</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {job.problems.map((p, i) => (
                  <Table.Tr key={i} data-testid="import-problem" data-row={p.row ?? ''}>
                    <Table.Td>{p.sheet}</Table.Td>
                    <Table.Td>{p.row ?? '—'}</Table.Td>
                    <Table.Td>{[p.column, p.header].filter(Boolean).join(' ') || '—'}</Table.Td>
                    <Table.Td>{p.message}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          )}
        </Paper>
      )}
    </Stack>
  );
}
