import { Stack, Text, Title } from '@mantine/core';
import { Link } from 'wouter';

/** An unknown path, or a unit that is missing or outside the caller's scope (the API answers null for both). */
export function NotFoundPage() {
  return (
    <Stack data-testid="not-found">
      <Title order={2}>未找到</Title>
      <Text>该页面或单位不存在，或不在您的权限范围内。</Text>
      <Link href="/">返回首页</Link>
    </Stack>
  );
}
