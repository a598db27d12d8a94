// Seed 002's indicator system (菏泽 "动态管理110"): 5 categories, 30 items, 90 indicators. Category and
// item names follow the seed; the indicators under them are written as a township cadre would list them.

export interface CatalogCategory {
  code: string;
  name: string;
  items: { name: string; indicators: string[] }[];
}

export const SEED_002_CATALOG: CatalogCategory[] = [
  {
    code: 'PB', name: '党的建设',
    items: [
      { name: '班子建设', indicators: ['班子成员配备齐全', '班子团结协作', '书记履职到位', '班子议事规则落实'] },
      { name: '配套组织', indicators: ['村委会正常运转', '共青团妇联组织健全', '村务监督委员会履职'] },
      { name: '制度建设', indicators: ['“三会一课”制度落实', '民主评议党员开展', '组织生活会按期召开', '议事决策程序规范'] },
      { name: '阵地建设', indicators: ['村级活动场所达标', '活动场所正常开放', '党员活动室设施完好'] },
      { name: '干部作风', indicators: ['村干部违纪违法', '村干部在岗履职', '群众对干部满意度'] },
      { name: '党员发展', indicators: ['年度发展计划落实', '入党积极分子培养', '发展程序规范'] },
      { name: '党员管理', indicators: ['流动党员管理', '党费按时收缴', '党员承诺践诺'] },
      { name: '党务公开', indicators: ['党务公开栏更新', '公开内容真实完整', '群众知晓率'] },
      { name: '远程教育', indicators: ['站点设备正常使用', '按期组织收看学习'] },
    ],
  },
  {
    code: 'NC', name: '新农村建设',
    items: [
      { name: '经济发展', indicators: ['村集体经济收入', '农民人均纯收入增长', '主导产业发展'] },
      { name: '村庄规划', indicators: ['村庄规划编制', '规划执行情况', '违章建筑治理'] },
      { name: '新村建设', indicators: ['新村建设进度', '旧村改造推进', '群众住房安全'] },
      { name: '环境保护', indicators: ['垃圾集中处理', '污水排放治理', '乱砍滥伐查处'] },
      { name: '村容村貌', indicators: ['街道硬化亮化', '村庄绿化美化', '“三大堆”清理'] },
      { name: '精神文明', indicators: ['文明户评选', '移风易俗推进', '文体活动开展'] },
      { name: '基础设施', indicators: ['安全饮水保障', '道路桥涵完好'] },
    ],
  },
  {
    code: 'SA', name: '平安建设',
    items: [
      { name: '社会治安', indicators: ['刑事治安案件发生', '治安联防队伍运转', '黄赌毒现象', '安全生产事故'] },
      { name: '调解工作', indicators: ['调解组织健全', '矛盾纠纷调处率', '民转刑案件发生'] },
      { name: '宗派矛盾', indicators: ['宗族势力干预村务', '家族间对立冲突', '选举中宗派活动'] },
      { name: '信访问题', indicators: ['越级上访', '集体上访', '重复信访'] },
    ],
  },
  {
    code: 'GD', name: '基层民主政治建设',
    items: [
      { name: '基层民主', indicators: ['村委会依法换届', '村民代表会议召开', '民主决策“四议两公开”'] },
      { name: '村务公开', indicators: ['村务按期公开', '公开内容真实', '群众质询答复'] },
      { name: '财务管理', indicators: ['村级账目清楚', '民主理财小组运转', '集体资产资源管理'] },
    ],
  },
  {
    code: 'PI', name: '党和政府方针政策贯彻落实',
    items: [
      { name: '计生工作', indicators: ['计划生育政策落实', '出生人口统计准确', '计生服务到位'] },
      { name: '农民负担', indicators: ['乱收费乱摊派', '“一事一议”规范', '涉农收费公示'] },
      { name: '土地延包', indicators: ['承包合同签订', '经营权证发放', '土地流转规范'] },
      { name: '宅基安排', indicators: ['宅基地审批规范', '一户多宅清理', '宅基地分配公开'] },
      { name: '公益事业', indicators: ['公益设施建设', '公益项目资金使用', '五保户供养'] },
      { name: '惠民政策', indicators: ['种粮补贴发放', '低保评定公开', '新农合参合'] },
      { name: '临时工作', indicators: ['上级交办任务完成', '突发事件处置'] },
    ],
  },
];

export interface CatalogRow { position: number; categoryCode: string; categoryName: string; itemCode: string; itemName: string; code: string; name: string }

/** The catalogue as indicator rows with codes: item PB01, indicator PB01-01. */
export function catalogRows(categories: CatalogCategory[]): CatalogRow[] {
  const rows: CatalogRow[] = [];
  for (const c of categories) {
    c.items.forEach((item, i) => {
      const itemCode = `${c.code}${String(i + 1).padStart(2, '0')}`;
      item.indicators.forEach((name, k) => void rows.push({
        position: rows.length + 1, categoryCode: c.code, categoryName: c.name, itemCode, itemName: item.name,
        code: `${itemCode}-${String(k + 1).padStart(2, '0')}`, name,
      }));
    });
  }
  return rows;
}
