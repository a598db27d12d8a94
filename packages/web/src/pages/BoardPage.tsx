// /board/:code — a deep link per unit; "未找到" when the unit is missing or outside the caller's scope.
import { Board } from '../components/Board.js';

export function BoardPage({ code }: { code: string }) {
  // a new unit is a new board: its state and subscription start afresh
  return <Board key={code} code={code} />;
}
