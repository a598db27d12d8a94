// The frame of every signed-in screen: a header with the product, navigation, the user, their unit and
// sign-out; the screen below it.
import { AppShell, Button, Group, Text, Title } from '@mantine/core';
import type { ReactNode } from 'react';
import { Link, useLocation } from 'wouter';
import { useAuth } from '../auth.js';

export function Layout({ children }: { children: ReactNode }) {
  const { me, logout } = useAuth();
  const [, navigate] = useLocation();
  if (!me) return null;
  return (
    <AppShell header={{ height: 60 }} padding="md">
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Group gap="lg" wrap="nowrap">
            <Title order={1} size="h3">
              <Link href="/" className="plain-link">
                基层党建
              </Link>
            </Title>
            <nav aria-label="主导航">
              <Group gap="sm" wrap="nowrap">
                <Link href="/">首页</Link>
                {me.actions.includes('warning:read') && <Link href={`/board/${me.unit.code}`}>监控图版</Link>}
                {!me.actions.includes('support:log') && <Link href={`/dashboard/${me.unit.code}`}>统计</Link>}
                {me.actions.includes('support:log') && <Link href="/support">帮扶记录</Link>}
                <Link href={`/ledgers/${me.unit.code}`}>台账</Link>
              </Group>
            </nav>
          </Group>
          <Group gap="sm" wrap="nowrap">
            <Text size="sm" data-testid="header-user">
              {me.user.displayName}
            </Text>
            <Text size="sm" c="gray.7" data-testid="header-unit">
              {me.unit.name}
            </Text>
            <Button
              variant="default"
              size="xs"
              onClick={() => {
                void logout().then(() => navigate('/login'));
              }}
            >
              退出
            </Button>
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Main>
        <main>{children}</main>
      </AppShell.Main>
    </AppShell>
  );
}
