// A tiny query hook: runs when its variables change, aborts the request it replaces.
import { useCallback, useEffect, useRef, useState } from 'react';
import type { TadaDocumentNode } from 'gql.tada';
import { ApiError, request } from '../graphql/client.js';

export interface QueryState<R> {
  data: R | undefined;
  error: ApiError | undefined;
  loading: boolean;
  /** runs the query again (keeps the data shown meanwhile) */
  refetch(): Promise<void>;
}

export function useQuery<R, V>(doc: TadaDocumentNode<R, V>, variables: V): QueryState<R> {
  const key = JSON.stringify(variables);
  const [state, setState] = useState<{ data?: R; error?: ApiError; loading: boolean; key?: string }>({ loading: true });
  const current = useRef<AbortController | null>(null);
  const run = useCallback(async () => {
    current.current?.abort();
    const ac = new AbortController();
    current.current = ac;
    setState((s) => ({ ...s, loading: true }));
    try {
      const data = await request(doc, JSON.parse(key) as V, ac.signal);
      if (!ac.signal.aborted) setState({ data, loading: false, key });
    } catch (e) {
      if (!ac.signal.aborted) setState({ error: e instanceof ApiError ? e : new ApiError(String(e), 'NETWORK'), loading: false, key });
    }
  }, [doc, key]);
  useEffect(() => {
    void run();
    return () => current.current?.abort();
  }, [run]);
  // data of other variables is not shown as this query's
  const fresh = state.key === key;
  return { data: fresh ? state.data : undefined, error: fresh ? state.error : undefined, loading: state.loading || !fresh, refetch: run };
}
