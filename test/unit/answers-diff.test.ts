import { describe, expect, it } from 'vitest';
import { diffText, mixedTokens } from '../../src/answers/diff.ts';

const joined = (ops: { op: string; text: string }[], op: string) => ops.filter((o) => o.op === op).map((o) => o.text);

describe('body diff', () => {
  it('diffs Chinese character by character', () => {
    const ops = diffText('挂失免收手续费，补卡工本费15元。', '挂失免收手续费，补卡工本费20元。');
    expect(joined(ops, 'delete')).toEqual(['15']);
    expect(joined(ops, 'insert')).toEqual(['20']);
    const ops2 = diffText('请拨打客服热线办理。', '请登录手机银行办理。');
    expect(joined(ops2, 'delete').join('')).toBe('拨打客服热线');
    expect(joined(ops2, 'insert').join('')).toBe('登录手机银行');
    // Reassembling either side gives the original text back.
    expect(ops2.filter((o) => o.op !== 'insert').map((o) => o.text).join('')).toBe('请拨打客服热线办理。');
    expect(ops2.filter((o) => o.op !== 'delete').map((o) => o.text).join('')).toBe('请登录手机银行办理。');
  });

  it('diffs English word by word, never inside a word', () => {
    const ops = diffText('Call the hotline to report a lost card.', 'Use the mobile app to report a stolen card.');
    expect(joined(ops, 'delete')).toEqual(['Call', 'hotline', 'lost']);
    expect(joined(ops, 'insert').map((t) => t.trim())).toEqual(['Use', 'mobile', 'app', 'stolen']);
    expect(ops.filter((o) => o.op !== 'delete').map((o) => o.text).join('')).toBe('Use the mobile app to report a stolen card.');
  });

  it('segments mixed Chinese and English text: Han characters one by one, Latin words whole', () => {
    expect(mixedTokens('打开App点击Settings')).toEqual(['打', '开', 'App', '点', '击', 'Settings']);
    const ops = diffText('在手机银行App中点击Settings', '在手机银行App中点击Security设置');
    expect(joined(ops, 'delete')).toEqual(['Settings']);
    expect(joined(ops, 'insert')).toEqual(['Security设置']);
  });

  it('handles empty and identical text', () => {
    expect(diffText('', '')).toEqual([]);
    expect(diffText('相同', '相同')).toEqual([{ op: 'equal', text: '相同' }]);
    expect(diffText('', 'new text')).toEqual([{ op: 'insert', text: 'new text' }]);
  });
});
