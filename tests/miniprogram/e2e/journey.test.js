// End to end: the real page code of the mini-program against the real Flask server (tests/miniprogram/e2e/serve.py:
// a fresh SQLite database, the demo world, dev-mode login), wx.request over real HTTP. The five-order journey
// (亮单 → 点单 → 派单 → 接单 → 评单) across the leader's, staff's, resident's and volunteer's phones, then every
// page of app.json loaded for its role with no failed request and no error shown.
const fs = require('fs')
const os = require('os')
const path = require('path')
const { renderPage, text } = require('../helpers/render')
const { toasts } = require('../helpers/wx')
const { allPages, EXPECTED } = require('../helpers/page-cases')
const { startServer, livePhone, use, settle, failures } = require('./live')

jest.setTimeout(60000)

const OPENIDS = {
  resident: 'demo-resident-sy-1',
  volunteer: 'demo-volunteer-sy-1',
  leader: 'demo-leader-sy',
  staff: 'demo-staff-sy',
  neighbour: 'demo-resident-sy-2',
}

// A 2×2 PNG (made by Pillow): the server decodes and re-encodes every upload, so it must be a real picture.
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAFklEQVR4nGM8ISfHwMDAxMDAwMDAAAANBAEIfXHKZgAAAABJRU5ErkJggg==',
  'base64',
)

let server
const phones = {}

function phone(role) {
  if (!phones[role]) phones[role] = livePhone(server, OPENIDS[role])
  return use(phones[role])
}

/** Render a page on the phone in hand and wait for its requests. */
async function open(wx, page, query) {
  const rendered = await renderPage(page, query || {})
  await settle(wx)
  return rendered
}

/** Run a page method (a tap) and wait for what it sends. */
async function tap(wx, promise) {
  const out = await promise
  await settle(wx)
  return out
}

/** The server's own view of an order, through the same phone's token. */
async function serverOrder(wx, id) {
  const request = require('../../../miniprogram/utils/request')
  const order = await request.request({ url: '/orders/' + id, showError: false })
  await settle(wx)
  return order
}

// Plain toasts that report success rather than a problem.
const INFO_TOASTS = ['已提交，等社区审核']

function expectNoFailures(wx) {
  expect(failures(wx)).toEqual([])
  expect(toasts(wx).filter(title => INFO_TOASTS.indexOf(title) < 0)).toEqual([])
}

beforeAll(async () => {
  server = await startServer()
}, 130000)

afterAll(async () => {
  if (server) await server.stop()
})

