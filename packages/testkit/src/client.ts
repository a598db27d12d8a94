import { expect } from 'vitest';

export interface GraphQLResult<T = any> {
  data?: T | null;
  errors?: { message: string; path?: (string | number)[]; extensions?: { code?: string; [k: string]: unknown } }[];
  status: number;
}

/** A small GraphQL-over-HTTP client for tests. */
export class GraphQLClient {
  constructor(readonly url: string, readonly token?: string) {}

  async request<T = any>(query: string, variables?: Record<string, unknown>): Promise<GraphQLResult<T>> {
    const res = await fetch(this.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(this.token ? { authorization: `Bearer ${this.token}` } : {}) },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await res.json()) as GraphQLResult<T>;
    return { ...body, status: res.status };
  }

  /** Expects success and returns data. */
  async ok<T = any>(query: string, variables?: Record<string, unknown>): Promise<T> {
    const r = await this.request<T>(query, variables);
    expect(r.errors, JSON.stringify(r.errors)).toBeUndefined();
    return r.data as T;
  }

  /** Expects a failure with this error code and returns the first error. */
  async fails(code: string, query: string, variables?: Record<string, unknown>) {
    const r = await this.request(query, variables);
    expect(r.errors?.map((e) => e.extensions?.code), JSON.stringify(r)).toContain(code);
    return r.errors!.find((e) => e.extensions?.code === code)!;
  }
}
