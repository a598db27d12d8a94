// 苏木乡镇 records an item of a case's problem list (问题清单, 倒排工期): addProblemItem.
import { useState } from 'react';
import { SimpleGrid, TextInput } from '@mantine/core';
import { request } from '../../graphql/client.js';
import { ADD_PROBLEM } from '../operations.js';
import { useSubmit } from '../util.js';
import { DateField } from './DateField.js';
import { FormShell } from './FormShell.js';

const FIELDS = ['problem', 'measure', 'responsible', 'dueOn', 'caseId'] as const;

export function ProblemItemForm({ caseId, onDone }: { caseId: string; onDone: () => void }) {
  const [problem, setProblem] = useState('');
  const [measure, setMeasure] = useState('');
  const [responsible, setResponsible] = useState('');
  const [dueOn, setDueOn] = useState('');
  const s = useSubmit(FIELDS);
  const submit = () => s.run(async () => {
    await request(ADD_PROBLEM, { caseId, input: { problem, measure, responsible, dueOn } });
    setProblem('');
    setMeasure('');
    onDone();
    return '已记入问题清单';
  });
  return (
    <FormShell title="记录问题" testId="problem-item-form" onSubmit={submit} busy={s.busy} formError={s.formError ?? s.errors.caseId ?? null} done={s.done} submitLabel="记录">
      <TextInput label="问题" value={problem} onChange={(e) => setProblem(e.currentTarget.value)} required error={s.errors.problem} />
      <TextInput label="整改措施" value={measure} onChange={(e) => setMeasure(e.currentTarget.value)} required error={s.errors.measure} />
      <SimpleGrid cols={{ base: 1, sm: 2 }}>
        <TextInput label="责任人" value={responsible} onChange={(e) => setResponsible(e.currentTarget.value)} required error={s.errors.responsible} />
        <DateField label="销号期限" value={dueOn} onChange={setDueOn} required error={s.errors.dueOn} />
      </SimpleGrid>
    </FormShell>
  );
}