describe('the five-order journey on three phones against the real server', () => {
  const state = {}

  test('亮单: the leader publishes a service, staff approve it, the resident sees it', async () => {
    let wx = phone('leader')
    const create = await open(wx, 'packageVolunteer/pages/offering-create/index', {})
    const categories = create.instance.data.categories
    const index = categories.findIndex(c => c.code === 'escort')
    create.instance.onCategory({ detail: { value: index } })
    ;[['title', '周末陪老人复查'], ['description', '党员志愿者周末陪同行动不便的老人去县医院复查'], ['service_times', '周六、周日上午']]
      .forEach(([field, value]) => create.instance.onInput({ currentTarget: { dataset: { field } }, detail: { value } }))
    const offering = await tap(wx, create.instance.onSubmit())
    expect(offering && offering.status).toBe('pending')
    expectNoFailures(wx)

    wx = phone('staff')
    const review = await open(wx, 'packageStaff/pages/offering-review/index', {})
    expect(text(review)).toContain('周末陪老人复查')
    await tap(wx, review.instance.onApprove({ currentTarget: { dataset: { id: offering.id } } }))
    expect(text(review)).not.toContain('周末陪老人复查')
    expectNoFailures(wx)

    wx = phone('resident')
    const detail = await open(wx, 'packageResident/pages/offering-detail/index', { id: String(offering.id) })
    expect(text(detail)).toContain('周末陪老人复查')
    detail.instance.onOrder()
    expect(wx.navigateTo.mock.calls.slice(-1)[0][0].url).toContain('offering_id=' + offering.id)
    state.offering = offering
  })

  test('点单: the resident orders it with a photo and the bound phone', async () => {
    const wx = phone('resident')
    // Bind a phone first (dev mode takes dev:<number> as WeChat's phone code).
    const me = await open(wx, 'pages/me/index/index', {})
    if (!me.instance.data.user.phone) {
      await tap(wx, me.instance.onGetPhoneNumber({ detail: { code: 'dev:13800007777', errMsg: 'getPhoneNumber:ok' } }))
    }
    const page = await open(wx, 'packageResident/pages/order-create/index', { offering_id: String(state.offering.id), category: 'escort' })
    expect(text(page)).toContain('周末陪老人复查')
    expect(page.instance.data.form.area_id).toBe(server.ids['松阳社区'])
    expect(page.instance.data.useBoundPhone).toBe(true)
    // Another community is found by name on the server, without loading the county's list.
    const picker = page.querySelector('#community')
    const found = await tap(wx, picker.instance.search('青山'))
    expect(found.map(area => area.name)).toEqual(['青山社区'])
    expect(wx.__live.responses.filter(r => r.path === '/areas').map(r => new URL(r.url).searchParams.get('q'))).toEqual([null, '青山'])
    const photo = path.join(os.tmpdir(), 'mp-e2e-photo.png')
    fs.writeFileSync(photo, PNG)
    wx.chooseMedia.mockImplementation(o => Promise.resolve().then(() => o.success({ tempFiles: [{ tempFilePath: photo, size: PNG.length }] })))
    await tap(wx, page.querySelector('#photos').instance.onAdd())
    page.instance.onInput({ currentTarget: { dataset: { field: 'description' } }, detail: { value: '下周六上午去县医院复查，腿脚不便，需要有人陪同' } })
    page.instance.onInput({ currentTarget: { dataset: { field: 'address' } }, detail: { value: '松阳小区 3 栋 2 单元 401' } })
    const order = await tap(wx, page.instance.onSubmit())
    expect(order).toMatchObject({ status: 'ordered', offering_id: state.offering.id, contact_phone: '13800007777' })
    expect(order.photos).toHaveLength(1)
    expect(wx.redirectTo).toHaveBeenCalledWith({ url: '/pages/orders/detail/index?id=' + order.id })
    expectNoFailures(wx)
    state.order = order
  })

  test('派单: staff find it in 待派单 and dispatch it to the 松阳 team', async () => {
    const wx = phone('staff')
    const queue = await open(wx, 'packageStaff/pages/dispatch-queue/index', {})
    expect(queue.instance.data.items.map(o => o.id)).toContain(state.order.id)
    const page = await open(wx, 'packageStaff/pages/dispatch/index', { id: String(state.order.id) })
    const teams = page.instance.data.teams
    const team = teams.find(t => /松阳/.test(t.name))
    expect(team).toBeTruthy()
    page.instance.onPick({ currentTarget: { dataset: { id: team.id || team.team_id } } })
    const order = await tap(wx, page.instance.onSubmit())
    expect(order.status).toBe('dispatched')
    expectNoFailures(wx)
  })

  test('接单: a volunteer accepts it in 接单大厅, starts and completes the service', async () => {
    const wx = phone('volunteer')
    const tasks = await open(wx, 'packageVolunteer/pages/tasks/index', {})
    expect(tasks.instance.data.items.map(o => o.id)).toContain(state.order.id)
    const accepted = await tap(wx, tasks.instance.onOrderAction({ detail: { name: 'accept', id: state.order.id } }))
    expect(accepted.status).toBe('accepted')
    const detail = await open(wx, 'pages/orders/detail/index', { id: String(state.order.id) })
    expect(text(detail)).toContain('13800007777') // the assignee sees the whole phone
    const started = await tap(wx, detail.instance.onOrderAction({ detail: { name: 'start', id: state.order.id } }))
    expect(started.status).toBe('in_service')
    const complete = await open(wx, 'packageVolunteer/pages/complete/index', { id: String(state.order.id) })
    complete.instance.onInput({ detail: { value: '已陪同老人完成复查，送回家中' } })
    const done = await tap(wx, complete.instance.onSubmit())
    expect(done.status).toBe('completed')
    expectNoFailures(wx)
  })

  test('评单: the resident rates it, staff record the follow-up', async () => {
    let wx = phone('resident')
    const rate = await open(wx, 'packageResident/pages/rate/index', { id: String(state.order.id) })
    rate.instance.onStars({ detail: { value: 5 } })
    rate.instance.onComment({ detail: { value: '志愿者很耐心' } })
    const rated = await tap(wx, rate.instance.onSubmit())
    expect(rated.status).toBe('rated')
    expectNoFailures(wx)

    wx = phone('staff')
    const review = await open(wx, 'packageStaff/pages/rating-review/index', {})
    await tap(wx, review.instance.onFilter({ currentTarget: { dataset: { key: 'todo' } } })) // 全部待回访: a 5-star one too
    const item = review.instance.data.items.find(r => r.order_id === state.order.id)
    expect(item).toBeTruthy()
    review.instance.onReview({ currentTarget: { dataset: { order: state.order.id, id: item.id } } })
    await tap(wx, review.instance.onDialogConfirm({ detail: { text: '已电话回访，老人满意' } }))
    const order = await serverOrder(wx, state.order.id)
    expect(order.status).toBe('rated')
    expect(order.events.map(e => e.action)).toEqual(['create', 'dispatch', 'accept', 'start', 'complete', 'rate', 'review'])
    expectNoFailures(wx)
  })
})

