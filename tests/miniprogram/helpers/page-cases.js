// Every page of the mini-program, the user it is opened as, its query, and what it must show.
const fs = require('fs')
const path = require('path')
const { installWx } = require('./wx')
const { renderPage, MP_ROOT } = require('./render')
const { fixture, signIn } = require('./fixtures')
const { serveFixtures } = require('./server')

const appJson = JSON.parse(fs.readFileSync(path.join(MP_ROOT, 'app.json'), 'utf8'))
const allPages = appJson.pages.concat(
  ...appJson.subpackages.map(pkg => pkg.pages.map(page => pkg.root + '/' + page)),
)

// What each page must show from the fixtures (and the query it opens with).
const EXPECTED = {
  'pages/home/index/index': { text: ['陪老人去医院看病', '家电维修'] },
  'pages/orders/list/index': { text: ['家里灯泡坏了', '已超期', '评价'] },
  'pages/workbench/index/index': { user: 'staff', text: ['待派单', '亮单审核', '评单审核', '数据统计', '扫码登录'] },
  'pages/messages/index/index': { text: ['您的订单已派单', '您有 1 条未读消息'] },
  'pages/me/index/index': { text: ['王秀兰', '138****1234', '关怀模式'] },
  'pages/orders/detail/index': { query: { id: '501' }, text: ['待接单', '请尽快联系居民', '办理进度'] },
  'pages/me/profile/index': { text: ['所在社区', '松阳社区'] },
  'pages/me/join-team/index': { text: ['请输入邀请码'] },
  'pages/me/privacy/index': { text: ['导出我的数据', '注销账号', '仍会保留'] },
  'pages/me/dev/index': { text: ['demo-resident-sy-1', 'demo-staff-sy', '127.0.0.1:5000'] },
  'packageResident/pages/offering-detail/index': { query: { id: '101' }, text: ['陪老人去医院看病', '预约这项服务'] },
  'packageResident/pages/order-create/index': { query: { offering_id: '101' }, text: ['陪老人去医院看病', '说说您的需要', '陪医'] },
  'packageResident/pages/rate/index': { query: { id: '602' }, order: ['rate'], text: ['为这次服务打分', '提交评价'] },
  'packageVolunteer/pages/tasks/index': { user: 'volunteer', text: ['待接单', '家里灯泡坏了'] },
  'packageVolunteer/pages/team/index': { user: 'leader', text: ['松阳社区志愿服务队', 'SY2024', '发布亮单', '老陈'] },
  'packageVolunteer/pages/complete/index': { user: 'volunteer', query: { id: '501' }, order: ['complete'], text: ['服务结果', '确认完成'] },
  'packageVolunteer/pages/points/index': { user: 'volunteer', text: ['35', '防汛巡查'] },
  'packageVolunteer/pages/offering-create/index': { user: 'leader', text: ['服务名称', '提交审核'] },
  'packageVolunteer/pages/calls/index': { user: 'volunteer', text: ['防汛巡查', '敬老院慰问', '✓ 已报名'] },
  'packageVolunteer/pages/call-detail/index': { user: 'volunteer', query: { id: '7' }, text: ['防汛巡查', '报名'] },
  'packageStaff/pages/dispatch-queue/index': { user: 'staff', text: ['家里灯泡坏了', '已超期'] },
  'packageStaff/pages/dispatch/index': { user: 'staff', query: { id: '601' }, order: ['dispatch', 'cancel'], dispatchTeams: true, text: ['推荐服务队', '松阳社区志愿服务队', '本社区'] },
  'packageStaff/pages/offering-review/index': { user: 'staff', pendingOfferings: true, text: ['陪老人去医院看病', '通过', '不通过'] },
  'packageStaff/pages/rating-review/index': { user: 'staff', text: ['小家电上门维修', '约好上午，下午才来', '记录回访'] },
  'packageStaff/pages/stats/index': { user: 'staff', text: ['受理量', '120', '66.7%', '95.0%', '1小时35分钟', '积分超市兑换'] },
  'packageStaff/pages/scan/index': { user: 'staff', text: ['扫一扫'] },
  'packageStaff/pages/call-create/index': { user: 'staff', text: ['活动名称', '发布吹哨'] },
  'packageStaff/pages/care-plans/index': { user: 'staff', text: ['独居老人定期探访', '每周二、周五上午', '进行中', '已暂停', '新建周期服务'] },
  'packageStaff/pages/care-plan/index': { user: 'staff', query: { id: '31' }, text: ['王秀兰', '每周二、周五上午', '2030-04-30', '待接单', '已评价', '暂停', '结束'] },
  'packageStaff/pages/care-plan-create/index': { user: 'staff', text: ['居民姓名', '每周哪几天', '周一', '上午', '设立周期服务'] },
  'packageVolunteer/pages/service-record/index': { user: 'volunteer', text: ['8.5', '防汛巡查', '2小时30分钟', '5 星', '2024-01-01 至 2024-04-12'] },
  'packageVolunteer/pages/rewards/index': { user: 'volunteer', text: ['35', '洗衣液（2 公斤）', '积分不足', '已兑完'] },
  'packageVolunteer/pages/redemptions/index': { user: 'volunteer', text: ['洗衣液（2 公斤）', '1234 5678', '待领取', '已领取'] },
  'packageStaff/pages/fulfil/index': { user: 'staff', query: { code: '12345678' }, text: ['张明', '洗衣液（2 公斤）', '确认核销'] },
}


/** Render one page as its case says, on a fake server loaded with the fixtures. */
async function renderCase(page) {
  const expected = EXPECTED[page]
  const wx = installWx()
  const users = fixture('users')
  signIn(wx, users[expected.user || 'resident'])
  const server = serveFixtures(wx, users[expected.user || 'resident'])
  if (expected.order) {
    const teams = expected.dispatchTeams
      ? [{ team_id: 5, name: '松阳社区志愿服务队', area_id: 3, score: 67.5, reasons: ['本社区', '当前无在办工单', '近30天平均 25 分钟接单', '满意率 95%（20 次评价）'] }]
      : undefined
    server.on('GET', '/orders/{id}', req =>
      Object.assign(fixture('order-dispatched'), { id: Number(req.params.id), status: 'ordered', allowed_actions: expected.order, dispatch_teams: teams }),
    )
  }
  if (expected.pendingOfferings) {
    server.on('GET', '/offerings', {
      items: fixture('offerings').items.map(o => Object.assign({}, o, { status: 'pending' })),
      next_cursor: null,
    })
  }
  const rendered = await renderPage(page, expected.query || {})
  return { wx, server, page: rendered, expected }
}

module.exports = { allPages, EXPECTED, renderCase }
