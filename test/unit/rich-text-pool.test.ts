import { afterAll, describe, expect, it } from 'vitest';
import { conversionPoolStats, convertBodies, stopConversionPool } from '../../src/answers/rich-text-pool.ts';
import { richBodyFromMarkdownOrHtml } from '../../src/answers/rich-text.ts';

describe('import body conversion on worker threads', () => {
  afterAll(() => stopConversionPool());

  it('gives exactly what inline conversion gives, in order, for a large batch', async () => {
    const sources = Array.from({ length: 150 }, (_, i) =>
      i % 3 === 0
        ? `## 第${i}条\n\n1. 登录**手机银行**\n2. 点击[帮助](https://example.com/${i})\n\n| 项目 | 费用 |\n|---|---|\n| 挂失 | ${i} 元 |`
        : i % 3 === 1
          ? `<p onclick="x()">HTML body ${i} <script>alert(1)</script><a href="javascript:evil()">bad</a></p>`
          : `Plain answer number ${i}.`,
    );
    const pooled = await convertBodies(sources);
    expect(pooled).toEqual(sources.map((s) => richBodyFromMarkdownOrHtml(s)));
    expect(conversionPoolStats()).toMatchObject({ disabled: false, convertedOnThreads: 150 });
    expect(pooled[1]!.html).not.toContain('script');
    expect(pooled[1]!.html).not.toContain('javascript:');
  }, 120_000);
});