describe('a refused phone code on the real server', () => {
  test('is sent once, never again after a new login, and the page asks for a new tap', async () => {
    const wx = phone('neighbour')
    const me = await open(wx, 'pages/me/index/index', {})
    wx.__live.responses.length = 0
    await tap(wx, me.instance.onGetPhoneNumber({ detail: { code: 'spent-or-forged-code', errMsg: 'getPhoneNumber:ok' } }))
    const binds = wx.__live.responses.filter(r => r.method === 'POST' && r.path === '/me/phone')
    expect(binds).toHaveLength(1)
    expect([401, 422]).toContain(binds[0].statusCode) // 422 on `code` once the server tells the two apart
    expect(me.instance.data.phoneError).toMatch(/请再点一次「一键绑定手机号」$/)
    expect(text(me)).toContain('请再点一次「一键绑定手机号」')
  })
})

describe('积分超市, 核销 and the certificate on the real server', () => {
  // After the journey the volunteer has served and been rated: points to spend, hours to certify.
  const state = {}

  test('兑换: staff stock a reward, the volunteer redeems it, staff hand it over against the code', async () => {
    let wx = phone('staff')
    const request = require('../../../miniprogram/utils/request')
    state.reward = await request.request({
      url: '/rewards', method: 'POST', showError: false,
      data: { area_id: server.ids['松阳社区'], name: '环保购物袋', points: 10, stock: 3, description: '党群服务中心领取' },
    })
    await settle(wx)

    wx = phone('volunteer')
    const shelf = await open(wx, 'packageVolunteer/pages/rewards/index', {})
    const before = shelf.instance.data.balance
    expect(before).toBeGreaterThanOrEqual(10)
    const redemption = await tap(wx, shelf.instance.onRedeem({ currentTarget: { dataset: { id: state.reward.id } } }))
    expect(redemption.status).toBe('pending')
    expect(shelf.instance.data.balance).toBe(before - 10)
    const mine = await open(wx, 'packageVolunteer/pages/redemptions/index', {})
    const shown = mine.instance.data.items.find(item => item.id === redemption.id)
    expect(shown.code).toMatch(/^\d{8}$/)
    expect(shown.bars).toHaveLength(43)
    expectNoFailures(wx)

    wx = phone('staff')
    const desk = await open(wx, 'packageStaff/pages/fulfil/index', { code: shown.code })
    expect(desk.instance.data.redemption.user_name).toBeTruthy()
    const fulfilled = await tap(wx, desk.instance.onFulfil())
    expect(fulfilled.status).toBe('fulfilled')
    expectNoFailures(wx)

    wx = phone('volunteer')
    const after = await open(wx, 'packageVolunteer/pages/redemptions/index', {})
    expect(after.instance.data.items.find(item => item.id === redemption.id).statusText).toBe('已领取')
  })

  test('志愿服务记录证明: the volunteer issues one, and the phone gets the PDF to open', async () => {
    const wx = phone('volunteer')
    await tap(wx, require('../../../miniprogram/services/me').updateMe({ real_name: '张明' }))
    const record = await open(wx, 'packageVolunteer/pages/service-record/index', {})
    expect(record.instance.data.record.services).toBeGreaterThanOrEqual(1)
    expect(record.instance.data.record.total_minutes).toBeGreaterThan(0)
    const opened = await tap(wx, record.instance.onIssue())
    expect(opened).toBe(true)
    const file = wx.openDocument.mock.calls[0][0].filePath
    expect(fs.readFileSync(file).subarray(0, 5).toString()).toBe('%PDF-')
    expect(record.instance.data.certificates).toHaveLength(1)
    expectNoFailures(wx)
  })
})

