// The API client: queries and mutations by plain fetch to /graphql, subscriptions over graphql-ws on the
// same path. The token is never seen by this code: it lives in an HttpOnly session cookie (POST /session)
// that the browser sends with both (docs/web.md, "Security").
import type { TadaDocumentNode } from 'gql.tada';
import { print } from '@0no-co/graphql.web';
import { createClient, type Client } from 'graphql-ws';

/** An error as the API sent it: code and, for BAD_USER_INPUT, the field it concerns. */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly field?: string,
    readonly extensions: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

interface GraphQLResponse<T> {
  data?: T | null;
  errors?: { message: string; extensions?: { code?: string; field?: string } & Record<string, unknown> }[];
}

/** Called when the API answers UNAUTHENTICATED (the session ended): the app goes back to the login. */
let onUnauthenticated: () => void = () => undefined;
export const setOnUnauthenticated = (f: () => void) => {
  onUnauthenticated = f;
};

const texts = new WeakMap<object, string>();
const textOf = (doc: object) => {
  let t = texts.get(doc);
  if (!t) {
    t = print(doc as any);
    texts.set(doc, t);
  }
  return t;
};

/** Runs a query or mutation; the first error is thrown as an ApiError. */
export async function request<R, V>(doc: TadaDocumentNode<R, V>, variables?: V, signal?: AbortSignal): Promise<R> {
  const res = await fetch('/graphql', {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({ query: textOf(doc), variables: variables ?? {} }),
    signal,
  });
  let body: GraphQLResponse<R>;
  try {
    body = (await res.json()) as GraphQLResponse<R>;
  } catch {
    throw new ApiError(`服务器错误 (${res.status})`, 'INTERNAL_SERVER_ERROR');
  }
  const e = body.errors?.[0];
  if (e) {
    const code = e.extensions?.code ?? 'INTERNAL_SERVER_ERROR';
    if (code === 'UNAUTHENTICATED') onUnauthenticated();
    throw new ApiError(e.message, code, e.extensions?.field, e.extensions ?? {});
  }
  return body.data as R;
}

let ws: Client | undefined;
let connected = false;
const liveListeners = new Set<() => void>();

/**
 * Calls `listener` whenever the socket is (re)connected — at once when it already is. Changes committed
 * while it was down are not replayed (docs/api-guide.md): a screen re-reads what it shows then.
 */
export function onLive(listener: () => void): () => void {
  liveListeners.add(listener);
  if (connected) queueMicrotask(() => liveListeners.has(listener) && listener());
  return () => {
    liveListeners.delete(listener);
  };
}

/** The one graphql-ws connection of the page (opened lazily; the session cookie authenticates it). */
function wsClient(): Client {
  ws ??= createClient({
    url: `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}/graphql`,
    lazy: true,
    retryAttempts: 20,
    // 4401: the session is gone; 4403: the account lost its access — both end at the login
    shouldRetry: (e) => !(e && typeof e === 'object' && 'code' in e && ((e as CloseEvent).code === 4401 || (e as CloseEvent).code === 4403)),
    on: {
      connected: () => {
        connected = true;
        for (const l of [...liveListeners]) l();
      },
      closed: (e) => {
        connected = false;
        const code = (e as CloseEvent | undefined)?.code;
        if (code === 4401 || code === 4403) onUnauthenticated();
      },
    },
  });
  return ws;
}

/** Subscribes; returns the unsubscribe function. */
export function subscribe<R, V>(doc: TadaDocumentNode<R, V>, variables: V, onData: (data: R) => void, onError?: (e: unknown) => void): () => void {
  return wsClient().subscribe<R>(
    { query: textOf(doc), variables: variables as Record<string, unknown> },
    {
      next: (r) => {
        if (r.data) onData(r.data as R);
      },
      error: (e) => onError?.(e),
      complete: () => undefined,
    },
  );
}

/** Closes the WebSocket (at logout: the next subscription opens a new one with the new cookie). */
export function closeLive(): void {
  void ws?.dispose();
  ws = undefined;
  connected = false;
}
