// The station (or manager, or centre) resolves a warning: its indicator returns to GREEN (resolveWarning).
import { useState } from 'react';
import { Group, TextInput } from '@mantine/core';
import { request } from '../../graphql/client.js';
import { RESOLVE_WARNING } from '../operations.js';
import { today, useSubmit } from '../util.js';
import { DateField } from './DateField.js';
import { FormShell } from './FormShell.js';

const FIELDS = ['on', 'note', 'id'] as const;

export function ResolveWarningForm({ warningId, title, onDone }: { warningId: string; title: string; onDone: () => void }) {
  const [on, setOn] = useState(today());
  const [note, setNote] = useState('');
  const s = useSubmit(FIELDS);
  const submit = () => s.run(async () => {
    await request(RESOLVE_WARNING, { id: warningId, on, note });
    onDone();
    return '已化解';
  });
  return (
    <FormShell title={title} testId="resolve-warning-form" onSubmit={submit} busy={s.busy} formError={s.formError ?? s.errors.id ?? null} done={s.done} submitLabel="化解">
      <Group grow align="start">
        <DateField label="化解日期" value={on} onChange={setOn} required error={s.errors.on} />
        <TextInput label="处理情况" value={note} onChange={(e) => setNote(e.currentTarget.value)} required error={s.errors.note} />
      </Group>
    </FormShell>
  );
}
