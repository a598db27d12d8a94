import { describe, expect, test } from 'vitest';
import { applyDelta, everyFrame, noPending, queueChange, type Light } from '../src/components/liveBatch.js';

interface UnitLights {
  id: string;
  light: Light | null;
  lightCounts: { green: number; yellow: number; red: number };
}

// The board's live changes (docs/web.md, "The board"): many changes between two frames make one render,
// with the same counts as applying them one by one; what a hidden page keeps is bounded.

const unit = (id: string, green: number, yellow: number, red: number, light: Light | null = null): UnitLights =>
  ({ id, light, lightCounts: { green, yellow, red } });
const change = (n: number, villageId: string, from: Light, to: Light) => ({ eventId: `e${n}`, at: '2025-12-01T00:00:00Z', from, to, village: { id: villageId, code: villageId, name: villageId }, path: '' });

describe('live changes between two frames', () => {
  test('a burst of changes is applied once, at the next frame, with the counts of applying them one by one', () => {
    const frames: (() => void)[] = [];
    let runs = 0;
    const frame = everyFrame(() => void runs++, { request: (f) => frames.push(f), cancel: () => undefined });
    const p = noPending<ReturnType<typeof change>>();
    const moves: [string, string, Light, Light][] = [];
    for (let n = 0; n < 30; n++) {
      // villages v0..v4 under child A, v5..v9 under child B; green → yellow → red → green …
      const v = `v${n % 10}`;
      const lights: Light[] = ['GREEN', 'YELLOW', 'RED'];
      const from = lights[Math.floor(n / 10) % 3]!;
      const to = lights[(Math.floor(n / 10) + 1) % 3]!;
      const child = n % 10 < 5 ? 'A' : 'B';
      moves.push([v, child, from, to]);
      queueChange(p, change(n, v, from, to), 50, { unitId: 'U', child, apply: true });
      frame.request();
    }
    expect(frames.length).toBe(1); // one frame requested for the 30 changes
    frames[0]!();
    expect(runs).toBe(1);
    // the deltas give what 30 one-by-one moves give
    const one = (u: UnitLights, v: string, from: Light, to: Light) => {
      const c = { ...u.lightCounts };
      const k = (l: Light) => l.toLowerCase() as 'green';
      c[k(from)] -= 1;
      c[k(to)] += 1;
      return { ...u, lightCounts: c, light: u.id === v ? to : u.light };
    };
    let self = unit('U', 100, 0, 0);
    let a = unit('A', 50, 0, 0);
    let b = unit('B', 50, 0, 0);
    for (const [v, child, from, to] of moves) {
      self = one(self, v, from, to);
      if (child === 'A') a = one(a, v, from, to);
      else b = one(b, v, from, to);
    }
    expect(applyDelta(unit('U', 100, 0, 0), p.self!).lightCounts).toEqual(self.lightCounts);
    expect(applyDelta(unit('A', 50, 0, 0), p.children.get('A')!).lightCounts).toEqual(a.lightCounts);
    expect(applyDelta(unit('B', 50, 0, 0), p.children.get('B')!).lightCounts).toEqual(b.lightCounts);
    expect([...p.flash].sort()).toEqual(['A', 'B']);
    expect(p.feed.map((f) => f.eventId).slice(0, 2)).toEqual(['e29', 'e28']); // newest first
    // after the frame, the next change asks for a new one
    frame.request();
    expect(frames.length).toBe(2);
  });

  test("a village child takes its own last light; a hidden page's backlog stays bounded", () => {
    const p = noPending<ReturnType<typeof change>>();
    for (let n = 0; n < 10_000; n++) queueChange(p, change(n, `v${n % 3}`, n % 2 ? 'YELLOW' : 'GREEN', n % 2 ? 'GREEN' : 'YELLOW'), 50, { unitId: 'T', child: `v${n % 3}`, apply: true });
    expect(p.feed.length).toBe(50);
    expect(p.children.size).toBe(3);
    // v0's last change is n = 9999 (9999 % 3 === 0), odd: YELLOW → GREEN
    expect(applyDelta(unit('v0', 0, 1, 0, 'YELLOW'), p.children.get('v0')!).light).toBe('GREEN');
  });

  test('during a re-read a change is only announced: fed and highlighted, not counted', () => {
    const p = noPending<ReturnType<typeof change>>();
    queueChange(p, change(1, 'v1', 'GREEN', 'RED'), 50, { child: 'A' });
    expect(p.self).toBeUndefined();
    expect(p.children.size).toBe(0);
    expect([...p.flash]).toEqual(['A']);
    expect(p.feed.length).toBe(1);
  });
});
