import { expect } from 'vitest';
import type { TestServer } from '../helpers/server.ts';
import { approveImportBatch } from '../helpers/staff.ts';

/** A small Chinese bank FAQ written for these tests (the product's main language). */
export const fixtureAnswers = [
  {
    externalId: 't-cc-lost',
    title: '信用卡丢了怎么挂失？',
    similarQuestions: ['卡丢了怎么办', '信用卡被偷了怎么处理'],
    body: '信用卡遗失或被盗后，请立即通过**手机银行**或客服热线 400-820-8888 办理挂失，挂失免费。',
    botText: '请在手机银行「卡片管理」中挂失，或拨打400-820-8888。',
    category: '信用卡/挂失与补卡',
    tags: ['挂失', '信用卡'],
    channels: ['bot', 'agent', 'web'],
  },
  {
    externalId: 't-pwd-reset',
    title: '忘记登录密码怎么办',
    similarQuestions: ['密码忘了', '怎么重置登录密码'],
    body: '在登录页点击“忘记密码”，通过预留手机号验证后即可重置。',
    category: '手机银行/安全',
    tags: ['密码'],
    channels: ['agent', 'web'],
  },
  {
    externalId: 't-transfer-limit',
    title: '手机银行转账限额是多少',
    similarQuestions: ['转账额度是多少', '一天最多能转多少钱'],
    body: '手机银行单笔转账限额5万元，日累计20万元，可在柜台调整。',
    category: '转账汇款',
    tags: ['转账', '限额'],
    channels: ['bot', 'agent', 'web'],
  },
  {
    externalId: 't-annual-fee',
    title: '信用卡年费怎么收',
    similarQuestions: ['信用卡要交年费吗'],
    body: '普卡首年免年费，当年刷卡满6次免次年年费。',
    category: '信用卡/年费',
    tags: ['年费', '信用卡'],
    channels: ['bot', 'agent', 'web'],
  },
  {
    externalId: 't-wealth',
    title: '理财产品怎么赎回',
    similarQuestions: ['理财产品赎回多久到账'],
    body: '开放期内可在手机银行赎回理财产品，T+1日到账。',
    category: '理财',
    tags: ['理财'],
    channels: ['bot', 'agent', 'web'],
  },
];

/** Imports the fixtures through the public import route (published), returning externalId -> answerId. */
export async function importFixtures(zhida: TestServer): Promise<Record<string, string>> {
  const res = await zhida.api('/api/v1/import?publish=true', {
    method: 'POST',
    headers: { 'content-type': 'application/x-ndjson' },
    body: fixtureAnswers.map((a) => JSON.stringify(a)).join('\n'),
  });
  expect(res.status).toBe(200);
  const body = await res.json();
  expect(body.errors).toEqual([]);
  // publish=true stages an import batch: a second reviewer publishes it.
  await approveImportBatch(zhida, body.batchId);
  const ids: Record<string, string> = {};
  for (const a of fixtureAnswers) {
    const found = await (await zhida.api('/api/v1/search', { method: 'POST', json: { query: a.title, limit: 1 } })).json();
    expect(found.results[0]?.externalId).toBe(a.externalId);
    ids[a.externalId] = found.results[0].answerId;
  }
  return ids;
}

export const search = async (zhida: TestServer, json: unknown, token?: string) => {
  const res = await zhida.api('/api/v1/search', { method: 'POST', json, token });
  return { status: res.status, headers: res.headers, body: await res.json() };
};
