// The gallery's cases: every page of app.json for each role that uses it, in normal and 关怀模式,
// plus the empty, error and loading states of the lists. Data: the jest fixtures (helpers/page-cases).
const { allPages, EXPECTED } = require('../helpers/page-cases')
const { fixture } = require('../helpers/fixtures')

// Pages more than one role opens (the tab pages, the order detail): the roles to show them as.
const ROLES = {
  'pages/home/index/index': ['resident', 'staff'],
  'pages/orders/list/index': ['resident', 'volunteer'],
  'pages/workbench/index/index': ['resident', 'volunteer', 'leader', 'staff'],
  'pages/messages/index/index': ['resident'],
  'pages/me/index/index': ['resident', 'volunteer', 'staff'],
  'pages/orders/detail/index': ['resident', 'volunteer', 'staff'],
  'packageVolunteer/pages/call-detail/index': ['volunteer', 'staff'],
  'packageVolunteer/pages/calls/index': ['volunteer', 'staff'],
}

// Lists whose empty, error and loading states the gallery shows too.
const LISTS = [
  'pages/home/index/index',
  'pages/orders/list/index',
  'pages/messages/index/index',
  'packageVolunteer/pages/tasks/index',
  'packageVolunteer/pages/calls/index',
  'packageVolunteer/pages/points/index',
  'packageStaff/pages/dispatch-queue/index',
  'packageStaff/pages/offering-review/index',
  'packageStaff/pages/rating-review/index',
  'packageStaff/pages/care-plans/index',
]

const SIGNUPS = [
  { id: 51, call_id: 7, user_id: 21, status: 'signed_up', status_label: '已报名', name: '张明', nickname: '小张', phone: '13912345678', work_unit: '县人民医院', is_party_member: true },
  { id: 52, call_id: 7, user_id: 22, status: 'checked_in', status_label: '已签到', name: '陈建国', nickname: '老陈', phone: '13700000001', work_unit: '', is_party_member: true },
  { id: 53, call_id: 7, user_id: 23, status: 'confirmed', status_label: '已确认到场', name: '欧阳晓梅', nickname: '晓梅', phone: null, work_unit: '松阳社区居委会', is_party_member: false },
]

/** Per-case changes to the fake server, after the fixtures are loaded (`variant`: an EXTRA case's). */
function arrange(page, role, server, variant) {
  if (page === 'packageStaff/pages/dispatch/index' && variant === 'redispatch') {
    // 改派: a dispatched order not yet accepted; the server's dispatch_teams leave its own team (5) out.
    const teams = [
      { team_id: 8, name: '城关镇志愿服务总队', area_id: 2, score: 68.2, reasons: ['上级区域（城关镇）', '当前无在办工单', '近30天平均 6 分钟接单', '满意率 100%（3 次评价）'] },
      { team_id: 7, name: '第一网格服务小组', area_id: 9, score: 61, reasons: ['本网格', '当前 2 单', '近30天无接单记录', '暂无评价'] },
    ]
    server.on('GET', '/orders/{id}', req => Object.assign(fixture('order-dispatched'), { id: Number(req.params.id), status: 'dispatched', allowed_actions: ['dispatch', 'cancel'], dispatch_teams: teams }))
  }
  if (page === 'pages/orders/detail/index' && role !== 'volunteer') {
    // The same dispatched order with the actions the server gives each role (the fixture's are a team member's):
    // its resident may cancel it, staff may send it to another team (改派) or cancel it.
    const actions = role === 'resident' ? ['cancel'] : ['dispatch', 'cancel']
    server.on('GET', '/orders/{id}', req => Object.assign(fixture('order-dispatched'), { id: Number(req.params.id), allowed_actions: actions }))
  }
  if (page === 'packageStaff/pages/care-plan-create/index' && variant === 'team') {
    server.on('GET', '/teams', { items: [fixture('team'), { id: 8, name: '城关镇志愿服务总队', area_id: 2, categories: [] }], next_cursor: null })
  }
  if (page === 'packageVolunteer/pages/call-detail/index' && role === 'staff') {
    server.on('GET', '/calls/{id}', () => Object.assign({}, fixture('calls').items[0], {
      signups: SIGNUPS, allowed_actions: ['close'], recipient_count: 40,
    }))
  }
  if (page === 'packageVolunteer/pages/tasks/index') {
    // 接单大厅: orders dispatched to the volunteer's team, to take or send back.
    const orders = fixture('orders').items.map(order => Object.assign({}, order, { status: 'dispatched', team_id: 5, allowed_actions: ['accept', 'decline'] }))
    server.on('GET', '/orders', { items: orders, next_cursor: null })
  }
  if (page === 'packageStaff/pages/dispatch-queue/index') {
    // The 待派单 queue: two orders waiting, and nothing more to load.
    const orders = fixture('orders').items.map(order => Object.assign({}, order, { status: 'ordered', allowed_actions: ['dispatch', 'cancel'] }))
    orders[1].overdue = false
    server.on('GET', '/orders', req => ({ items: orders.filter(o => String(o.overdue) === (req.query.overdue || String(o.overdue))), next_cursor: null }))
    // The first likely duplicates the second (the server's marks): the bar to cancel it as a duplicate shows.
    server.on('GET', '/orders/duplicates', { items: [{ order_id: orders[0].id, duplicates: [orders[1].id] }] })
  }
}

function slug(text) {
  return text.replace(/^pages\//, '').replace(/^package(\w)/, (all, first) => first.toLowerCase()).replace(/^package/, '').replace(/\/index$/, '').replace(/\/pages\//, '-').replace(/\//g, '-')
}

function allCases() {
  const out = []
  allPages.forEach(page => {
    const roles = ROLES[page] || [EXPECTED[page].user || 'resident']
    const states = ['ready'].concat(LISTS.indexOf(page) >= 0 ? ['empty', 'error', 'loading'] : [])
      .concat(page === 'pages/home/index/index' ? ['first-launch'] : [])
    // The develop-only page is for developers: shown in the normal mode only.
    const modes = page === 'pages/me/dev/index' ? ['normal'] : ['normal', 'care']
    roles.forEach(role => states.forEach(state => modes.forEach(mode => {
      out.push({ id: [slug(page), role, state, mode].join('.'), page, role, state, mode, dev: page === 'pages/me/dev/index' })
    })))
  })
  // Pages that read differently when opened another way.
  EXTRA.forEach(extra => ['normal', 'care'].forEach(mode => {
    out.push(Object.assign({ id: [slug(extra.page) + '-' + extra.variant, extra.role, 'ready', mode].join('.'), state: 'ready', mode, dev: false }, extra))
  }))
  return out
}

const EXTRA = [
  { page: 'packageResident/pages/order-create/index', role: 'staff', variant: 'behalf', query: { behalf: '1' } },
  { page: 'packageStaff/pages/dispatch/index', role: 'staff', variant: 'redispatch' },
  // The care-plan form with a category chosen and a team picked from the server's list.
  { page: 'packageStaff/pages/care-plan-create/index', role: 'staff', variant: 'team',
    then: page => page.instance.onCategory({ detail: { value: '0' } }).then(() => page.instance.onTeam({ detail: { value: '2' } })) },
]

module.exports = { allCases, arrange, ROLES, LISTS }
