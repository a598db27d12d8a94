import { inScope, type Orm } from '@jiceng/db';
import type { AdminUnitRow } from '@jiceng/tenancy';
import { mapUnit } from '@jiceng/tenancy';

/** The stored level (a string union); `AdminLevel` exported by tenancy is the GraphQL enum. */
type Level = AdminUnitRow['level'];

let seq = 0;
const nextSeq = () => ++seq;

/** Builds admin units top-down, as the owner: `tree.region().county().township().village()`. */
export class TreeBuilder {
  private root: Promise<AdminUnitRow> | undefined;
  constructor(private readonly orm: Orm) {}

  /** The country, the one root of the tree (created by migration 0150), read afresh (its counts change). */
  async country(): Promise<Node> {
    return new Node(this, await this.readRoot());
  }

  /** A top-level region (a province), under the country. */
  async region(name = `测试盟${nextSeq()}`) {
    // the root's id and path never change: read it once
    this.root ??= this.readRoot();
    return this.unit(await this.root, 'REGION', name);
  }

  private readRoot(): Promise<AdminUnitRow> {
    return inScope(this.orm, ['cn'], async (em) => mapUnit((await em.execute<any[]>(`select * from admin_unit where parent_id is null`))[0]));
  }

  async unit(parent: AdminUnitRow | null, level: Level, name: string, extra: Partial<{ population: number; households: number; partyMembers: number; economy: 'FARMING' | 'PASTORAL'; urban: boolean }> = {}): Promise<Node> {
    const n = nextSeq();
    const code = codeFor(level, n);
    const label = `${level[0]!.toLowerCase()}${code}`;
    const path = parent ? `${parent.path}.${label}` : `cn.${label}`; // (no parent: refused, only the country has none)
    const row = await inScope(this.orm, ['cn'], async (em) => {
      const [r] = await em.execute<any[]>(
        `insert into admin_unit (code, name, level, parent_id, path, county_id, population, households, party_members, economy, urban)
         values (?, ?, ?, ?, ?::ltree, ?, ?, ?, ?, ?, ?) returning *`,
        [code, name, level, parent?.id ?? null, path, parent ? (parent.level === 'COUNTY' ? parent.id : parent.countyId) : null,
         extra.population ?? (level === 'VILLAGE' ? 800 : null), extra.households ?? (level === 'VILLAGE' ? 260 : null),
         extra.partyMembers ?? (level === 'VILLAGE' ? 30 : null), extra.economy ?? (level === 'VILLAGE' ? 'FARMING' : null), extra.urban ?? false],
      );
      if (level === 'COUNTY') await em.execute('update admin_unit set county_id = id where id = ?', [r.id]);
      return mapUnit(level === 'COUNTY' ? { ...r, county_id: r.id } : r);
    });
    return new Node(this, row);
  }
}

/** A created unit with builders for its children. */
export class Node {
  constructor(private readonly tree: TreeBuilder, readonly unit: AdminUnitRow) {}
  get id() { return this.unit.id; }
  get path() { return this.unit.path; }
  get code() { return this.unit.code; }
  region(name = `测试市${nextSeq()}`) { return this.tree.unit(this.unit, 'REGION', name); }
  county(name = `测试旗${nextSeq()}`) { return this.tree.unit(this.unit, 'COUNTY', name); }
  township(name = `测试镇${nextSeq()}`) { return this.tree.unit(this.unit, 'TOWNSHIP', name); }
  village(name = `测试村${nextSeq()}`, extra?: Parameters<TreeBuilder['unit']>[3]) { return this.tree.unit(this.unit, 'VILLAGE', name, extra); }
}

// Unique 12-digit codes per test process: 9 + pid-based prefix + sequence.
const prefix = String(process.pid % 1000).padStart(3, '0');
function codeFor(_level: Level, n: number): string {
  return `9${prefix}${String(n).padStart(8, '0')}`;
}
