// The seven ledgers (台账) and their columns. Each reads its module's exported page functions (keyset on
// id, a batch at a time, in the request's transaction and scope); none reads another module's tables.
import type { EntityManager } from '@jiceng/db';
import type { AdminUnitRow, Principal } from '@jiceng/tenancy';
import { caseRegisterPage, keyTargetRegister } from '@jiceng/rectification';
import { pairingRegisterPage, partnerView, supportRegisterPage, type PairingRegisterRow } from '@jiceng/pairing';
import { targetsUnder } from '@jiceng/rectification';
import { disbursementPage } from '@jiceng/funding';
import { disputeRegisterPage, warningRegisterPage } from '@jiceng/warning';
import { label, type Cell, type Column } from '../columns.js';

/** What a ledger reads for: the caller, the unit (in scope) and the year. */
export interface LedgerQuery {
  em: EntityManager;
  principal: Principal;
  unit: AdminUnitRow;
  year: number;
  /** rows a page (tests use small pages to cross page boundaries) */
  batch: number;
}

/** A row of a ledger: the unit it belongs to (for the unit path columns) and its cells, in column order. */
export interface LedgerRow {
  unitId: string;
  unitPath: string;
  cells: Cell[];
}

export interface Ledger {
  /** the name in the route: /export/<key>.xlsx */
  key: string;
  /** the sheet's (and the file's) Chinese name */
  title: string;
  /** the action whose roles may read these records over GraphQL */
  action: string;
  /** the level of the unit each row belongs to: its unit path columns go down to it */
  rowLevel: 'VILLAGE' | 'TOWNSHIP';
  columns: Column[];
  pages(q: LedgerQuery): AsyncIterable<LedgerRow[]>;
}

/** Pages of a keyset-paged read, until one comes back short. */
async function* keyset<T extends { id: string }>(read: (afterId: string | null, limit: number) => Promise<T[]>, batch: number,
  row: (r: T) => LedgerRow): AsyncIterable<LedgerRow[]> {
  let after: string | null = null;
  for (;;) {
    const rows = await read(after, batch);
    if (rows.length) yield rows.map(row);
    if (rows.length < batch) return;
    after = rows[rows.length - 1]!.id;
  }
}

const join = (xs: readonly (string | null)[]) => (xs.length ? xs.filter(Boolean).join('；') : null);
const numbered = (xs: readonly string[]) => (xs.length ? xs.map((x, k) => (xs.length > 1 ? `${k + 1}. ${x}` : x)).join('\n') : null);

const cases: Ledger = {
  key: 'cases',
  title: '登记造册',
  action: 'rectification:read',
  rowLevel: 'VILLAGE',
  columns: [
    { header: '整顿原因', kind: 'text', width: 16 },
    { header: '问题类型', kind: 'text', width: 20 },
    { header: '问题清单', kind: 'text', width: 40 },
    { header: '整改措施', kind: 'text', width: 40 },
    { header: '责任人', kind: 'text', width: 16 },
    { header: '包保领导', kind: 'text', width: 12 },
    { header: '村党组织书记', kind: 'text', width: 12 },
    { header: '工作组', kind: 'text', width: 20 },
    { header: '整顿时限', kind: 'date' },
    { header: '问题销号时限', kind: 'date' },
    { header: '未销号问题数', kind: 'int' },
    { header: '状态', kind: 'text', width: 10 },
    { header: '登记日期', kind: 'date' },
    { header: '公示日期', kind: 'date' },
    { header: '转化日期', kind: 'date' },
    { header: '验收日期', kind: 'date' },
    { header: '群众满意度', kind: 'rate' },
    { header: '销号日期', kind: 'date' },
  ],
  pages: (q) => keyset((after, n) => caseRegisterPage(q.em, q.unit.path, q.year, after, n), q.batch, (c) => ({
    unitId: c.unitId,
    unitPath: c.unitPath,
    cells: [label('cause', c.cause), join(c.problemTypes), numbered(c.problems), numbered(c.measures), join([...new Set(c.responsible)]),
      c.responsibleLeader, c.villageSecretary, join(c.workingGroup), c.deadline, c.problemDueOn, c.problemsOpen, label('caseState', c.state),
      c.createdOn, c.publicizedOn, c.transformedOn, c.acceptedOn, c.satisfactionRate, c.closedOn],
  })),
};

