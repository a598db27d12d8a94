// Chinese labels of the enums the dashboards, the village page and the forms show (docs/glossary.md).
export const CAUSE_LABEL: Record<string, string> = {
  WEAK_LAX: '软弱涣散', FINANCIAL_CHAOS: '财务管理混乱', BACKWARD_ECONOMY: '经济社会发展落后', ACUTE_CONFLICTS: '矛盾问题突出',
};
export const CASE_STATE_LABEL: Record<string, string> = {
  IDENTIFIED: '已确定', RECTIFYING: '整顿中', TRANSFORMED: '已转化', CONSOLIDATED: '已巩固', CLOSED: '已销号', RELAPSED: '反弹', WITHDRAWN: '撤出整顿对象',
};
export const SLOT_LABEL: Record<string, string> = {
  ENTERPRISES: '企业', DEPARTMENT: '部门', LEADER: '县级领导', FIRST_SECRETARY: '第一书记', PROJECTS: '项目',
};
export const PARTNER_KIND_LABEL: Record<string, string> = {
  ENTERPRISE: '企业', DEPARTMENT: '部门', LEADER: '县级领导', FIRST_SECRETARY: '第一书记', PROJECT: '项目',
};
export const FUND_LABEL: Record<string, string> = {
  OFFICE: '办公经费', ACTIVITY: '党组织活动经费', PARTY_BUILDING: '党建工作专项经费', BENEFIT_PROJECT: '村级惠民项目资金', AWARD: '以奖代补',
};
export const TRANSFER_KIND_LABEL: Record<string, string> = {
  APPROPRIATE: '预算拨入', ALLOCATE: '预算下达', DISBURSE: '拨付', SPEND: '村财乡管支出', AWARD: '以奖代补',
};
export const HANDLER_LABEL: Record<string, string> = {
  VILLAGE: '动态管理员', TOWNSHIP: '乡镇动态管理站', COUNTY: '县区动态管理中心', CITY: '市级动态管理中心',
};
export const SEVERITY_LABEL: Record<string, string> = { MINOR: '轻微', ORDINARY: '一般', MAJOR: '重大' };
export const WARNING_LEVEL_LABEL: Record<string, string> = { YELLOW: '黄灯', RED: '红灯' };
// badge colours with text contrast of at least 4.5:1 (white on green and red, black on yellow; axe-core checks it)
export const LIGHT_COLOR: Record<string, string> = { GREEN: '#2b7a3b', YELLOW: '#fcc419', RED: '#c92a2a' };
export const OK_COLOR = '#2b7a3b';
export const BAD_COLOR = '#c92a2a';
export const INFO_COLOR = '#1971c2';
