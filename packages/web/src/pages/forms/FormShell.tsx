// The frame of a form: its title, the message of an error no field owns, the result and the submit button.
import { Alert, Button, Group, Paper, Stack, Text, Title } from '@mantine/core';
import type { FormEvent, ReactNode } from 'react';
import { OK_COLOR } from '../labels.js';
import './forms.css';

export function FormShell({ title, testId, onSubmit, busy, formError, done, submitLabel = '提交', children }: {
  title: string; testId: string; onSubmit: () => void; busy: boolean; formError: string | null; done: string | null; submitLabel?: string; children: ReactNode;
}) {
  return (
    <Paper withBorder p="md" component="form" aria-label={title} data-testid={testId} noValidate
      onSubmit={(e: FormEvent) => {
        e.preventDefault();
        onSubmit();
      }}>
      <Stack gap="sm">
        <Title order={4}>{title}</Title>
        {children}
        {formError && <Alert color="red" role="alert" data-testid="form-error">{formError}</Alert>}
        {done && <Text c={OK_COLOR} role="status" data-testid="form-done">{done}</Text>}
        <Group><Button type="submit" loading={busy}>{submitLabel}</Button></Group>
      </Stack>
    </Paper>
  );
}