const keyTargets: Ledger = {
  key: 'key-targets',
  title: '重点整顿对象',
  action: 'rectification:read',
  rowLevel: 'TOWNSHIP',
  columns: [
    { header: '村数', kind: 'int' },
    { header: '重点整顿对象数', kind: 'int' },
    { header: '占比', kind: 'rate' },
    { header: '重点整顿对象', kind: 'text', width: 40 },
    { header: '重点整顿对象代码', kind: 'text', width: 40 },
  ],
  async *pages(q) {
    // one line per township: a region has a few thousand, read in one statement
    const rows = await keyTargetRegister(q.em, q.unit.path, q.year);
    for (let k = 0; k < rows.length; k += q.batch) {
      yield rows.slice(k, k + q.batch).map((t) => ({
        unitId: t.townshipId,
        unitPath: t.townshipPath,
        cells: [t.villages, t.keyTargets, t.villages ? Math.round((t.keyTargets / t.villages) * 1000) / 1000 : null, join(t.keyTargetNames), join(t.keyTargetCodes)],
      }));
    }
  },
};

/** The five slots of 五个一, in the order of the register. */
const SLOTS = ['ENTERPRISE', 'DEPARTMENT', 'LEADER', 'FIRST_SECRETARY', 'PROJECT'] as const;

const pairings: Ledger = {
  key: 'pairings',
  title: '五个一结对',
  action: 'pairing:read',
  rowLevel: 'VILLAGE',
  columns: [
    { header: '整顿对象', kind: 'text', width: 10 },
    { header: '整顿原因', kind: 'text', width: 16 },
    ...SLOTS.flatMap((s): Column[] => [{ header: label('partnerKind', s)!, kind: 'text', width: 24 }, { header: `${label('partnerKind', s)}结对期限`, kind: 'text', width: 26 }]),
    { header: '已结对数', kind: 'int' },
  ],
  async *pages(q) {
    // the year's rectification targets (few: a share of the villages; none visible to a partner user)
    // merged by village id with the villages paired during the year, a page of those at a time
    const targets = new Map((await targetsUnder(q.em, [q.unit.path], q.year)).map((t) => [t.unitId, t]));
    const pending = [...targets.values()].sort((a, b) => compareIds(a.unitId, b.unitId));
    let after: string | null = null;
    const row = (unitId: string, unitPath: string, list: PairingRegisterRow[]): LedgerRow => {
      const t = targets.get(unitId);
      const slots = SLOTS.flatMap((s) => {
        const of = list.filter((p) => p.kind === s);
        return [join(of.map((p) => p.name)), join(of.map((p) => `${p.startsOn} 至 ${p.endsOn ?? '今'}`))];
      });
      return { unitId, unitPath, cells: [label('yesNo', !!t), t ? label('cause', t.cause) : null, ...slots, new Set(list.map((p) => p.kind)).size] };
    };
    for (;;) {
      const page = await pairingRegisterPage(q.em, q.unit.path, q.year, after, q.batch);
      const byVillage = new Map<string, PairingRegisterRow[]>();
      for (const p of page) (byVillage.get(p.unitId) ?? byVillage.set(p.unitId, []).get(p.unitId)!).push(p);
      const last = page.length ? page[page.length - 1]!.unitId : null;
      const full = byVillage.size === q.batch;
      const out: LedgerRow[] = [];
      // targets up to this page's last village (all of them after the last page), then this page's villages, in id order
      while (pending.length && (!full || compareIds(pending[0]!.unitId, last!) <= 0)) {
        const t = pending.shift()!;
        if (!byVillage.has(t.unitId)) out.push(row(t.unitId, t.path, []));
      }
      for (const [unitId, list] of byVillage) out.push(row(unitId, list[0]!.unitPath, list));
      out.sort((a, b) => compareIds(a.unitId, b.unitId));
      if (out.length) yield out;
      if (!full) return;
      after = last;
    }
  },
};

const compareIds = (a: string, b: string) => (a.length - b.length) || (a < b ? -1 : a > b ? 1 : 0);

