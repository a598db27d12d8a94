// Shared helpers for the HTTP benchmarks: they run against a service started with `pnpm start`
// (demo data loaded) at BENCH_URL, default http://localhost:4000/graphql.
export const BENCH_URL = process.env.BENCH_URL ?? `http://localhost:${process.env.PORT ?? 4000}/graphql`;
export const DEMO_PASSWORD = 'jiceng-demo';

export async function gql(query, variables, token) {
  const res = await fetch(BENCH_URL, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const body = await res.json();
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return body.data;
}

export async function login(username, password = DEMO_PASSWORD) {
  const d = await gql(`mutation($u: String!, $p: String!) { login(username: $u, password: $p) { token } }`, { u: username, p: password });
  return d.login.token;
}

/** Runs fn `warmup` times unmeasured, then `n` times sequentially; returns latency percentiles in ms. */
export async function measure(name, fn, { n = 200, warmup = 20 } = {}) {
  for (let i = 0; i < warmup; i++) await fn(i);
  const times = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await fn(i);
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  const pct = (p) => times[Math.min(times.length - 1, Math.floor((p / 100) * times.length))];
  const r = { name, n, p50: +pct(50).toFixed(2), p95: +pct(95).toFixed(2), max: +times.at(-1).toFixed(2) };
  console.log(JSON.stringify(r));
  return r;
}
