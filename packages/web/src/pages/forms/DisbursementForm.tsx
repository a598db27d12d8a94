// County finance (财政) pays a village (拨付, disburseFunds): amount in 元 with up to two decimals, converted
// to fen exactly; the voucher number once per county and fund year; a fresh idempotency key per submit.
import { useState } from 'react';
import { Select, SimpleGrid, TextInput } from '@mantine/core';
import { request } from '../../graphql/client.js';
import { formatFen } from '../../format.js';
import { DISBURSE } from '../operations.js';
import { FUND_LABEL } from '../labels.js';
import { parseYuan } from '../money.js';
import { newKey, today, useSubmit } from '../util.js';
import { DateField } from './DateField.js';
import { FormShell } from './FormShell.js';

const FIELDS = ['amount', 'voucher', 'on', 'fund', 'year', 'villageId'] as const;
const FUNDS = ['OFFICE', 'ACTIVITY', 'PARTY_BUILDING', 'BENEFIT_PROJECT'] as const;

export function DisbursementForm({ villageId, year: fundYear, onDone }: { villageId: string; year: number; onDone: () => void }) {
  const [fund, setFund] = useState<string>('OFFICE');
  const [year, setYear] = useState(String(fundYear));
  const [amount, setAmount] = useState('');
  const [voucher, setVoucher] = useState('');
  const [on, setOn] = useState(today());
  const s = useSubmit(FIELDS);
  const submit = () => {
    const parsed = parseYuan(amount);
    const errors: Record<string, string> = {};
    if ('error' in parsed) errors.amount = parsed.error;
    if (!/^\d{4}$/.test(year)) errors.year = '请填写年度';
    return s.run(async () => {
      if ('error' in parsed) return;
      const r = await request(DISBURSE, {
        villageId, fund: fund as (typeof FUNDS)[number], year: Number(year), amount: parsed.money, voucher, on, idempotencyKey: newKey('pay'),
      });
      setAmount('');
      setVoucher('');
      onDone();
      return `已拨付 ${formatFen(parsed.fen)}（${r.disburseFunds.amount}）`;
    }, errors);
  };
  return (
    <FormShell title="拨付经费" testId="disbursement-form" onSubmit={submit} busy={s.busy} formError={s.formError} done={s.done} submitLabel="拨付">
      <SimpleGrid cols={{ base: 1, sm: 3 }}>
        <Select label="经费" data={FUNDS.map((f) => ({ value: f, label: FUND_LABEL[f]! }))} value={fund} onChange={(v) => v && setFund(v)} allowDeselect={false} error={s.errors.fund} />
        <TextInput label="经费年度" inputMode="numeric" value={year} onChange={(e) => setYear(e.currentTarget.value)} required error={s.errors.year} />
        <DateField label="拨付日期" value={on} onChange={setOn} required error={s.errors.on} />
      </SimpleGrid>
      <SimpleGrid cols={{ base: 1, sm: 2 }}>
        <TextInput label="金额（元）" inputMode="decimal" placeholder="12500.00" value={amount} onChange={(e) => setAmount(e.currentTarget.value)} required error={s.errors.amount} />
        <TextInput label="凭证号" value={voucher} onChange={(e) => setVoucher(e.currentTarget.value)} required error={s.errors.voucher ?? s.errors.villageId} />
      </SimpleGrid>
    </FormShell>
  );
}
