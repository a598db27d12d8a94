import { Field, Int, ObjectType, type ClassType } from 'type-graphql';
import type { Page } from '../pagination.js';

@ObjectType()
export class PageInfo {
  @Field(() => Boolean) hasNextPage!: boolean;
  @Field(() => String, { nullable: true }) endCursor!: string | null;
}

export interface ConnectionShape<T> {
  edges: { cursor: string; node: T }[];
  pageInfo: PageInfo;
  /** a number, or (a getter, see toConnection) a promise counted only when the field is selected */
  totalCount?: number | Promise<number> | null;
}

/** A Relay connection type for a node type: `<Name>Connection` with `<Name>Edge`. */
export function Connection<T extends object>(node: ClassType<T>, name: string) {
  @ObjectType(`${name}Edge`)
  class Edge {
    @Field(() => String) cursor!: string;
    @Field(() => node) node!: T;
  }
  @ObjectType(`${name}Connection`)
  class Conn {
    @Field(() => [Edge]) edges!: Edge[];
    @Field(() => PageInfo) pageInfo!: PageInfo;
    @Field(() => Int, { nullable: true, description: 'all matching items, where cheap to count' }) totalCount?: number | null;
  }
  return Conn as ClassType<ConnectionShape<T>>;
}

/** An edge whose cursor is encoded only when read (selected): most lists never ask for it. */
class Edge<R, T> {
  constructor(
    private readonly page: Page<R>,
    private readonly row: R,
    readonly node: T,
  ) {}
  get cursor(): string {
    return this.page.cursorOf(this.row);
  }
}

export function toConnection<R, T = R>(page: Page<R>, map: (r: R) => T = (r) => r as unknown as T): ConnectionShape<T> {
  const edges = page.nodes.map((n) => new Edge(page, n, map(n)));
  const last = page.nodes.at(-1);
  const conn: ConnectionShape<T> = { edges, pageInfo: { hasNextPage: page.hasNextPage, endCursor: last === undefined ? null : page.cursorOf(last) } };
  const total = page.totalCount;
  // a counting function runs only when the field is read (selected)
  if (typeof total === 'function') Object.defineProperty(conn, 'totalCount', { get: () => total(), enumerable: false });
  else conn.totalCount = total ?? null;
  return conn;
}
