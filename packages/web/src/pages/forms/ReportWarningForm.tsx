// 信息员 / 动态管理员 / 乡镇动态管理站 report a change in an indicator of a village (reportWarning).
// A fresh idempotency key per submit: a double click does not report twice.
import { useMemo, useState } from 'react';
import { Select, SimpleGrid, Textarea } from '@mantine/core';
import { request } from '../../graphql/client.js';
import { useQuery } from '../../components/useQuery.js';
import { CATALOG, REPORT_WARNING } from '../operations.js';
import { SEVERITY_LABEL, WARNING_LEVEL_LABEL } from '../labels.js';
import { newKey, today, useSubmit } from '../util.js';
import { DateField } from './DateField.js';
import { FormShell } from './FormShell.js';

const FIELDS = ['indicatorCode', 'level', 'severity', 'facts', 'observedOn', 'villageId'] as const;

export function ReportWarningForm({ villageId, onDone }: { villageId: string; onDone: () => void }) {
  const catalog = useQuery(CATALOG, { unitId: villageId });
  const indicators = useMemo(() => (catalog.data?.indicatorCatalog ?? []).map((c) => ({
    group: c.name, items: c.items.flatMap((i) => i.indicators.map((x) => ({ value: x.code, label: `${x.code} ${i.name}：${x.name}` }))),
  })), [catalog.data]);
  const [indicatorCode, setIndicator] = useState<string | null>(null);
  const [level, setLevel] = useState<string>('YELLOW');
  const [severity, setSeverity] = useState<string>('ORDINARY');
  const [facts, setFacts] = useState('');
  const [observedOn, setObservedOn] = useState(today());
  const s = useSubmit(FIELDS);
  const submit = () => s.run(async () => {
    const r = await request(REPORT_WARNING, { input: {
      villageId, indicatorCode: indicatorCode ?? '', level: level as 'YELLOW' | 'RED', severity: severity as 'MINOR' | 'ORDINARY' | 'MAJOR',
      facts, observedOn, idempotencyKey: newKey('warn') } });
    setFacts('');
    onDone();
    return `已上报：${WARNING_LEVEL_LABEL[r.reportWarning.level]}`;
  }, indicatorCode ? {} : { indicatorCode: '请选择指标' });
  return (
    <FormShell title="上报预警" testId="report-warning-form" onSubmit={submit} busy={s.busy} formError={s.formError} done={s.done} submitLabel="上报">
      <Select label="指标" placeholder="选择指标" data={indicators} value={indicatorCode} onChange={setIndicator} searchable required error={s.errors.indicatorCode} />
      <SimpleGrid cols={{ base: 1, sm: 3 }}>
        <Select label="灯色" data={Object.entries(WARNING_LEVEL_LABEL).map(([value, label]) => ({ value, label }))} value={level} onChange={(v) => v && setLevel(v)} allowDeselect={false} error={s.errors.level} />
        <Select label="程度" data={Object.entries(SEVERITY_LABEL).map(([value, label]) => ({ value, label }))} value={severity} onChange={(v) => v && setSeverity(v)} allowDeselect={false} error={s.errors.severity} />
        <DateField label="发现日期" value={observedOn} onChange={setObservedOn} required error={s.errors.observedOn} />
      </SimpleGrid>
      <Textarea label="情况" value={facts} onChange={(e) => setFacts(e.currentTarget.value)} required autosize minRows={2} error={s.errors.facts ?? s.errors.villageId} />
    </FormShell>
  );
}
