// /login: username and password; the API's message appears beside the field it concerns.
import { Alert, Button, Center, Paper, PasswordInput, Stack, TextInput, Title } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { useLocation, useSearch } from 'wouter';
import { useAuth } from '../auth.js';
import { ApiError } from '../graphql/client.js';

const MESSAGES: Record<string, string> = {
  UNAUTHENTICATED: '用户名或密码错误',
  TOO_MANY_ATTEMPTS: '失败次数过多，请稍后再试',
};

export function LoginPage() {
  const { login } = useAuth();
  const [, navigate] = useLocation();
  const search = useSearch();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await login(username, password);
      const next = new URLSearchParams(search).get('next');
      // only a path of this site: never an address elsewhere
      navigate(next?.startsWith('/') && !next.startsWith('//') ? next : '/');
    } catch (err) {
      setError(err instanceof ApiError ? err : new ApiError('网络错误', 'NETWORK'));
    } finally {
      setBusy(false);
    }
  }

  const fieldError = (f: string) => (error?.field === f ? error.message : undefined);
  const general = error && !error.field ? (MESSAGES[error.code] ?? error.message) : null;
  return (
    <Center h="100vh" component="main">
      <Paper withBorder shadow="sm" p="xl" w={360}>
        <form onSubmit={(e) => void submit(e)} noValidate>
          <Stack>
            <Title order={1} size="h2">
              登录 · 基层党建监控
            </Title>
            <TextInput
              label="用户名"
              name="username"
              autoComplete="username"
              required
              value={username}
              onChange={(e) => setUsername(e.currentTarget.value)}
              error={fieldError('username')}
            />
            <PasswordInput
              label="密码"
              name="password"
              autoComplete="current-password"
              required
              value={password}
              onChange={(e) => setPassword(e.currentTarget.value)}
              error={fieldError('password')}
            />
            {general && (
              <Alert color="red" role="alert">
                {general}
              </Alert>
            )}
            <Button type="submit" loading={busy}>
              登录
            </Button>
          </Stack>
        </form>
      </Paper>
    </Center>
  );
}
