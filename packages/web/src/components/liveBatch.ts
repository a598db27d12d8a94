// The board's live changes between two frames (components/Board.tsx): what they do to the counts of the
// shown unit and of each child, the newest feed items and the cards to highlight — applied in one render at
// the next animation frame, however many arrived. A hidden page gets no frames: it applies what it missed
// when shown again, and what it keeps meanwhile is bounded (a delta per child, the newest feed items).
import type { FeedItem } from './LiveFeed.js';
import type { Light, UnitLights } from './UnitCard.js';

/** What changes do to one unit: counts moved, and a village's last light. */
export interface Delta {
  green: number;
  yellow: number;
  red: number;
  light?: Light;
}

const key = (l: Light) => l.toLowerCase() as 'green' | 'yellow' | 'red';

/** `d` and one more change: village `villageId` went from `from` to `to` under (or as) unit `unitId`. */
export function addChange(d: Delta | undefined, villageId: string, unitId: string, from: Light, to: Light): Delta {
  const n = d ? { ...d } : { green: 0, yellow: 0, red: 0 };
  n[key(from)] -= 1;
  n[key(to)] += 1;
  if (unitId === villageId) n.light = to;
  return n;
}

/** A unit's lights after the changes of `d`. */
export function applyDelta(u: UnitLights, d: Delta): UnitLights {
  const c = u.lightCounts;
  return {
    ...u,
    lightCounts: { green: Math.max(0, c.green + d.green), yellow: Math.max(0, c.yellow + d.yellow), red: Math.max(0, c.red + d.red) },
    light: d.light ?? u.light,
  };
}

export interface Pending {
  self?: Delta;
  children: Map<string, Delta>;
  /** newest first */
  feed: FeedItem[];
  flash: Set<string>;
}
export const noPending = (): Pending => ({ children: new Map(), feed: [], flash: new Set() });

/**
 * One change into `p`: always a feed item (at most `feedMax` kept) and the highlight of its child; with
 * `apply`, its move in the counts of the shown unit (`unitId`) and of the child.
 */
export function queueChange(p: Pending, item: FeedItem & { village: { id: string } }, feedMax: number, at: { child?: string; unitId?: string; apply?: boolean }): void {
  p.feed.unshift(item);
  if (p.feed.length > feedMax) p.feed.length = feedMax;
  const { child, unitId } = at;
  if (at.apply && unitId) {
    p.self = addChange(p.self, item.village.id, unitId, item.from, item.to);
    if (child) p.children.set(child, addChange(p.children.get(child), item.village.id, child, item.from, item.to));
  }
  if (child) p.flash.add(child);
}

/** `run` once at the next frame however often `request` is called before it (requestAnimationFrame by default). */
export function everyFrame(
  run: () => void,
  frames: { request: (f: () => void) => number; cancel: (h: number) => void } = { request: (f) => requestAnimationFrame(f), cancel: (h) => cancelAnimationFrame(h) },
) {
  let handle: number | null = null;
  return {
    request(): void {
      handle ??= frames.request(() => {
        handle = null;
        run();
      });
    },
    cancel(): void {
      if (handle !== null) frames.cancel(handle);
      handle = null;
    },
  };
}
