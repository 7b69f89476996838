// Small pure pieces: time and number formats, periods, QR tickets, roles, message links.
const path = require('path')
const { installWx } = require('./helpers/wx')
const { MP_ROOT } = require('./helpers/render')
const { fixture } = require('./helpers/fixtures')

const mp = name => require(path.join(MP_ROOT, name))

beforeEach(() => {
  jest.resetModules()
  installWx()
})

describe('format', () => {
  test('times are shown in Asia/Shanghai', () => {
    const { formatTime, formatDate, relativeTime } = mp('utils/format')
    const now = Date.parse('2024-05-02T12:00:00Z')
    expect(formatTime('2024-05-02T01:20:00+00:00', now)).toBe('5月2日 09:20')
    expect(formatTime('2023-12-31T16:30:00Z', now)).toBe('1月1日 00:30')
    expect(formatTime('2022-12-31T15:30:00Z', now)).toBe('2022年12月31日 23:30')
    expect(formatTime(null)).toBe('')
    expect(formatDate('2024-05-31T16:00:00Z')).toBe('2024-06-01')
    expect(relativeTime('2024-05-02T11:59:30Z', now)).toBe('刚刚')
    expect(relativeTime('2024-05-02T11:15:00Z', now)).toBe('45分钟前')
    expect(relativeTime('2024-05-02T09:00:00Z', now)).toBe('3小时前')
  })

  test('rates as percentages with one decimal, null as a dash', () => {
    const { percent, duration, number } = mp('utils/format')
    expect(percent(2 / 3)).toBe('66.7%')
    expect(percent(1)).toBe('100.0%')
    expect(percent(0)).toBe('0.0%')
    expect(percent(null)).toBe('—')
    expect(duration(45)).toBe('45分钟')
    expect(duration(125)).toBe('2小时5分钟')
    expect(duration(60 * 26)).toBe('1天2小时')
    expect(duration(null)).toBe('—')
    expect(number(undefined)).toBe('—')
  })

  test('an order is decorated with its labels and its buttons', () => {
    const { decorateOrder } = mp('utils/format')
    const order = decorateOrder(fixture('order-dispatched'))
    expect(order.statusLabel).toBe('待接单')
    expect(order.categoryName).toBe('陪医')
    expect(order.actions.map(a => a.label)).toEqual(['接单', '退回'])
  })

  test('every order status has its Chinese label', () => {
    const { ORDER_STATUS } = mp('utils/constants')
    expect(Object.keys(ORDER_STATUS).reduce((acc, key) => Object.assign(acc, { [key]: ORDER_STATUS[key].label }), {})).toEqual({
      ordered: '待派单',
      dispatched: '待接单',
      accepted: '已接单',
      in_service: '服务中',
      completed: '待评价',
      rated: '已评价',
      cancelled: '已取消',
      closed: '已关闭',
    })
  })

  test('calls: my sign-up and a full call', () => {
    const { decorateCall } = mp('utils/format')
    const [open, full] = fixture('calls').items.map(decorateCall)
    expect([open.statusLabel, open.signedUp, open.quotaText]).toEqual(['报名中', false, '4 / 10 人'])
    expect([full.statusLabel, full.signedUp, full.signupText]).toEqual(['名额已满', true, '已报名'])
  })
})

describe('periods for the figures', () => {
  test('month, last month, week and year, in Shanghai', () => {
    const { periodRange, rangeText } = mp('utils/period')
    // 2024-01-31 20:00 UTC is already 1 February in Shanghai.
    const now = Date.parse('2024-01-31T20:00:00Z')
    expect(periodRange('month', now)).toEqual({ from: '2024-02-01', to: '2024-03-01' })
    expect(periodRange('last_month', now)).toEqual({ from: '2024-01-01', to: '2024-02-01' })
    expect(periodRange('week', now)).toEqual({ from: '2024-01-26', to: '2024-02-02' })
    expect(periodRange('year', now)).toEqual({ from: '2024-01-01', to: '2025-01-01' })
    expect(periodRange('month', Date.parse('2024-12-15T00:00:00Z'))).toEqual({ from: '2024-12-01', to: '2025-01-01' })
    expect(rangeText({ from: '2024-02-01', to: '2024-03-01' })).toBe('2024-02-01 至 2024-02-29')
  })
})

describe('console login QR codes', () => {
  test.each([
    ['Xy7_ab-12345', 'Xy7_ab-12345'],
    ['  Xy7_ab-12345\n', 'Xy7_ab-12345'],
    ['https://wudan.example.com/api/v1/console/login/Xy7_ab-12345', 'Xy7_ab-12345'],
    ['https://wudan.example.com/console/login/Xy7_ab-12345/', 'Xy7_ab-12345'],
    ['https://wudan.example.com/console/?ticket=Xy7_ab-12345&x=1', 'Xy7_ab-12345'],
    ['https://wudan.example.com/console/login/Xy7_ab-12345?from=qr#top', 'Xy7_ab-12345'],
    ['', ''],
    ['这不是二维码', ''],
    ['https://example.com/', ''],
    ['ab', ''],
  ])('%j → %j', (content, ticket) => {
    expect(mp('services/console').parseTicket(content)).toBe(ticket)
  })
})

describe('session roles', () => {
  test('residents, volunteers and staff get the roles they may switch between', () => {
    const session = mp('utils/session')
    const users = fixture('users')
    expect(session.availableRoles(users.resident)).toEqual(['resident'])
    expect(session.availableRoles(users.volunteer)).toEqual(['resident', 'volunteer'])
    expect(session.availableRoles(users.staff)).toEqual(['resident', 'volunteer', 'staff'])
    expect(session.defaultRole(users.staff)).toBe('staff')
    expect(session.defaultRole(users.volunteer)).toBe('volunteer')
    expect(session.staffAreas(users.staff)).toEqual([{ id: 3, name: '松阳社区' }])
  })

  test('a role the user no longer has falls back to the default', () => {
    const session = mp('utils/session')
    const users = fixture('users')
    session.setUser(users.staff)
    session.setActiveRole('resident')
    expect(session.getActiveRole()).toBe('resident')
    session.setActiveRole('admin')
    expect(session.getActiveRole()).toBe('staff')
  })

  test('an expired token is not used', () => {
    const session = mp('utils/session')
    session.setToken('t', 3600)
    expect(session.getToken()).toBe('t')
    session.setToken('t', 30) // inside the renewal margin
    expect(session.getToken()).toBe('')
  })
})

describe('message links', () => {
  test('a message opens the page it names when it is ours, else its order', () => {
    const nav = mp('utils/nav')
    expect(nav.pageFromMessage({ page: 'pages/orders/detail/index?id=5' })).toBe('/pages/orders/detail/index?id=5')
    expect(nav.pageFromMessage({ page: 'packageVolunteer/pages/call-detail/index?id=7' })).toBe('/packageVolunteer/pages/call-detail/index?id=7')
    expect(nav.pageFromMessage({ page: 'pages/unknown/index', order_id: 9 })).toBe('/pages/orders/detail/index?id=9')
    expect(nav.pageFromMessage({})).toBe('')
  })
})
