import { describe, expect, it } from 'vitest';
import { levelOfCode, parentFits, parseCodeList } from '../src/import/code-list.js';
import { readCsv } from '../src/import/csv.js';

describe('the code list (统计用区划代码)', () => {
  it('derives level and implied parent from the 2-2-2-3-3 digits', () => {
    expect(levelOfCode('150000000000')).toMatchObject({ level: 'REGION', tier: 'PROVINCE', impliedParent: '000000000000', label: 'r15' });
    expect(levelOfCode('150400000000')).toMatchObject({ level: 'REGION', tier: 'PREFECTURE', impliedParent: '150000000000', label: 'r1504' });
    expect(levelOfCode('150429000000')).toMatchObject({ level: 'COUNTY', impliedParent: '150400000000', label: 'c150429' });
    expect(levelOfCode('150429100000')).toMatchObject({ level: 'TOWNSHIP', impliedParent: '150429000000', label: 't150429100' });
    expect(levelOfCode('150429100200')).toMatchObject({ level: 'VILLAGE', impliedParent: '150429100000', label: 'v150429100200' });
    // a township of a prefecture-level city without counties (东莞): its implied parent is the city
    expect(levelOfCode('441900003000')).toMatchObject({ level: 'TOWNSHIP', impliedParent: '441900000000' });
  });

  it('lets a region hold regions one step down only, and townships sit under counties or county-less cities', () => {
    const province = { level: 'REGION' as const, tier: 'PROVINCE' };
    const prefecture = { level: 'REGION' as const, tier: 'PREFECTURE' };
    expect(parentFits(prefecture, province)).toBe(true);
    expect(parentFits(prefecture, prefecture)).toBe(false);
    expect(parentFits({ level: 'COUNTY' }, province)).toBe(true); // 省直辖县
    expect(parentFits({ level: 'TOWNSHIP' }, prefecture)).toBe(true);
    expect(parentFits({ level: 'TOWNSHIP' }, province)).toBe(false);
    expect(parentFits({ level: 'VILLAGE' }, { level: 'COUNTY' })).toBe(false);
    expect(parentFits({ level: 'VILLAGE' }, { level: 'TOWNSHIP' })).toBe(true);
  });

  it('hangs provinces, and only provinces, under the country; nothing holds the country', () => {
    const country = { level: 'COUNTRY' as const };
    expect(parentFits({ level: 'REGION', tier: 'PROVINCE' }, country)).toBe(true);
    expect(parentFits({ level: 'REGION', tier: 'PREFECTURE' }, country)).toBe(false);
    expect(parentFits({ level: 'COUNTY' }, country)).toBe(false);
    expect(parentFits({ level: 'REGION', tier: 'PREFECTURE' }, { level: 'REGION', tier: 'PROVINCE' })).toBe(true);
    expect(parentFits({ level: 'COUNTRY' }, { level: 'REGION', tier: 'PROVINCE' })).toBe(false);
    // the country's code is no row of a code list
    expect(parseCodeList('code,name\n000000000000,中华人民共和国\n').problems[0]!.message).toMatch(/malformed code/);
  });

  it('reports every row problem with its line number', () => {
    const { problems } = parseCodeList(
      [
        'code,name,population,households,party_members,economy,urban,urban_rural_code',
        '150000000000,内蒙古自治区,,,,,,',
        '15000000000X,坏代码,,,,,,',
        '150400000000,赤峰市,,,,,,',
        '150400000000,重复,,,,,,',
        '150429100200,,12,,,,,',
        '150429100201,某村,-3,1.5,x,,,',
        '150429100202,某村,,,,FISHING,yes,',
        '150429100203,某村,,,,,,999',
        '150429100204,某\u0000村,,,,,,',
        '0000000000001,太长,,,,,,',
      ].join('\n'),
    );
    expect(problems).toEqual([
      { line: 3, code: '15000000000X', message: 'malformed code "15000000000X": expected 12 digits' },
      { line: 5, code: '150400000000', message: 'duplicate code 150400000000 (first on line 4)' },
      { line: 6, code: '150429100200', message: 'name must be 1 to 100 characters' },
      { line: 7, code: '150429100201', message: 'population must be a whole number, got "-3"' },
      { line: 7, code: '150429100201', message: 'households must be a whole number, got "1.5"' },
      { line: 7, code: '150429100201', message: 'party_members must be a whole number, got "x"' },
      { line: 8, code: '150429100202', message: 'economy must be FARMING or PASTORAL, got "FISHING"' },
      { line: 8, code: '150429100202', message: 'urban must be true or false, got "yes"' },
      { line: 9, code: '150429100203', message: expect.stringContaining('urban_rural_code must be one of') },
      { line: 10, code: '150429100204', message: 'name must not contain control characters' },
      { line: 11, code: '0000000000001', message: expect.stringContaining('malformed code') },
    ]);
  });

  it('counts lines as the file has them: quoted line breaks, blank lines, CRLF', () => {
    const { rows, problems } = parseCodeList('code,name\r\n\r\n150000000000,"内蒙古\n自治区"\r\n150400000000,"赤峰市, ""红山"""\r\nbad,x\r\n');
    expect(rows.map((r) => [r.line, r.name])).toEqual([[3, '内蒙古\n自治区'], [5, '赤峰市, "红山"']]);
    expect(problems).toEqual([
      { line: 3, code: '150000000000', message: 'name must not contain control characters' },
      { line: 6, code: 'bad', message: expect.stringContaining('malformed code') },
    ]);
  });

  it('reads BOM, CR-only line ends and a last line without a line end', () => {
    expect([...readCsv('\ufeffcode,name\r1,a\r2,b')]).toEqual([[1, ['code', 'name']], [2, ['1', 'a']], [3, ['2', 'b']]]);
    expect([...readCsv('a,"x""y",\n\n"q\r\nr",z')]).toEqual([[1, ['a', 'x"y', '']], [3, ['q\r\nr', 'z']]]);
  });

  it('marks urban communities and pastoral gachas by name unless the file says otherwise', () => {
    const { rows, problems } = parseCodeList(
      'code,name,urban_rural_code,economy\n150429100011,"沙坨子社区居委会",,\n152501100200,"宝力根嘎查",,\n150429100201,城中村,111,\n150429100202,某嘎查,,FARMING\n',
    );
    expect(problems).toEqual([]);
    expect(rows.map((r) => [r.urban, r.economy])).toEqual([[true, 'FARMING'], [false, 'PASTORAL'], [true, 'FARMING'], [false, 'FARMING']]);
  });

  it('refuses a file without the code and name columns, or with unknown columns', () => {
    expect(parseCodeList('id,title\n1,x').problems[0]).toEqual({ line: 1, message: 'the header must name the columns code and name' });
    expect(parseCodeList('code,name,colour\n150000000000,x').problems).toEqual([{ line: 1, message: 'unknown columns: colour' }]);
    expect(parseCodeList('').problems).toEqual([{ line: 1, message: 'the file is empty' }]);
  });

  it('tells which optional columns a file carries', () => {
    expect([...parseCodeList('code,name,population\n150000000000,x,').columns]).toEqual(['population']);
  });
});
