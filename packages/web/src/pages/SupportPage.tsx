// /support — a partner's villages (those it is paired with now) and the support it logged on each this
// year (or a chosen one), with the form to log more; the totals change as soon as an entry is saved.
import { useState } from 'react';
import { Group, Loader, Paper, Select, Stack, Table, Text, Title } from '@mantine/core';
import { Link } from 'wouter';
import { useAuth } from '../auth.js';
import { useQuery } from '../components/useQuery.js';
import { fenOf, formatFen, formatMoney, formatNumber } from '../format.js';
import { PARTNER_SUPPORT } from './operations.js';
import { SupportForm } from './forms/SupportForm.js';

const THIS_YEAR = new Date().getFullYear();
const YEARS = Array.from({ length: 6 }, (_, i) => String(THIS_YEAR - i));

export function SupportPage() {
  const { me } = useAuth();
  const [year, setYear] = useState(THIS_YEAR);
  const q = useQuery(PARTNER_SUPPORT, { from: `${year}-01-01`, to: `${year}-12-31` });
  const scope = q.data?.me.scope ?? [];
  const villages = scope.filter((u) => u.level === 'VILLAGE');
  if (q.loading && !q.data) return <Loader aria-label="加载中" />;
  if (q.error) return <Text c="red">{q.error.message}</Text>;
  const sum = (f: (t: NonNullable<(typeof villages)[number]['supportTotals']>) => number) => villages.reduce((n, v) => n + f(v.supportTotals), 0);
  const materials = villages.reduce((n, v) => n + (fenOf(v.supportTotals.materialsValue) ?? 0n), 0n);
  return (
    <Stack>
      <Group justify="space-between" align="end">
        <Title order={2}>{q.data?.me.partner?.name ?? me?.user.displayName} · 帮扶记录</Title>
        <Select label="年度" data={YEARS} value={String(year)} onChange={(v) => v && setYear(Number(v))} allowDeselect={false} w={120} />
      </Group>
      <Paper withBorder p="md">
        <Title order={3} mb="sm">{year} 年结对嘎查村</Title>
        <Table striped withTableBorder data-testid="support-table">
          <Table.Thead>
            <Table.Tr><Table.Th>嘎查村</Table.Th><Table.Th>记录</Table.Th><Table.Th>走访</Table.Th><Table.Th>安置就业</Table.Th><Table.Th>物资折款</Table.Th><Table.Th>座谈</Table.Th><Table.Th>解决问题</Table.Th><Table.Th>协调项目</Table.Th></Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {villages.map((v) => (
              <Table.Tr key={v.id}>
                <Table.Td><Link href={`/village/${v.code}`}>{v.name}</Link></Table.Td>
                <Table.Td>{formatNumber(v.supportTotals.entries)}</Table.Td><Table.Td>{formatNumber(v.supportTotals.visits)}</Table.Td>
                <Table.Td>{formatNumber(v.supportTotals.peoplePlaced)}</Table.Td><Table.Td>{formatMoney(v.supportTotals.materialsValue)}</Table.Td>
                <Table.Td>{formatNumber(v.supportTotals.meetings)}</Table.Td><Table.Td>{formatNumber(v.supportTotals.problemsSolved)}</Table.Td>
                <Table.Td>{formatNumber(v.supportTotals.projectsCoordinated)}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
          <Table.Tfoot>
            <Table.Tr data-testid="support-sum">
              <Table.Th>合计</Table.Th>
              <Table.Th data-testid="sum-entries">{formatNumber(sum((t) => t.entries))}</Table.Th>
              <Table.Th data-testid="sum-visits">{formatNumber(sum((t) => t.visits))}</Table.Th>
              <Table.Th>{formatNumber(sum((t) => t.peoplePlaced))}</Table.Th>
              <Table.Th data-testid="sum-materials">{formatFen(materials)}</Table.Th>
              <Table.Th>{formatNumber(sum((t) => t.meetings))}</Table.Th>
              <Table.Th>{formatNumber(sum((t) => t.problemsSolved))}</Table.Th>
              <Table.Th>{formatNumber(sum((t) => t.projectsCoordinated))}</Table.Th>
            </Table.Tr>
          </Table.Tfoot>
        </Table>
      </Paper>
      {me?.actions.includes('support:log') && villages.length > 0 && <SupportForm villages={villages} onDone={() => void q.refetch()} />}
    </Stack>
  );
}
