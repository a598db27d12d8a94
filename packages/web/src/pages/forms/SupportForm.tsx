// A partner logs its support of a village it is paired with (logSupport). Money in 元, sent exactly.
import { useState } from 'react';
import { Select, SimpleGrid, TextInput } from '@mantine/core';
import { request } from '../../graphql/client.js';
import { LOG_SUPPORT } from '../operations.js';
import { parseYuan } from '../money.js';
import { today, useSubmit } from '../util.js';
import { DateField } from './DateField.js';
import { FormShell } from './FormShell.js';

const FIELDS = ['villageId', 'loggedOn', 'visits', 'peoplePlaced', 'materialsValue', 'meetings', 'problemsSolved', 'projectsCoordinated', 'note'] as const;
const COUNTS = [['visits', '走访次数'], ['peoplePlaced', '安置就业人数'], ['meetings', '座谈次数'], ['problemsSolved', '解决问题数'], ['projectsCoordinated', '协调项目数']] as const;
type CountField = (typeof COUNTS)[number][0];

export function SupportForm({ villages, onDone }: { villages: readonly { id: string; name: string }[]; onDone: () => void }) {
  const [villageId, setVillage] = useState<string | null>(villages.length === 1 ? villages[0]!.id : null);
  const [loggedOn, setLoggedOn] = useState(today());
  const [counts, setCounts] = useState<Record<CountField, string>>({ visits: '', peoplePlaced: '', meetings: '', problemsSolved: '', projectsCoordinated: '' });
  const [materials, setMaterials] = useState('');
  const [note, setNote] = useState('');
  const s = useSubmit(FIELDS);
  const submit = () => {
    const errors: Record<string, string> = {};
    if (!villageId) errors.villageId = '请选择嘎查村';
    const ints: Partial<Record<CountField, number>> = {};
    for (const [f] of COUNTS) {
      const t = counts[f].trim();
      if (t === '') continue;
      if (!/^\d{1,6}$/.test(t)) errors[f] = '请填写非负整数';
      else ints[f] = Number(t);
    }
    const money = materials.trim() === '' ? null : parseYuan(materials);
    if (money && 'error' in money) errors.materialsValue = money.error;
    return s.run(async () => {
      await request(LOG_SUPPORT, { input: { villageId: villageId!, loggedOn, ...ints, materialsValue: money && 'money' in money ? money.money : null, note: note || null } });
      setCounts({ visits: '', peoplePlaced: '', meetings: '', problemsSolved: '', projectsCoordinated: '' });
      setMaterials('');
      setNote('');
      onDone();
      return '帮扶记录已保存';
    }, errors);
  };
  return (
    <FormShell title="记录帮扶" testId="support-form" onSubmit={submit} busy={s.busy} formError={s.formError} done={s.done} submitLabel="保存">
      <SimpleGrid cols={{ base: 1, sm: 2 }}>
        <Select label="嘎查村" placeholder="选择结对的嘎查村" data={villages.map((v) => ({ value: v.id, label: v.name }))} value={villageId} onChange={setVillage} searchable required error={s.errors.villageId} />
        <DateField label="日期" value={loggedOn} onChange={setLoggedOn} required error={s.errors.loggedOn} />
      </SimpleGrid>
      <SimpleGrid cols={{ base: 2, sm: 3 }}>
        {COUNTS.map(([f, label]) => (
          <TextInput key={f} label={label} inputMode="numeric" value={counts[f]} onChange={(e) => {
            const v = e.currentTarget.value;
            setCounts((c) => ({ ...c, [f]: v }));
          }} error={s.errors[f]} />
        ))}
        <TextInput label="物资折款（元）" inputMode="decimal" placeholder="0.00" value={materials} onChange={(e) => setMaterials(e.currentTarget.value)} error={s.errors.materialsValue} />
      </SimpleGrid>
      <TextInput label="备注" value={note} onChange={(e) => setNote(e.currentTarget.value)} error={s.errors.note} />
    </FormShell>
  );
}
