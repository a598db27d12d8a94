// /ledgers/:code — the ledger page (台账, docs/web.md): the seven ledgers of the unit for a year as XLSX and
// CSV downloads (plain links: the session cookie goes with them), and the imports (ImportPanel). "未找到"
// when the unit is missing or outside the caller's scope, as the API answers.
import { Anchor, Center, Group, Loader, NativeSelect, Stack, Table, Text, Title } from '@mantine/core';
import { useEffect, useMemo, useState } from 'react';
import { Link } from 'wouter';
import { useAuth } from '../auth.js';
import { useQuery } from '../components/useQuery.js';
import { ImportPanel } from '../components/ImportPanel.js';
import { LEDGER_UNIT } from '../graphql/ledgers.js';
import { NotFoundPage } from './NotFoundPage.js';

/** The seven ledgers (docs/sheets.md): route name, the register's Chinese name, what it holds, who may read it. */
export const LEDGERS = [
  { ledger: 'cases', title: '登记造册', what: '整顿对象的整顿原因、问题清单、整改措施、责任人、时限与状态', action: 'rectification:read' },
  { ledger: 'key-targets', title: '重点整顿对象', what: '各苏木乡镇的重点整顿对象', action: 'rectification:read' },
  { ledger: 'pairings', title: '五个一结对', what: '每个整顿村的五个一结对帮扶单位与期限', action: 'pairing:read' },
  { ledger: 'support', title: '帮扶记录', what: '结对帮扶的走访、物资、会议与解决问题记录', action: 'support:read' },
  { ledger: 'disbursements', title: '资金拨付', what: '拨付到嘎查村的资金：凭证、金额、日期', action: 'funding:read' },
  { ledger: 'warnings', title: '预警台账', what: '预警的亮灯、指标、处置、时限与销号', action: 'warning:read' },
  { ledger: 'disputes', title: '矛盾纠纷排查', what: '矛盾纠纷的登记与化解', action: 'warning:read' },
] as const;

/** This year in Beijing time. */
const thisYear = () => Number(new Intl.DateTimeFormat('en', { timeZone: 'Asia/Shanghai', year: 'numeric' }).format(new Date()));

export function LedgersPage({ code }: { code: string }) {
  const { me } = useAuth();
  const actions = useMemo(() => new Set(me?.actions ?? []), [me]);
  const now = useMemo(thisYear, []);
  const rect = actions.has('rectification:read');
  const pair = !rect && actions.has('pairing:read');
  const warn = !rect && !pair && actions.has('warning:read');
  const { data, error, loading } = useQuery(LEDGER_UNIT, { code, y0: now, y1: now - 1, y2: now - 2, y3: now - 3, rect, pair, warn });
  const unit = data?.adminUnit;
  // the latest of the four years with anything in it, else this year
  const latest = useMemo(() => {
    if (!unit) return now;
    const has = [
      [unit.r0?.targets || unit.r0?.assessed, unit.p0?.targets, unit.d0?.totalCount],
      [unit.r1?.targets || unit.r1?.assessed, unit.p1?.targets, unit.d1?.totalCount],
      [unit.r2?.targets || unit.r2?.assessed, unit.p2?.targets, unit.d2?.totalCount],
      [unit.r3?.targets || unit.r3?.assessed, unit.p3?.targets, unit.d3?.totalCount],
    ].findIndex((xs) => xs.some((x) => !!x));
    return has < 0 ? now : now - has;
  }, [unit, now]);
  const [chosen, setChosen] = useState<number | null>(null);
  useEffect(() => setChosen(null), [code]);
  const year = chosen ?? latest;

  if (loading && !data) {
    return (
      <Center h={200}>
        <Loader aria-label="加载中" />
      </Center>
    );
  }
  if (error) return <Text role="alert" c="red.8">{error.message}</Text>;
  if (!unit) return <NotFoundPage />;

  const readable = LEDGERS.filter((l) => actions.has(l.action));
  const years = Array.from({ length: 6 }, (_, i) => now - i);
  const link = (ledger: string, format: 'xlsx' | 'csv') => `/export/${ledger}.${format}?unit=${unit.code}&year=${year}`;
  return (
    <Stack data-testid="ledgers" data-unit={unit.code} data-year={year}>
      <Group justify="space-between" align="flex-end">
        <div>
          <Title order={2}>台账 · {unit.name}</Title>
          <Text size="sm" c="gray.7">
            {[...unit.ancestors.map((a) => a.name), unit.name].join(' / ')}（{unit.code}）
          </Text>
        </div>
        <Group gap="md" align="flex-end">
          <NativeSelect
            label="年度"
            data-testid="ledger-year"
            value={String(year)}
            data={years.map((y) => ({ value: String(y), label: `${y} 年` }))}
            onChange={(e) => setChosen(Number(e.currentTarget.value))}
          />
          <Link href={`/board/${unit.code}`}>返回监控图版</Link>
        </Group>
      </Group>

      <section aria-labelledby="ledger-downloads">
        <Title order={3} id="ledger-downloads" mb="xs">
          下载台账
        </Title>
        {readable.length === 0 ? (
          <Text data-testid="ledgers-none">您的角色无权查看台账。</Text>
        ) : (
          <Table withTableBorder>
            <Table.Thead>
              <Table.Tr>
                <Table.Th scope="col">台账</Table.Th>
                <Table.Th scope="col">内容</Table.Th>
                <Table.Th scope="col">下载</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {readable.map((l) => (
                <Table.Tr key={l.ledger} data-testid="ledger-row" data-ledger={l.ledger}>
                  <Table.Th scope="row">{l.title}</Table.Th>
                  <Table.Td>{l.what}</Table.Td>
                  <Table.Td>
                    <Group gap="sm" wrap="nowrap">
                      <Anchor href={link(l.ledger, 'xlsx')} download aria-label={`${l.title} ${year} 年 XLSX`}>
                        XLSX
                      </Anchor>
                      <Anchor href={link(l.ledger, 'csv')} download aria-label={`${l.title} ${year} 年 CSV`}>
                        CSV
                      </Anchor>
                    </Group>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
        {readable.length > 0 && readable.length < LEDGERS.length && (
          <Text size="sm" c="gray.7" mt="xs">
            仅列出您的角色可以查看的台账。
          </Text>
        )}
      </section>

      <ImportPanel year={year} />
    </Stack>
  );
}
