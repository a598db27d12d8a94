// / — the first screen after signing in: my due items (me.dueItems), then the board of each subtree in scope.
import { Badge, Paper, Stack, Table, Text, Title } from '@mantine/core';
import { Link } from 'wouter';
import { useAuth } from '../auth.js';
import { Board } from '../components/Board.js';
import { hrefOf } from '../components/UnitCard.js';
import { useQuery } from '../components/useQuery.js';
import { formatDate } from '../format.js';
import { DUE_ITEMS } from '../graphql/operations.js';

const KIND_LABEL: Record<string, string> = {
  WARNING_TO_HANDLE: '待处理预警',
  COMPLAINT_REPLY: '举报件待答复',
  PROBLEM_ITEM_OVERDUE: '问题清单逾期',
  CASE_ACCEPTANCE: '待验收',
  WARNING_NOTICE: '警示通知',
  RECTIFICATION_NOTICE: '限期整改通知',
};

export function HomePage() {
  const { me } = useAuth();
  const due = useQuery(DUE_ITEMS, { first: 50 });
  const items = due.data?.me.dueItems ?? [];
  const today = formatDate(new Date());
  return (
    <Stack>
      <Paper withBorder p="md">
        <Title order={2} size="h3" mb="sm">
          我的待办
        </Title>
        {due.loading && !due.data ? (
          <Text size="sm">加载中…</Text>
        ) : due.error ? (
          <Text c="red">{due.error.message}</Text>
        ) : items.length === 0 ? (
          <Text size="sm" data-testid="due-empty">
            暂无待办事项。
          </Text>
        ) : (
          <Table data-testid="due-items" striped>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>类别</Table.Th>
                <Table.Th>事项</Table.Th>
                <Table.Th>单位</Table.Th>
                <Table.Th>期限</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {items.map((d) => (
                <Table.Tr key={`${d.kind}:${d.refId}`}>
                  <Table.Td>{KIND_LABEL[d.kind] ?? d.kind}</Table.Td>
                  <Table.Td>{d.title}</Table.Td>
                  <Table.Td>
                    {d.unit ? <Link href={hrefOf(d.unit)}>{d.unit.name}</Link> : '—'}
                  </Table.Td>
                  <Table.Td>
                    {formatDate(d.dueOn)}{' '}
                    {d.dueOn && d.dueOn < today && (
                      <Badge color="red" variant="filled" size="sm">
                        已逾期
                      </Badge>
                    )}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
      </Paper>
      {me?.actions.includes('warning:read') ? (
        me.scope.map((s) => <Board key={s.id} code={s.code} />)
      ) : (
        // finance and partner accounts do not read the lights: their screens instead
        <Paper withBorder p="md" data-testid="home-links">
          <Stack gap="xs">
            {me?.actions.includes('support:log') && <Link href="/support">帮扶记录</Link>}
            {me?.scope
              .filter((s) => s.level !== 'VILLAGE')
              .map((s) => (
                <Link key={s.id} href={`/dashboard/${s.code}`}>
                  {s.name} · 统计
                </Link>
              ))}
          </Stack>
        </Paper>
      )}
    </Stack>
  );
}
