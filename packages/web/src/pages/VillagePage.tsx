// /village/:code — a village: its light per indicator category, open warnings and their handling, its
// rectification case and problem list, its five pairings (五个一), its funds; and the forms of the daily
// work on it that the caller's role may use (the API still decides). Sections the caller may not read
// are not asked for.
import { useEffect, useMemo, useState, type ReactNode } from 'react';
import { Badge, Group, Loader, Paper, Select, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { useAuth } from '../auth.js';
import { UnitBreadcrumbs } from '../components/UnitBreadcrumbs.js';
import { useQuery } from '../components/useQuery.js';
import { fenOf, formatDate, formatMoney, formatNumber, formatPercent, LIGHT_LABEL } from '../format.js';
import { VILLAGE } from './operations.js';
import { CASE_STATE_LABEL, FUND_LABEL, HANDLER_LABEL, LIGHT_COLOR, OK_COLOR, BAD_COLOR, INFO_COLOR, PARTNER_KIND_LABEL, SEVERITY_LABEL, SLOT_LABEL, TRANSFER_KIND_LABEL, WARNING_LEVEL_LABEL } from './labels.js';
import { NotFoundPage } from './NotFoundPage.js';
import { FigureTable } from './FigureTable.js';
import { ReportWarningForm } from './forms/ReportWarningForm.js';
import { ResolveWarningForm } from './forms/ResolveWarningForm.js';
import { ProblemItemForm } from './forms/ProblemItemForm.js';
import { DisbursementForm } from './forms/DisbursementForm.js';

const THIS_YEAR = new Date().getFullYear();
/** the states in which a case takes new problem items (the API refuses the others) */
const OPEN_CASE = new Set(['IDENTIFIED', 'RECTIFYING']);
const YEARS = Array.from({ length: 6 }, (_, i) => String(THIS_YEAR - i));

function Section({ title, children, testId }: { title: string; children: ReactNode; testId: string }) {
  return (
    <Paper component="section" withBorder p="md" aria-label={title} data-testid={testId}>
      <Title order={3} mb="sm">{title}</Title>
      <Stack gap="sm">{children}</Stack>
    </Paper>
  );
}

function LightBadge({ light }: { light: string }) {
  return <Badge color={LIGHT_COLOR[light]} variant="filled" autoContrast data-light={light}>{LIGHT_LABEL[light as keyof typeof LIGHT_LABEL]}</Badge>;
}

export function VillagePage({ code }: { code: string }) {
  const { me } = useAuth();
  const actions = useMemo(() => new Set(me?.actions ?? []), [me]);
  const [year, setYear] = useState<number>(THIS_YEAR);
  const [yearChosen, setYearChosen] = useState(false);
  const can = {
    warn: actions.has('warning:read'), rect: actions.has('rectification:read'), pair: actions.has('pairing:read'),
    support: actions.has('support:read'), funds: actions.has('funding:read'),
  };
  const q = useQuery(VILLAGE, { code, year, from: `${year}-01-01`, to: `${year}-12-31`, ...can });
  const u = q.data?.adminUnit;
  // nothing of this year yet (no case, no funds): show the year before, until a year is chosen
  useEffect(() => {
    if (!u || yearChosen || year !== THIS_YEAR) return;
    const empty = (u.cases?.edges.length ?? 0) === 0 && (fenOf(u.fundsSummary?.allocated ?? '0') ?? 0n) === 0n;
    if (empty) setYear(THIS_YEAR - 1);
  }, [u, year, yearChosen]);

  if (q.loading && !u) return <Loader aria-label="加载中" />;
  if (!u || q.error) return <NotFoundPage />;
  const reload = () => void q.refetch();
  const theCase = u.cases?.edges[0]?.node;
  return (
    <Stack data-testid="village" data-code={u.code}>
      <UnitBreadcrumbs ancestors={u.ancestors} name={u.name} />
      <Group justify="space-between" align="end">
        <Group>
          <Title order={2}>{u.name}</Title>
          {u.light && <LightBadge light={u.light} />}
        </Group>
        <Select label="年度" data={YEARS} value={String(year)} onChange={(v) => {
          if (!v) return;
          setYearChosen(true);
          setYear(Number(v));
        }} allowDeselect={false} w={120} />
      </Group>
      <Text size="sm" c="gray.7">
        {u.urban ? '社区' : '嘎查村'} · 人口 {formatNumber(u.population)} · 户数 {formatNumber(u.households)} · 党员 {formatNumber(u.partyMembers)}
      </Text>

      {u.categoryLights && (
        <Section title="动态管理110" testId="village-warnings">
          <SimpleGrid cols={{ base: 2, sm: 5 }}>
            {u.categoryLights.map((c) => (
              <Paper key={c.code} withBorder p="xs" data-category={c.code}>
                <Text size="sm">{c.name}</Text>
                <LightBadge light={c.light} />
              </Paper>
            ))}
          </SimpleGrid>
          <Title order={4}>未化解的预警（{formatNumber(u.openWarnings?.totalCount ?? 0)}）</Title>
          {(u.openWarnings?.edges ?? []).length === 0 ? <Text size="sm">暂无未化解的预警。</Text> : (
            <Stack gap="xs" data-testid="open-warnings">
              {u.openWarnings!.edges.map(({ node: w }) => (
                <Paper key={w.id} withBorder p="sm" data-testid="open-warning" data-indicator={w.indicatorCode}>
                  <Group gap="xs">
                    <LightBadge light={w.level} />
                    <Text fw={600}>{w.indicatorCode}</Text>
                    <Text size="sm">{WARNING_LEVEL_LABEL[w.level]} · {SEVERITY_LABEL[w.severity]} · 处理：{HANDLER_LABEL[w.handlerLevel]}</Text>
                    <Text size="sm" c="gray.7">发现 {formatDate(w.observedOn)}{w.followUpDue ? ` · 复查期限 ${formatDate(w.followUpDue)}` : ''}{w.late ? ' · 迟报' : ''}</Text>
                  </Group>
                  <Text size="sm">{w.facts}</Text>
                  {w.notices.map((n) => <Text key={`${n.sentOn}${n.text}`} size="sm" c="gray.7">警示通知 {formatDate(n.sentOn)}：{n.text}</Text>)}
                  {actions.has('warning:resolve') && <ResolveWarningForm warningId={w.id} title={`化解 ${w.indicatorCode}`} onDone={reload} />}
                </Paper>
              ))}
            </Stack>
          )}
          {actions.has('warning:report') && <ReportWarningForm villageId={u.id} onDone={reload} />}
        </Section>
      )}

      {u.cases && (
        <Section title="整顿台账" testId="village-case">
          {u.assessment && <Text size="sm">十星级评定：{u.assessment.stars} 星（{{ FIRST: '一类', SECOND: '二类', THIRD: '三类' }[u.assessment.category]}村）</Text>}
          {!theCase ? <Text size="sm">{year} 年没有整顿台账。</Text> : (
            <>
              <Group gap="lg">
                <Text>状态：<Badge color={INFO_COLOR}>{CASE_STATE_LABEL[theCase.state]}</Badge></Text>
                <Text size="sm">包保领导：{theCase.responsibleLeader ?? '—'}</Text>
                <Text size="sm">期限：{formatDate(theCase.deadline)}</Text>
                {theCase.transformedOn && <Text size="sm">转化：{formatDate(theCase.transformedOn)}</Text>}
              </Group>
              {theCase.plan && <Text size="sm">一村一策：{theCase.plan}</Text>}
              <FigureTable caption="问题清单" testId="problem-list" head={['问题', '整改措施', '责任人', '期限', '销号']}
                rows={theCase.problems.map((p) => ({ key: p.id, cells: [p.problem, p.measure, p.responsible,
                  <>{formatDate(p.dueOn)}{p.overdue && <Badge color={BAD_COLOR} ml="xs">逾期</Badge>}</>, formatDate(p.resolvedOn)] }))} />
              {actions.has('rectification:manage') && (OPEN_CASE.has(theCase.state)
                ? <ProblemItemForm caseId={theCase.id} onDone={reload} />
                : <Text size="sm" c="gray.7">问题清单只在确定和整顿阶段记录（当前：{CASE_STATE_LABEL[theCase.state]}）。</Text>)}
            </>
          )}
        </Section>
      )}

      {u.pairings && (
        <Section title="五个一结对" testId="village-pairings">
          {u.pairingCoverage && u.pairingCoverage.targets > 0 && (
            <Group gap="xs">
              {u.pairingCoverage.slots.map((s) => (
                <Badge key={s.slot} color={s.filled > 0 ? OK_COLOR : BAD_COLOR}>{SLOT_LABEL[s.slot]}：{s.filled > 0 ? '已结对' : '缺'}</Badge>
              ))}
            </Group>
          )}
          <FigureTable caption="结对单位" head={['类别', '结对单位', '起', '止']}
            rows={u.pairings.map((p) => ({ key: p.id, cells: [PARTNER_KIND_LABEL[p.partner.kind], p.partner.name, formatDate(p.startsOn), formatDate(p.endsOn)] }))} />
          {u.supportTotals && (
            <Text size="sm" data-testid="support-totals">
              {year} 年帮扶：{formatNumber(u.supportTotals.entries)} 条记录，走访 {formatNumber(u.supportTotals.visits)} 次，安置就业 {formatNumber(u.supportTotals.peoplePlaced)} 人，
              物资折款 {formatMoney(u.supportTotals.materialsValue)}，解决问题 {formatNumber(u.supportTotals.problemsSolved)} 个
            </Text>
          )}
          {u.pairingCoverage && u.pairingCoverage.targets > 0 && <Text size="sm" c="gray.7">覆盖率 {formatPercent(u.pairingCoverage.rate)}</Text>}
        </Section>
      )}

      {u.fundsSummary && (
        <Section title="村级组织经费" testId="village-funds">
          <SimpleGrid cols={{ base: 2, sm: 4 }}>
            {([['下达', u.fundsSummary.allocated], ['拨付', u.fundsSummary.disbursed], ['支出', u.fundsSummary.spent], ['结余', u.fundsSummary.balance]] as const).map(([label, v]) => (
              <Paper key={label} withBorder p="xs"><Text size="sm" c="gray.7">{label}</Text><Text fw={700} data-testid={`funds-${label}`}>{formatMoney(v)}</Text></Paper>
            ))}
          </SimpleGrid>
          <FigureTable caption={`${year} 年经费明细`} head={['经费', '下达', '拨付', '支出', '结余']}
            rows={u.fundsSummary.byFund.map((f) => ({ key: f.fund, cells: [FUND_LABEL[f.fund], formatMoney(f.allocated), formatMoney(f.disbursed), formatMoney(f.spent), formatMoney(f.balance)] }))} />
          {(u.transfers?.edges.length ?? 0) > 0 && (
            <FigureTable caption="最近的收支" testId="transfers" head={['日期', '类别', '经费', '金额', '凭证号']}
              rows={u.transfers!.edges.map(({ node: t }) => ({ key: t.id, cells: [formatDate(t.occurredOn), TRANSFER_KIND_LABEL[t.kind], FUND_LABEL[t.fund], formatMoney(t.amount), t.voucher ?? '—'] }))} />
          )}
          {actions.has('funding:disburse') && <DisbursementForm villageId={u.id} year={year} onDone={reload} />}
        </Section>
      )}
    </Stack>
  );
}