const support: Ledger = {
  key: 'support',
  title: '帮扶记录',
  action: 'support:read',
  rowLevel: 'VILLAGE',
  columns: [
    { header: '结对类型', kind: 'text', width: 10 },
    { header: '帮扶单位（人）', kind: 'text', width: 24 },
    { header: '日期', kind: 'date' },
    { header: '走访次数', kind: 'int' },
    { header: '安置人数', kind: 'int' },
    { header: '物资价值', kind: 'money' },
    { header: '会议次数', kind: 'int' },
    { header: '解决问题数', kind: 'int' },
    { header: '协调项目数', kind: 'int' },
    { header: '备注', kind: 'text', width: 30 },
    { header: '更正', kind: 'text', width: 6 },
  ],
  async *pages(q) {
    // a partner user reads its own partner's entries only (as supportEntries)
    const view = await partnerView(q.em, q.principal);
    yield* keyset((after, n) => supportRegisterPage(q.em, view, q.unit.path, q.year, after, n), q.batch, (s) => ({
      unitId: s.unitId,
      unitPath: s.unitPath,
      cells: [label('partnerKind', s.partnerKind), s.partnerName, s.loggedOn, s.visits, s.peoplePlaced, s.materialsValue, s.meetings, s.problemsSolved,
        s.projectsCoordinated, s.note, s.corrects ? '是' : null],
    }));
  },
};

const disbursements: Ledger = {
  key: 'disbursements',
  title: '资金拨付',
  action: 'funding:read',
  rowLevel: 'VILLAGE',
  columns: [
    { header: '资金类别', kind: 'text', width: 18 },
    { header: '凭证号', kind: 'text', width: 18 },
    { header: '金额', kind: 'money' },
    { header: '拨付日期', kind: 'date' },
    { header: '冲正', kind: 'text', width: 22 },
  ],
  pages: (q) => keyset((after, n) => disbursementPage(q.em, q.unit.path, q.year, after, n), q.batch, (t) => ({
    unitId: t.unitId,
    unitPath: t.unitPath,
    cells: [label('fund', t.fund), t.voucher, t.amount, t.occurredOn, t.reversesVoucher ? `冲正 ${t.reversesVoucher}` : t.reversed ? '已冲正' : null],
  })),
};

const warnings: Ledger = {
  key: 'warnings',
  title: '预警台账',
  action: 'warning:read',
  rowLevel: 'VILLAGE',
  columns: [
    { header: '预警灯', kind: 'text', width: 8 },
    { header: '预警指标', kind: 'text', width: 12 },
    { header: '问题程度', kind: 'text', width: 10 },
    { header: '发现日期', kind: 'date' },
    { header: '情况', kind: 'text', width: 40 },
    { header: '处置层级', kind: 'text', width: 10 },
    { header: '迟报', kind: 'text', width: 6 },
    { header: '处置时限', kind: 'date' },
    { header: '销号日期', kind: 'date' },
    { header: '处置结果', kind: 'text', width: 40 },
  ],
  pages: (q) => keyset((after, n) => warningRegisterPage(q.em, q.unit.path, q.year, after, n), q.batch, (w) => ({
    unitId: w.unitId,
    unitPath: w.unitPath,
    cells: [label('light', w.level), w.indicatorCode, label('severity', w.severity), w.observedOn, w.facts, label('handlerLevel', w.handlerLevel),
      w.late ? '是' : null, w.followUpDue, w.resolvedOn, w.resolutionNote],
  })),
};

const disputes: Ledger = {
  key: 'disputes',
  title: '矛盾纠纷排查',
  action: 'warning:read',
  rowLevel: 'VILLAGE',
  columns: [
    { header: '类别', kind: 'text', width: 12 },
    { header: '纠纷情况', kind: 'text', width: 40 },
    { header: '排查日期', kind: 'date' },
    { header: '化解日期', kind: 'date' },
    { header: '化解结果', kind: 'text', width: 30 },
    { header: '未化解原因', kind: 'text', width: 30 },
    { header: '承诺化解日期', kind: 'date' },
  ],
  pages: (q) => keyset((after, n) => disputeRegisterPage(q.em, q.unit.path, q.year, after, n), q.batch, (d) => ({
    unitId: d.unitId,
    unitPath: d.unitPath,
    cells: [label('disputeCategory', d.category), d.summary, d.recordedOn, d.resolvedOn, d.result, d.explanation, d.promisedOn],
  })),
};

/** Every ledger, by its route name. */
export const LEDGERS: ReadonlyMap<string, Ledger> = new Map([cases, keyTargets, pairings, support, disbursements, warnings, disputes].map((l) => [l.key, l]));
