// /dashboard/:code — 统计: a unit's figures for a year, with charts (rectification, pairing, funds, warnings). /dashboard/:code
import { useEffect, useMemo, useRef, useState } from 'react';
import type { ReactNode } from 'react';
import { Link } from 'wouter';
import { Alert, Anchor, Breadcrumbs, Group, Loader, Paper, Select, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { useAuth } from '../auth.js';
import { Chart } from '../components/Chart.js';
import { request } from '../graphql/client.js';
import type { ResultOf } from '../graphql/graphql.js';
import { fenOf, formatMoney, formatNumber, formatPercent } from '../format.js';
import { CHILD_FIGURES, DASHBOARD } from './operations.js';
import { barOption, pieOption } from './charts.js';
import { NotFoundPage } from './NotFoundPage.js';
import { FigureTable } from './FigureTable.js';
import { VillageSearch } from './VillageSearch.js';
import { CASE_STATE_LABEL, CAUSE_LABEL, SLOT_LABEL } from './labels.js';

type Dash = NonNullable<ResultOf<typeof DASHBOARD>['adminUnit']>;
type Child = NonNullable<ResultOf<typeof CHILD_FIGURES>['adminUnit']>['children']['edges'][number]['node'];

const THIS_YEAR = new Date().getFullYear();
/** townships shown in the key-target chart and table */
const MAX_TOWNSHIPS = 30;
const YEARS = Array.from({ length: 6 }, (_, i) => String(THIS_YEAR - i));
const yuan = (money: string | null | undefined) => Number(fenOf(money ?? '0') ?? 0n) / 100;

/**
 * Whether a year has figures, to find the latest year with data: a year's rectification targets, pairing
 * targets or funds allocated (the yearly records); for a caller who reads none of these, its warnings.
 */
function hasData(d: Dash): boolean {
  const yearly = d.rectificationSummary || d.pairingCoverage || d.fundsSummary;
  if (yearly) {
    return (d.rectificationSummary?.targets ?? 0) > 0 || (d.pairingCoverage?.targets ?? 0) > 0 || (fenOf(d.fundsSummary?.allocated ?? '0') ?? 0n) !== 0n;
  }
  return (d.warningStats ? d.warningStats.yellowRaised + d.warningStats.redRaised + d.warningStats.disputes : 0) > 0;
}

export function DashboardPage({ code }: { code: string }) {
  const { me } = useAuth();
  const [year, setYear] = useState<number | null>(null);
  const [dash, setDash] = useState<Dash | null>(null);
  const [children, setChildren] = useState<Child[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [missing, setMissing] = useState(false);
  const can = useMemo(() => {
    const a = new Set(me?.actions ?? []);
    return { rect: a.has('rectification:read'), pair: a.has('pairing:read'), funds: a.has('funding:read'), warn: a.has('warning:read') };
  }, [me]);

  // the unit and year whose figures are shown (the search for the year already read them)
  const shown = useRef<string | null>(null);
  // the year shown: chosen, or the latest (of the last six) with figures
  useEffect(() => {
    if (!me || (year !== null && shown.current === `${code}:${year}`)) return;
    let live = true;
    setError(null);
    setMissing(false);
    (async () => {
      const years = year === null ? YEARS.map(Number) : [year];
      let found: { y: number; d: Dash } | null = null;
      for (const y of years) {
        const r = await request(DASHBOARD, { code, year: y, ...can });
        if (!r.adminUnit) return live && setMissing(true);
        found ??= { y, d: r.adminUnit };
        if (year !== null || hasData(r.adminUnit)) {
          found = { y, d: r.adminUnit };
          break;
        }
      }
      if (!live || !found) return;
      shown.current = `${code}:${found.y}`;
      setDash(found.d);
      if (year === null) setYear(found.y);
    })().catch((e: Error) => live && setError(e.message));
    return () => {
      live = false;
    };
  }, [code, year, me, can]);

  // the children's figures, page by page (the per-county / per-township charts)
  useEffect(() => {
    if (!me || year === null || !(can.rect || can.funds)) return;
    let live = true;
    (async () => {
      const all: Child[] = [];
      let after: string | null = null;
      do {
        const r: ResultOf<typeof CHILD_FIGURES> = await request(CHILD_FIGURES, { code, year, after, rect: can.rect, funds: can.funds });
        if (!r.adminUnit) break;
        all.push(...r.adminUnit.children.edges.map((e) => e.node));
        after = r.adminUnit.children.pageInfo.hasNextPage ? r.adminUnit.children.pageInfo.endCursor : null;
      } while (after && live);
      if (live) setChildren(all);
    })().catch((e: Error) => live && setError(e.message));
    return () => {
      live = false;
    };
  }, [code, year, me, can]);

  if (missing) return <NotFoundPage />;
  if (error) return <Alert color="red" title="出错了">{error}</Alert>;
  if (!dash || year === null) return <Loader aria-label="正在加载" />;

  return (
    <Stack gap="md">
      <Breadcrumbs aria-label="上级单位">
        {dash.ancestors.map((a) => <Anchor key={a.id} component={Link} href={`/dashboard/${a.code}`}>{a.name}</Anchor>)}
        <Text span aria-current="page">{dash.name}</Text>
      </Breadcrumbs>
      <Group justify="space-between" align="end">
        <Title order={2}>{dash.name} · 统计</Title>
        <Group align="end">
          {can.warn && <Anchor component={Link} href={`/board/${dash.code}`}>电子监控图版</Anchor>}
          {dash.level !== 'VILLAGE' && <VillageSearch code={dash.code} />}
          <Select label="年度" data={YEARS} value={String(year)} onChange={(v) => v && setYear(Number(v))} allowDeselect={false} w={120} />
        </Group>
      </Group>
      {dash.rectificationSummary && <Rectification dash={dash} children={children} />}
      {dash.pairingCoverage && <Pairing p={dash.pairingCoverage} />}
      {dash.fundsSummary && <Funds dash={dash} children={children} />}
      {dash.warningStats && <Warnings w={dash.warningStats} />}
    </Stack>
  );
}

/** The headline figures of a section, label over value. */
function Stats({ items }: { items: [string, string][] }) {
  return (
    <SimpleGrid cols={{ base: 2, sm: Math.min(items.length, 6) }}>
      {items.map(([label, value]) => (
        <Paper key={label} withBorder p="sm">
          <Text size="sm" c="gray.7">{label}</Text>
          <Text size="xl" fw={700}>{value}</Text>
        </Paper>
      ))}
    </SimpleGrid>
  );
}

function Section({ title, children }: { title: string; children: ReactNode }) {
  return (
    <Paper component="section" withBorder p="md" aria-label={title}>
      <Title order={3} mb="sm">{title}</Title>
      <Stack gap="md">{children}</Stack>
    </Paper>
  );
}

function Rectification({ dash, children }: { dash: Dash; children: Child[] }) {
  const r = dash.rectificationSummary!;
  // every township when they are few (a county); above, the ones short of key targets, the largest shortfalls first
  const all = dash.keyTargets ?? [];
  const short = all.filter((t) => t.shortfall > 0);
  const kt = all.length <= MAX_TOWNSHIPS ? all : [...short].sort((a, b) => b.shortfall - a.shortfall).slice(0, MAX_TOWNSHIPS);
  const kids = children.filter((c) => c.rectificationSummary && c.rectificationSummary.targets > 0);
  return (
    <Section title="软弱涣散村整顿">
      <Stats items={[['整顿对象', formatNumber(r.targets)], ['三类村', formatNumber(r.thirdCategory)], ['重点整顿对象', formatNumber(r.keyTargets)], ['已转化', formatNumber(r.transformed)], ['转化率', formatPercent(r.transformationRate)]]} />
      <SimpleGrid cols={{ base: 1, md: 2 }}>
        <div>
          <Title order={4} size="h5">整顿原因</Title>
          <Chart label={`整顿原因：${r.byCause.map((c) => `${CAUSE_LABEL[c.cause]} ${c.count}`).join('，') || '无'}`}
            option={pieOption(r.byCause.map((c) => ({ name: CAUSE_LABEL[c.cause] ?? c.cause, value: c.count })))} />
        </div>
        <div>
          <Title order={4} size="h5">整顿台账状态</Title>
          <Chart label={`整顿台账状态：${r.casesByState.map((s) => `${CASE_STATE_LABEL[s.state]} ${s.count}`).join('，') || '无'}`}
            option={barOption(r.casesByState.map((s) => CASE_STATE_LABEL[s.state] ?? s.state), [{ name: '台账数', data: r.casesByState.map((s) => s.count) }])} />
        </div>
      </SimpleGrid>
      {kids.length > 0 && (
        <div>
          <Title order={4} size="h5">各下级单位转化率</Title>
          <Chart label={`各下级单位转化率：${kids.map((c) => `${c.name} ${formatPercent(c.rectificationSummary!.transformationRate)}`).join('，')}`}
            option={barOption(kids.map((c) => c.name), [{ name: '转化率', data: kids.map((c) => Math.round(c.rectificationSummary!.transformationRate * 1000) / 10) }], { percent: true })} />
        </div>
      )}
      {kt.length > 0 && (
        <div>
          <Title order={4} size="h5">重点整顿对象（按苏木乡镇）</Title>
          {all.length > MAX_TOWNSHIPS && (
            <Text size="sm" data-testid="key-target-note">{formatNumber(all.length)} 个苏木乡镇中 {formatNumber(short.length)} 个未达到，下列差额最大的 {formatNumber(kt.length)} 个。</Text>
          )}
          <Chart height={Math.max(200, kt.length * 22)} label={`重点整顿对象差额：${kt.filter((t) => t.shortfall > 0).map((t) => `${t.township.name} 差 ${t.shortfall}`).join('，') || '均已达到'}`}
            option={barOption(kt.map((t) => t.township.name), [
              { name: '已确定', data: kt.map((t) => t.keyTargets), color: '#228be6', stack: 'k' },
              { name: '差额', data: kt.map((t) => t.shortfall), color: '#fa5252', stack: 'k' }], { horizontal: true })} />
          <FigureTable caption="重点整顿对象：应确定数与差额" head={['苏木乡镇', '嘎查村数', '应确定', '已确定', '差额']}
            rows={kt.map((t) => ({ key: t.township.id, cells: [
              <Anchor key="n" c="red.9" component={Link} href={`/dashboard/${t.township.code}`}>{t.township.name}</Anchor>,
              formatNumber(t.villages), formatNumber(t.required), formatNumber(t.keyTargets), t.shortfall > 0 ? formatNumber(t.shortfall) : '—'] }))} />
        </div>
      )}
    </Section>
  );
}

function Pairing({ p }: { p: NonNullable<Dash['pairingCoverage']> }) {
  return (
    <Section title="五个一结对覆盖">
      <Stats items={[['三类村', formatNumber(p.targets)], ['五个一全覆盖', formatNumber(p.fullyCovered)], ['覆盖率', formatPercent(p.rate)]]} />
      <Chart label={`各项覆盖率：${p.slots.map((s) => `${SLOT_LABEL[s.slot]} ${formatPercent(s.rate)}`).join('，')}`}
        option={barOption(p.slots.map((s) => SLOT_LABEL[s.slot] ?? s.slot), [{ name: '覆盖率', data: p.slots.map((s) => Math.round(s.rate * 1000) / 10) }], { percent: true })} />
    </Section>
  );
}

function Funds({ dash, children }: { dash: Dash; children: Child[] }) {
  const f = dash.fundsSummary!;
  const rows = dash.fundingCompliance?.counties ?? [];
  const kids = children.filter((c) => c.fundsSummary);
  return (
    <Section title="村级组织经费">
      <Stats items={[['下达', formatMoney(f.allocated)], ['拨付', formatMoney(f.disbursed)], ['支出', formatMoney(f.spent)], ['结余', formatMoney(f.balance)]]} />
      {kids.length > 0 && (
        <div>
          <Title order={4} size="h5">各下级单位经费（元）</Title>
          <Chart height={300} label={`各下级单位经费：${kids.map((c) => `${c.name} 下达 ${formatMoney(c.fundsSummary!.allocated)}，拨付 ${formatMoney(c.fundsSummary!.disbursed)}`).join('；')}`}
            option={barOption(kids.map((c) => c.name), [
              { name: '下达', data: kids.map((c) => yuan(c.fundsSummary!.allocated)) },
              { name: '拨付', data: kids.map((c) => yuan(c.fundsSummary!.disbursed)) },
              { name: '支出', data: kids.map((c) => yuan(c.fundsSummary!.spent)) },
              { name: '结余', data: kids.map((c) => yuan(c.fundsSummary!.balance)) }])} />
        </div>
      )}
      {rows.length > 0 && (
        <div>
          <Title order={4} size="h5">拨付率（按旗县区）</Title>
          <Chart height={Math.max(180, rows.length * 24)} label={`拨付率：${rows.map((r) => `${r.unit?.name ?? r.county?.name ?? ''} ${formatPercent(r.rate)}`).join('，')}`}
            option={barOption(rows.map((r) => r.unit?.name ?? r.county?.name ?? ''), [{ name: '拨付率', data: rows.map((r) => Math.round(r.rate * 1000) / 10) }], { percent: true, horizontal: true })} />
          <FigureTable caption="拨付率与平均拨付天数" head={['单位', '下达', '拨付', '拨付率', '平均拨付天数']}
            rows={rows.map((r) => ({ key: r.unit?.id ?? r.county?.id ?? '', cells: [
              r.unit?.name ?? r.county?.name, formatMoney(r.allocated), formatMoney(r.disbursed), formatPercent(r.rate),
              r.averageDaysToDisburse === null ? '—' : formatNumber(Math.round(r.averageDaysToDisburse))] }))} />
        </div>
      )}
    </Section>
  );
}

function Warnings({ w }: { w: NonNullable<Dash['warningStats']> }) {
  return (
    <Section title="动态管理110">
      <Stats items={[['黄灯预警', formatNumber(w.yellowRaised)], ['红灯预警', formatNumber(w.redRaised)], ['已化解', formatNumber(w.resolved)], ['未化解', formatNumber(w.open)], ['矛盾纠纷', formatNumber(w.disputes)], ['已调处', formatNumber(w.disputesResolved)]]} />
      <SimpleGrid cols={{ base: 1, md: 2 }}>
        <Chart label={`预警：黄灯 ${w.yellowRaised}，红灯 ${w.redRaised}；已化解 ${w.resolved}，未化解 ${w.open}`}
          option={barOption(['黄灯', '红灯', '已化解', '未化解'], [{ name: '预警', data: [w.yellowRaised, w.redRaised, w.resolved, w.open] }])} />
        <Chart label={`矛盾纠纷：已调处 ${w.disputesResolved}，未调处 ${w.disputes - w.disputesResolved}`}
          option={pieOption([{ name: '已调处', value: w.disputesResolved, color: '#40c057' }, { name: '未调处', value: w.disputes - w.disputesResolved, color: '#fab005' }])} />
      </SimpleGrid>
    </Section>
  );
}
