/**
 * Words that carry no meaning for finding an answer, per language. Kept short on purpose: BM25's
 * idf already discounts common words, and a long list drops words that decide between answers
 * (e.g. "not", "without", 不, 没 are kept because "card not working" and "card working" differ).
 */
const english = `a an the and or but if then so of to in on at by for with from as into onto about
i me my mine we us our you your yours he him his she her it its they them their this that these those
is am are was were be been being do does did doing have has had having will would shall should can could
may might must there here what which who whom whose please hi hello hey thanks thank just also very really
some any all each much many more most such own same too than again further once`;

const chinese = `的 了 吗 呢 吧 啊 呀 哦 嘛 么 是 我 你 您 他 她 它 我们 你们 他们 这 那 这个 那个 一下 一个 请 请问
和 与 及 或 就 都 也 还 在 把 被 让 给 对 从 到 又 很 些 得 地 着 过 么 啥 哈 嗯 想 要 需要 可以 能 能否 怎么 怎样 如何
怎么办 什么 为什么 哪里 哪儿 多少 几 是否 有没有 一些 那么 这么 呃 啦 喔`;

const STOP = new Set([...english.split(/\s+/), ...chinese.split(/\s+/)].filter(Boolean));

export function isStopWord(term: string): boolean {
  return STOP.has(term);
}
