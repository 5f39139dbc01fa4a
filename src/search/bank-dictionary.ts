/**
 * Bank-domain words jieba's general dictionary splits or misses, loaded as a user dictionary so a
 * query and an answer segment these the same way (a whole word matches better than its pieces).
 * Format per jieba: word, frequency, part of speech.
 */
export const bankWords: string[] = [
  '挂失', '解挂', '补卡', '换卡', '销卡', '销户', '开户', '激活', '冻结', '解冻', '吞卡',
  '借记卡', '储蓄卡', '信用卡', '银行卡', '副卡', '主卡', '虚拟卡', '社保卡', 'ic卡', '磁条卡',
  '手机银行', '网上银行', '网银', '柜台', '营业网点', '自助设备', '客服热线', '人工客服', '转人工',
  '转账', '汇款', '跨行', '同行', '行内', '实时到账', '次日到账', '限额', '额度', '临时额度', '固定额度', '提额',
  '还款', '最低还款', '全额还款', '账单日', '到期还款日', '还款日', '免息期', '分期', '账单分期', '现金分期',
  '年费', '手续费', '工本费', '滞纳金', '违约金', '利息', '利率', '积分', '积分兑换',
  '交易密码', '查询密码', '登录密码', '支付密码', '口令', '密码重置', '重置密码', '动态口令', '短信验证码', '验证码',
  'u盾', 'k宝', '令牌', '数字证书', '预留手机号', '绑定手机号',
  '理财', '理财产品', '定期存款', '活期存款', '大额存单', '结构性存款', '基金定投', '外汇', '结汇', '购汇', '境外消费',
  '电子回单', '流水', '交易明细', '对账单', '存款证明', '资信证明', '个人征信', '征信报告', '房贷', '车贷', '消费贷', '提前还款',
  '反诈', '电信诈骗', '盗刷', '失卡保障', '止付',
];

/** The words as a jieba user dictionary (high frequency so they win over their pieces). */
export function bankDictionary(): Uint8Array {
  return new TextEncoder().encode(bankWords.map((w) => `${w} 100000 n`).join('\n'));
}
