// /dashboard/:code — placeholder: the dashboards of a unit (rectification, pairing, funds, warnings)
// come with the dashboards work (branch web-pages), built on src/components/Chart.tsx.
import { Stack, Text, Title } from '@mantine/core';
import { Link } from 'wouter';

export function DashboardPage({ code }: { code: string }) {
  return (
    <Stack>
      <Title order={2}>统计</Title>
      <Text>该单位的统计图表即将上线。</Text>
      <Link href={`/board/${code}`}>返回监控图版</Link>
    </Stack>
  );
}
