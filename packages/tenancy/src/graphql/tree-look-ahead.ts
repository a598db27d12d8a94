import { Kind, type FieldNode, type GraphQLResolveInfo, type SelectionSetNode, type ValueNode } from 'graphql';
import type { AdminUnitRow } from '../entities/admin-unit.entity.js';
import { MAX_PAGE } from '../pagination.js';

// Look-ahead for `adminUnit { children { edges { node { children … } } } }`: the page sizes of the
// `children` levels a request asks for under a unit, so the unit and all those levels are read in one
// statement (unitTree), as PostGraphile compiles a whole query into one. The rows handed down are the
// same rows the batched path (childrenLoader, one statement per level) would give: every other field of
// AdminUnit resolves on them as before. A level is planned only when it is plain: every `children` at
// that level has the same `first` and no `after`, and no directive (@skip, @include) sits on the way;
// anything else stops the plan there and the levels below load batched, as before.

/** The deepest tree read in one statement. */
export const MAX_LOOK_AHEAD_LEVELS = 4;

/** The children pages read ahead for a unit, by page size (the rows: up to size + 1, by code). */
const readAhead = new WeakMap<AdminUnitRow, Map<number, AdminUnitRow[]>>();

/** The children of `u` read ahead with this page size, if any (the batched path is used otherwise). */
export const childrenReadAhead = (u: AdminUnitRow, size: number): AdminUnitRow[] | undefined => readAhead.get(u)?.get(size);

/** Hands the rows of one statement (each level's rows by code) to their parents, for `children`. */
export function attachReadAhead(root: AdminUnitRow, levels: readonly number[], rowsByDepth: readonly AdminUnitRow[][]): void {
  let parents = [root];
  for (const [d, size] of levels.entries()) {
    const byParent = new Map<string, AdminUnitRow[]>(parents.map((p) => [p.id, []]));
    for (const r of rowsByDepth[d + 1] ?? []) byParent.get(r.parentId!)?.push(r);
    for (const p of parents) {
      const pages = readAhead.get(p) ?? new Map<number, AdminUnitRow[]>();
      pages.set(size, byParent.get(p.id)!);
      readAhead.set(p, pages);
    }
    // only the page's rows are parents below (the extra row only tells that there is a next page)
    parents = parents.flatMap((p) => byParent.get(p.id)!.slice(0, size));
  }
}

/**
 * Fields of AdminUnit that need only a unit's id, code, name, level and parent id (`children` pages by id,
 * its cursors are codes): a planned level whose units ask for nothing else is read with those columns
 * alone (selectUnitTree's `lean`), so the rows that make up most of a tree cost a third of the values to
 * parse. Any other field (its own, or one another module adds) reads the whole row.
 */
const LEAN_FIELDS = new Set(['__typename', 'id', 'code', 'name', 'level', 'children']);

/**
 * A row read without its other columns (leanLevels): never handed to a cache other fields read (primeUnits).
 * Such a row has no path (a unit always has one); a WeakSet of them cost 2 % of a county request's CPU.
 */
export const isPartialRow = (u: AdminUnitRow): boolean => u.path == null;

/**
 * For each of the first `depth` levels of `children` under the field being resolved: whether every unit
 * there asks only for LEAN_FIELDS (every selection of the level's nodes, through fragments, directives or
 * not: a conditional field still counts). A level below a non-plain one is not lean.
 */
export function leanLevels(info: GraphQLResolveInfo, depth: number): boolean[] {
  const lean: boolean[] = [];
  let units: readonly FieldNode[] = info.fieldNodes;
  for (let d = 0; d < depth; d++) {
    const children = fieldsNamed(info, units, 'children');
    const edges = children && fieldsNamed(info, children, 'edges');
    const nodes = edges && fieldsNamed(info, edges, 'node');
    if (!nodes?.length) break;
    lean.push(nodes.every((n) => onlyFields(info, n.selectionSet, LEAN_FIELDS)));
    units = nodes;
  }
  while (lean.length < depth) lean.push(false);
  return lean;
}

/** Whether a selection set (through its fragments) selects no field outside `allowed`. */
function onlyFields(info: GraphQLResolveInfo, set: SelectionSetNode | undefined, allowed: ReadonlySet<string>): boolean {
  for (const s of set?.selections ?? []) {
    if (s.kind === Kind.FIELD) {
      if (!allowed.has(s.name.value)) return false;
    } else if (s.kind === Kind.INLINE_FRAGMENT) {
      if (!onlyFields(info, s.selectionSet, allowed)) return false;
    } else {
      const f = info.fragments[s.name.value];
      if (!f || !onlyFields(info, f.selectionSet, allowed)) return false;
    }
  }
  return true;
}

/** The page sizes of the plain `children` levels under the field being resolved (an AdminUnit), top first. */
export function childrenLevels(info: GraphQLResolveInfo, defaultSize = 100): number[] {
  const levels: number[] = [];
  let units: readonly FieldNode[] = info.fieldNodes;
  while (levels.length < MAX_LOOK_AHEAD_LEVELS) {
    const children = fieldsNamed(info, units, 'children');
    if (!children?.length) break;
    let size: number | null = null;
    for (const c of children) {
      const args = argumentsOf(info, c);
      if (!args || args.after != null) return levels;
      const first = args.first ?? defaultSize;
      if (!Number.isInteger(first) || (first as number) < 0 || (first as number) > MAX_PAGE) return levels;
      if (size !== null && size !== first) return levels;
      size = first as number;
    }
    levels.push(size!);
    const edges = fieldsNamed(info, children, 'edges');
    const nodes = edges ? fieldsNamed(info, edges, 'node') : null;
    if (!nodes) break;
    units = nodes;
  }
  return levels;
}

/**
 * The fields of that name in the selection sets of these fields (through fragments), or null when a
 * directive makes the selection conditional (the plan stops: the batched path handles it).
 */
function fieldsNamed(info: GraphQLResolveInfo, parents: readonly FieldNode[], name: string): FieldNode[] | null {
  const out: FieldNode[] = [];
  const walk = (set: SelectionSetNode | undefined): boolean => {
    for (const s of set?.selections ?? []) {
      if (s.directives?.length) return false;
      if (s.kind === Kind.FIELD) {
        if (s.name.value === name) out.push(s);
      } else if (s.kind === Kind.INLINE_FRAGMENT) {
        if (!walk(s.selectionSet)) return false;
      } else {
        const f = info.fragments[s.name.value];
        if (!f || f.directives?.length || !walk(f.selectionSet)) return false;
      }
    }
    return true;
  };
  for (const p of parents) if (!walk(p.selectionSet)) return null;
  return out;
}

/** `first` and `after` of a `children` field, or null for anything but literals, variables and null. */
function argumentsOf(info: GraphQLResolveInfo, field: FieldNode): { first?: unknown; after?: unknown } | null {
  const out: Record<string, unknown> = {};
  for (const a of field.arguments ?? []) {
    const v = literalOf(info, a.value);
    if (v === undefined && a.value.kind !== Kind.VARIABLE) return null;
    if (a.name.value !== 'first' && a.name.value !== 'after') return null;
    out[a.name.value] = v;
  }
  return out;
}

function literalOf(info: GraphQLResolveInfo, v: ValueNode): unknown {
  switch (v.kind) {
    case Kind.INT:
      return Number(v.value);
    case Kind.NULL:
      return null;
    case Kind.STRING:
      return v.value;
    case Kind.VARIABLE:
      return info.variableValues[v.name.value] ?? undefined;
    default:
      return undefined;
  }
}