describe('every page loads for its role on the real server', () => {
  const ids = {}

  beforeAll(async () => {
    // Orders in the states the action pages need, made through the mini-program's own services.
    const act = async (role, fn) => {
      const wx = phone(role)
      const out = await fn(require('../../../miniprogram/services/orders'))
      await settle(wx)
      return out
    }
    const body = { category: 'repair', area_id: server.ids['松阳社区'], description: '厨房水龙头漏水，需要上门看看', address: '松阳小区 5 栋 101', contact_name: '王阿姨', contact_phone: '13800001111' }
    const create = () => act('resident', s => s.createOrder(body, 'e2e-' + Math.random()))
    const ordered = await create()
    const toComplete = await create()
    const toRate = await create()
    const team = (await act('staff', s => s.getOrder(ordered.id))).dispatch_teams
    const teamId = team && team.length ? team[0].team_id : (await act('leader', () => require('../../../miniprogram/services/me').getMe())).teams[0].team_id
    for (const order of [toComplete, toRate]) {
      await act('staff', s => s.dispatchOrder(order.id, teamId, ''))
      await act('volunteer', s => s.act(order.id, 'accept'))
    }
    await act('volunteer', s => s.completeOrder(toRate.id, '已修好', []))
    ids.ordered = ordered.id
    ids.accepted = toComplete.id
    ids.completed = toRate.id
    const offerings = await act('resident', () => require('../../../miniprogram/services/offerings').listOfferings({ area_id: server.ids['松阳社区'] }))
    ids.offering = offerings.items[0].id
    const calls = await act('volunteer', () => require('../../../miniprogram/services/calls').listCalls({}))
    ids.call = calls.items.length ? calls.items[0].id : null
    const plan = await act('staff', () => require('../../../miniprogram/services/care-plans').createPlan({
      resident: { name: '王奶奶', phone: '13900000001' }, area_id: server.ids['松阳社区'], category: 'elderly',
      description: '量血压、打扫卫生', address: '松阳小区5栋', weekdays: [2, 5], time_slot: '上午', starts_on: '2030-01-01',
    }))
    ids.carePlan = plan.id
  })

  // The query each page opens with, with ids of this server.
  function liveQuery(page) {
    const byPage = {
      'pages/orders/detail/index': { id: ids.accepted },
      'packageResident/pages/offering-detail/index': { id: ids.offering },
      'packageResident/pages/order-create/index': { offering_id: ids.offering },
      'packageResident/pages/rate/index': { id: ids.completed },
      'packageVolunteer/pages/complete/index': { id: ids.accepted },
      'packageStaff/pages/dispatch/index': { id: ids.ordered },
      'packageVolunteer/pages/call-detail/index': { id: ids.call },
      'packageStaff/pages/care-plan/index': { id: ids.carePlan },
    }
    const query = byPage[page] || {}
    return Object.keys(query).reduce((out, key) => Object.assign(out, { [key]: String(query[key]) }), {})
  }

  test.each(allPages)('%s', async page => {
    const role = (EXPECTED[page] && EXPECTED[page].user) || 'resident'
    if (page === 'packageVolunteer/pages/call-detail/index' && !ids.call) return
    const wx = phone(role)
    wx.showToast.mockClear()
    wx.__live.responses.length = 0
    const rendered = await open(wx, page, liveQuery(page))
    const shown = text(rendered)
    expect(shown).not.toContain('加载失败')
    expect(shown).not.toContain('正在加载，请稍候')
    expect(shown.length).toBeGreaterThan(4)
    expect(failures(wx)).toEqual([])
    expect(toasts(wx)).toEqual([])
  })
})
