import { describe, expect, it } from '@jest/globals';
import { toYaml } from './yaml.js';

describe('toYaml', () => {
  it('writes nested maps and lists in block style', () => {
    expect(toYaml({ Resources: { T: { Type: 'AWS::DynamoDB::Table', List: [{ A: 'x', B: 1 }, 'plain'], Empty: [], Flag: true } } })).toBe(
      'Resources:\n  T:\n    Type: AWS::DynamoDB::Table\n    List:\n      - A: x\n        B: 1\n      - plain\n    Empty: []\n    Flag: true\n',
    );
  });

  it('quotes every string a YAML parser would read as something else', () => {
    expect(toYaml({ a: 'N', b: 'yes', c: '2010-09-09', d: 'with space', e: "it's", f: '', g: 'prod-events.v2', h: '#x', i: 'a: b' })).toBe(
      "a: 'N'\nb: 'yes'\nc: '2010-09-09'\nd: 'with space'\ne: 'it''s'\nf: ''\ng: prod-events.v2\nh: '#x'\ni: 'a: b'\n",
    );
  });
});
