import { describe, expect, it } from 'vitest';
import { levelOfCode, parseCodeList } from '../src/import/code-list.js';

describe('the code list (统计用区划代码)', () => {
  it('derives level and implied parent from the 2-2-2-3-3 digits', () => {
    expect(levelOfCode('150000000000')).toMatchObject({ level: 'REGION', tier: 'PROVINCE', impliedParent: null, label: 'r15' });
    expect(levelOfCode('150400000000')).toMatchObject({ level: 'REGION', tier: 'PREFECTURE', impliedParent: '150000000000' });
    expect(levelOfCode('150429000000')).toMatchObject({ level: 'COUNTY', impliedParent: '150400000000', label: 'c150429' });
    expect(levelOfCode('150429100000')).toMatchObject({ level: 'TOWNSHIP', impliedParent: '150429000000' });
    expect(levelOfCode('150429100200')).toMatchObject({ level: 'VILLAGE', impliedParent: '150429100000', label: 'v150429100200' });
  });

  it('reports every row problem with its line number', () => {
    const { problems } = parseCodeList(
      ['code,name,population', '150000000000,内蒙古自治区,', '15000000000X,坏代码,', '150400000000,赤峰市,', '150400000000,重复,', '150429100200,,12', '150429100201,某村,-3'].join('\n'),
    );
    expect(problems).toEqual([
      { line: 3, code: '15000000000X', message: expect.stringContaining('malformed code') },
      { line: 5, code: '150400000000', message: expect.stringContaining('duplicate code 150400000000 (first on line 4)') },
      { line: 6, code: '150429100200', message: expect.stringContaining('name') },
      { line: 7, code: '150429100201', message: expect.stringContaining('population') },
    ]);
  });

  it('reads quoted fields and marks urban communities and pastoral gachas', () => {
    const { rows, problems } = parseCodeList('code,name\n150429100011,"沙坨子社区居委会"\r\n152501100200,"宝力根嘎查"\n');
    expect(problems).toEqual([]);
    expect(rows.map((r) => [r.urban, r.economy])).toEqual([[true, 'FARMING'], [false, 'PASTORAL']]);
  });

  it('refuses a file without the code and name columns', () => {
    expect(parseCodeList('id,title\n1,x').problems[0]!.message).toContain('code and name');
  });
});
