// The board's live changes between two frames (components/Board.tsx): what they do to the counts of the
// shown unit and of each child, the newest feed items and the cards to highlight — applied in one render at
// the next animation frame, however many arrived. A hidden page gets no frames: it applies what it missed
// when shown again, and what it keeps meanwhile is bounded (a delta per child, the newest feed items).
// Plain TypeScript without the DOM or JSX (its unit test runs in the root program): the shapes it needs
// are declared here, and the frames are given by the board.

export type Light = 'GREEN' | 'YELLOW' | 'RED';
/** A unit as the board shows it: its villages' counts, and a village's own light. */
interface Lights {
  light?: Light | null;
  lightCounts: { green: number; yellow: number; red: number };
}
/** A feed item: one change of one village. */
interface Change {
  eventId: string;
  from: Light;
  to: Light;
  village: { id: string };
}

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
export function applyDelta<U extends Lights>(u: U, d: Delta): U {
  const c = u.lightCounts;
  return {
    ...u,
    lightCounts: { green: Math.max(0, c.green + d.green), yellow: Math.max(0, c.yellow + d.yellow), red: Math.max(0, c.red + d.red) },
    light: d.light ?? u.light,
  };
}

export interface Pending<F extends Change> {
  self?: Delta;
  children: Map<string, Delta>;
  /** newest first */
  feed: F[];
  flash: Set<string>;
}
export const noPending = <F extends Change>(): Pending<F> => ({ children: new Map(), feed: [], flash: new Set() });

/**
 * One change into `p`: always a feed item (at most `feedMax` kept) and the highlight of its child; with
 * `apply`, its move in the counts of the shown unit (`unitId`) and of the child.
 */
export function queueChange<F extends Change>(p: Pending<F>, item: F, feedMax: number, at: { child?: string; unitId?: string; apply?: boolean }): void {
  p.feed.unshift(item);
  if (p.feed.length > feedMax) p.feed.length = feedMax;
  const { child, unitId } = at;
  if (at.apply && unitId) {
    p.self = addChange(p.self, item.village.id, unitId, item.from, item.to);
    if (child) p.children.set(child, addChange(p.children.get(child), item.village.id, child, item.from, item.to));
  }
  if (child) p.flash.add(child);
}

/** `run` once at the next frame (the board: requestAnimationFrame) however often `request` is called before it. */
export function everyFrame(run: () => void, frames: { request: (f: () => void) => number; cancel: (h: number) => void }) {
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
