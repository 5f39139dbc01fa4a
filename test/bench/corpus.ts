/**
 * Deterministic benchmark corpora: N answers shaped like a bank's knowledge base, and the queries
 * customers send. Titles and similar questions come from real data (the 81 Chinese demo answers,
 * BANKING77 and CLINC150 intents with their real training utterances); bodies are plausible FAQ
 * text composed from sentence patterns (steps, limits, fees, hours, conditions) filled with the
 * answer's own topic and varied numbers, 150-2,500 characters, a few long terms pages. Queries are
 * the datasets' real test utterances (including out-of-scope ones) plus Chinese demo questions.
 * Same N, same corpus, every run (mulberry32 seeded by N).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { ImportRecord } from '../../src/answers/import.ts';
import { demoAnswers } from '../../src/demo/answers.ts';
import { loadDataset } from '../eval/dataset.ts';

export function rng(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Template {
  title: string;
  similarQuestions: string[];
  body: string;
  category: string;
  zh: boolean;
}

export function findDatasets(explicit?: string): string | undefined {
  return [explicit, path.resolve('../shared/datasets'), '/work/shared/datasets'].find((d): d is string => !!d && existsSync(d));
}

const DATASETS = ['banking77', 'clinc150-bank'];

function templates(datasetRoot?: string): Template[] {
  const out: Template[] = demoAnswers.map((a) => ({ title: a.title, similarQuestions: a.similarQuestions, body: a.body, category: a.category, zh: true }));
  for (const name of DATASETS) {
    const dir = datasetRoot && path.join(datasetRoot, name);
    if (!dir || !existsSync(dir)) continue;
    for (const a of loadDataset(dir).answers as unknown as Template[]) {
      out.push({ title: a.title, similarQuestions: a.similarQuestions, body: a.body ?? '', category: `${name}/${a.category ?? 'general'}`, zh: false });
    }
  }
  return out;
}

const ZH_PRODUCTS = ['借记卡', '信用卡', '白金信用卡', '储蓄账户', '个人网银', '手机银行', '企业账户', '外币账户', '理财账户', '社保卡', '联名卡', '公务卡'];
const EN_PRODUCTS = ['debit card', 'credit card', 'premium account', 'savings account', 'business account', 'virtual card', 'joint account', 'student account', 'travel card', 'mortgage account'];
const ZH_MENU = ['我的', '卡片管理', '账户服务', '转账汇款', '安全中心', '设置', '贷款', '信用卡', '投资理财'];
const EN_MENU = ['Cards', 'Accounts', 'Payments', 'Security', 'Settings', 'Help', 'Profile', 'Statements'];
const ZH_CHANNELS = ['手机银行', '网上银行', '营业网点柜台', '自助终端', '客服热线', '微信银行'];
const EN_CHANNELS = ['the mobile app', 'online banking', 'any branch', 'the ATM', 'our phone line', 'web chat'];
const TAGS = ['热门', '费用', '安全', '新规', '限额', '境外', '线上办理', '老年客户', 'fees', 'security', 'limits', 'travel'];

const ZH_SENTENCES = [
  '您可以通过{channel}办理{topic}，办理时请携带本人有效身份证件。',
  '{topic}一般在{n}个工作日内完成，遇法定节假日顺延。',
  '如需办理{topic}，请登录手机银行，依次点击“{menu}”—“{menu2}”，按页面提示操作即可。',
  '{product}单笔限额为{amount}元，单日累计限额为{amount2}元，如需调整请前往营业网点。',
  '{topic}本身不收取手续费；通过他行渠道办理的，按每笔{fee}元收取。',
  '温馨提示：请勿向任何人透露短信验证码，本行工作人员不会以任何理由索要您的密码。',
  '营业网点的对公服务时间为工作日9:00-17:00，个人业务部分网点周末正常营业，具体以网点公告为准。',
  '若办理失败，请核对{field}是否填写正确，或致电客服热线400-820-8888转人工服务。',
  '{product}持卡人在境外使用时，交易将按当日汇率折算为人民币入账，并收取{pct}%的货币转换费。',
  '根据监管要求，{topic}需要完成实名认证，未成年人须由监护人陪同办理。',
  '办理成功后，系统将在{n}分钟内发送短信通知，请留意查收。',
  '如对处理结果有异议，可在{n}日内通过{channel}提出申诉，我们将在15个工作日内答复。',
  '{product}的年费为{fee}元，当年刷卡满{n}次可免次年年费。',
  '如您的{product}处于冻结、挂失或销户状态，将无法办理{topic}，请先解除相关状态。',
  '本业务适用于{product}客户，其他账户类型请咨询客户经理。',
  '我们建议您定期修改登录密码，并开启交易提醒，以便及时发现异常交易。',
];
const EN_SENTENCES = [
  'You can sort out {topic} through {channel}; please have your ID and {product} details ready.',
  'This usually takes {n} working days; weekends and bank holidays are not counted.',
  'In the mobile app, go to {menu} > {menu2} and follow the steps on screen.',
  'The limit for a single payment from a {product} is {amount}, and {amount2} per day in total.',
  'There is no fee for {topic}; if you use another bank\'s ATM, a fee of {fee} per transaction may apply.',
  'For your security, never share your one-time passcode. We will never ask for your PIN or password.',
  'Our branches are open Monday to Friday, 9am to 5pm, and some open on Saturday mornings.',
  'If it does not work, check that your {field} is correct, or call us and ask for an agent.',
  'Payments made abroad with your {product} are converted at the daily rate plus a {pct}% currency conversion fee.',
  'By law we must verify your identity first; customers under 18 need a parent or guardian with them.',
  'You will get a text message within {n} minutes once it is done.',
  'If you disagree with the outcome, you can raise a complaint within {n} days and we will reply within 15 working days.',
  'The annual fee for the {product} is {fee}, waived if you use the card {n} times in the year.',
  'If your {product} is frozen, reported lost or closed, {topic} is not available until that is resolved.',
  'This applies to {product} customers; for other account types please ask your relationship manager.',
  'We recommend changing your password regularly and turning on transaction alerts.',
];
const ZH_FIELDS = ['收款人姓名', '账号', '开户行', '手机号码', '证件号码', '验证码'];
const EN_FIELDS = ['payee name', 'account number', 'sort code', 'phone number', 'date of birth', 'passcode'];
const LONG_ZH = '本章程所称持卡人，是指经本行审核同意并领用本行卡片的个人。持卡人应当妥善保管卡片及密码，因持卡人保管不善造成的损失由持卡人承担。本行有权根据国家法律法规及监管要求调整相关服务内容及收费标准，并提前公告。';
const LONG_EN = 'These terms apply to every cardholder. You must keep your card and security details safe; losses caused by failing to do so are your responsibility. We may change these services and their fees as the law and our regulators require, with notice published in advance. ';

function fill(pattern: string, rand: () => number, topic: string, zh: boolean): string {
  const pick = <T>(xs: T[]) => xs[Math.floor(rand() * xs.length)]!;
  const amount = () => (zh ? `${pick([5, 10, 20, 50, 100])}000` : `£${pick([500, 1000, 2500, 5000, 10000])}`);
  return pattern
    .replaceAll('{topic}', topic)
    .replaceAll('{channel}', pick(zh ? ZH_CHANNELS : EN_CHANNELS))
    .replaceAll('{menu}', pick(zh ? ZH_MENU : EN_MENU))
    .replaceAll('{menu2}', pick(zh ? ZH_MENU : EN_MENU))
    .replaceAll('{product}', pick(zh ? ZH_PRODUCTS : EN_PRODUCTS))
    .replaceAll('{amount}', amount())
    .replaceAll('{amount2}', amount())
    .replaceAll('{fee}', zh ? String(pick([2, 5, 10, 50, 200, 600])) : `£${pick([1, 2, 3, 5, 25, 95])}`)
    .replaceAll('{pct}', String(pick([1, 1.5, 2, 2.75])))
    .replaceAll('{n}', String(1 + Math.floor(rand() * 30)))
    .replaceAll('{field}', pick(zh ? ZH_FIELDS : EN_FIELDS));
}

function body(t: Template, rand: () => number): string {
  const topic = t.zh ? t.title.replace(/[？?。]$/, '') : t.title.toLowerCase();
  const sentences = t.zh ? ZH_SENTENCES : EN_SENTENCES;
  const paragraphs: string[] = [];
  if (t.body.trim()) paragraphs.push(t.body.trim());
  const count = 2 + Math.floor(rand() * 4);
  for (let p = 0; p < count; p++) {
    const n = 1 + Math.floor(rand() * 3);
    paragraphs.push(Array.from({ length: n }, () => fill(sentences[Math.floor(rand() * sentences.length)]!, rand, topic, t.zh)).join(t.zh ? '' : ' '));
  }
  // About 3% are long terms-and-conditions pages.
  if (rand() < 0.03) paragraphs.push((t.zh ? LONG_ZH : LONG_EN).repeat(5 + Math.floor(rand() * 10)));
  return paragraphs.join('\n\n');
}

/** N answers in the import format, deterministic for a given N. */
export function generateCorpus(n: number, datasetRoot?: string): ImportRecord[] {
  const t = templates(datasetRoot);
  const pool = t.flatMap((x) => x.similarQuestions);
  const rand = rng(n);
  return Array.from({ length: n }, (_, i) => {
    const base = t[i % t.length]!;
    const round = Math.floor(i / t.length);
    const product = base.zh ? ZH_PRODUCTS[round % ZH_PRODUCTS.length]! : EN_PRODUCTS[round % EN_PRODUCTS.length]!;
    const own = base.similarQuestions.filter(() => rand() < 0.6);
    const borrowed = Array.from({ length: 1 + Math.floor(rand() * 2) }, () => pool[Math.floor(rand() * pool.length)]!);
    const tags = TAGS.filter(() => rand() < 0.08);
    return {
      externalId: `bench-${i}`,
      title: round === 0 ? base.title : base.zh ? `${base.title.replace(/[？?]$/, '')}（${product}）` : `${base.title} (${product}${round >= EN_PRODUCTS.length ? ` ${Math.floor(round / EN_PRODUCTS.length)}` : ''})`,
      similarQuestions: [...new Set([...own, ...borrowed])],
      body: body(base, rand),
      category: `${base.category}/${product}`,
      tags,
      channels: rand() < 0.1 ? ['agent'] : ['bot', 'agent', 'web'],
    };
  });
}

/** `count` customer queries: real dataset test utterances (in scope and out of scope) and Chinese demo questions. */
export function benchQueries(count: number, datasetRoot?: string): string[] {
  const qs: string[] = [];
  for (const name of DATASETS) {
    const dir = datasetRoot && path.join(datasetRoot, name);
    if (dir && existsSync(dir)) qs.push(...loadDataset(dir).queries.map((q) => q.query));
  }
  const zh = demoAnswers.flatMap((a) => [a.title, ...a.similarQuestions]);
  // Roughly a third Chinese, whatever the datasets hold.
  while (qs.length < zh.length * 3 && zh.length) qs.push(...zh);
  qs.push(...zh, ...zh);
  const rand = rng(7);
  return Array.from({ length: count }, () => qs[Math.floor(rand() * qs.length)]!);
}
