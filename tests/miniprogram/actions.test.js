// Buttons come from allowed_actions only, and each one takes its action the right way.
const { installWx, flush, toasts, error } = require('./helpers/wx')
const path = require('path')
const { renderPage, renderComponent, text, texts, findAll, MP_ROOT } = require('./helpers/render')
const { fixture, signIn } = require('./helpers/fixtures')
const { serveFixtures, withActions } = require('./helpers/server')

const LABELS = {
  accept: '接单',
  start: '开始服务',
  complete: '完成服务',
  rate: '评价',
  dispatch: '派单',
  review: '记录回访',
  decline: '退回',
  reopen: '重新办理',
  close: '关闭工单',
  cancel: '取消订单',
}

describe('order-actions component', () => {
  beforeEach(() => installWx())

  test.each([
    [[], []],
    [['accept', 'decline'], ['接单', '退回']],
    [['cancel', 'rate'], ['评价', '取消订单']],
    [['dispatch', 'cancel', 'close'], ['派单', '关闭工单', '取消订单']],
    [['review', 'reopen'], ['记录回访', '重新办理']],
    [['launch_rockets', 'start'], ['开始服务']],
  ])('allowed %j shows %j', async (allowed, labels) => {
    const comp = await renderComponent('components/order-actions/index', { allowed })
    expect(texts(comp, 'action')).toEqual(labels)
  })

  test('dispatch on a dispatched order is 改派 (the word by status, from the generated labels)', async () => {
    const comp = await renderComponent('components/order-actions/index', { allowed: ['dispatch', 'cancel'], status: 'dispatched' })
    expect(texts(comp, 'action')).toEqual(['改派', '取消订单'])
    const ordered = await renderComponent('components/order-actions/index', { allowed: ['dispatch', 'cancel'], status: 'ordered' })
    expect(texts(ordered, 'action')).toEqual(['派单', '取消订单'])
  })

  test('tapping a button emits the action name', async () => {
    const comp = await renderComponent('components/order-actions/index', { allowed: ['accept'], orderId: 9 })
    const handler = jest.fn()
    comp.addEventListener('action', handler)
    comp.querySelector('.action').dispatchEvent('tap')
    await flush()
    expect(handler).toHaveBeenCalled()
    expect(handler.mock.calls[0][0].detail).toEqual({ name: 'accept', id: 9 })
  })
})

describe('order detail buttons follow allowed_actions', () => {
  let wx
  let server

  function serveOrder(actions, status) {
    server.on('GET', '/orders/{id}', req =>
      Object.assign(withActions(fixture('order-dispatched'), actions), { id: Number(req.params.id), status: status || 'dispatched' }),
    )
  }

  beforeEach(() => {
    wx = installWx()
    const volunteer = fixture('users').volunteer
    signIn(wx, volunteer)
    server = serveFixtures(wx, volunteer)
  })

  test.each([
    [['accept', 'decline'], 'dispatched'],
    [['start', 'complete'], 'accepted'],
    [['rate'], 'completed'],
    [['cancel'], 'dispatched'],
    [['dispatch', 'cancel'], 'ordered'],
    [['review', 'reopen'], 'rated'],
    [[], 'dispatched'],
  ])('allowed_actions %j (%s)', async (actions, status) => {
    serveOrder(actions, status)
    const page = await renderPage('pages/orders/detail/index', { id: '501' })
    const shown = texts(page, 'action')
    expect(shown.sort()).toEqual(actions.map(a => LABELS[a]).sort())
    // No bottom bar at all when nothing can be done.
    expect(findAll(page, 'bottom-bar')).toHaveLength(actions.length ? 1 : 0)
  })

  test('接单 asks, posts accept with an empty body and shows the new state', async () => {
    serveOrder(['accept', 'decline'])
    server.on('POST', '/orders/{id}/accept', req => {
      serveOrder(['start', 'complete'], 'accepted')
      return Object.assign(withActions(fixture('order-dispatched'), ['start', 'complete']), { id: Number(req.params.id), status: 'accepted' })
    })
    const page = await renderPage('pages/orders/detail/index', { id: '501' })
    await page.instance.onOrderAction({ detail: { name: 'accept', id: 501 } })
    await flush()
    expect(wx.showModal).toHaveBeenCalled()
    const posted = server.calls('POST', '/orders/501/accept')
    expect(posted).toHaveLength(1)
    expect(posted[0].body).toEqual({})
    expect(text(page)).toContain('已接单')
    expect(texts(page, 'action').sort()).toEqual(['完成服务', '开始服务'])
  })

  test('saying no to the confirm sends nothing', async () => {
    serveOrder(['accept'])
    wx.showModal.mockImplementation(o => Promise.resolve().then(() => o.success({ confirm: false, cancel: true })))
    const page = await renderPage('pages/orders/detail/index', { id: '501' })
    await page.instance.onOrderAction({ detail: { name: 'accept', id: 501 } })
    await flush()
    expect(server.calls('POST', '/orders/501/accept')).toHaveLength(0)
  })

  test('退回 needs a reason, then posts {reason}', async () => {
    serveOrder(['accept', 'decline'])
    server.on('POST', '/orders/{id}/decline', req => Object.assign(withActions(fixture('order-dispatched'), []), { status: 'ordered', id: 501, body: req.body }))
    const page = await renderPage('pages/orders/detail/index', { id: '501' })
    await page.instance.onOrderAction({ detail: { name: 'decline', id: 501 } })
    await flush()
    expect(text(page)).toContain('退回原因')
    const dialog = page.querySelector('#reason-dialog')
    dialog.querySelector('.confirm').dispatchEvent('tap')
    await flush()
    expect(text(page)).toContain('请填写原因')
    expect(server.calls('POST', '/orders/501/decline')).toHaveLength(0)
    dialog.querySelectorAll('.option')[1].dispatchEvent('tap')
    await flush()
    dialog.querySelector('.confirm').dispatchEvent('tap')
    await flush()
    expect(server.calls('POST', '/orders/501/decline')[0].body).toEqual({ reason: '队里人手不够' })
    expect(page.instance.data.reasonDialog.show).toBe(false)
  })

  test('staff see 改派 on a dispatched order; it opens the dispatch page; the timeline says 已改派', async () => {
    const order = withActions(fixture('order-dispatched'), ['dispatch', 'cancel'])
    order.events = order.events.concat([{ id: 3, action: 'dispatch', from_status: 'dispatched', to_status: 'dispatched', note: '原服务队人手不足', actor_name: '刘芳', created_at: '2024-05-02T03:00:00+00:00' }])
    server.on('GET', '/orders/{id}', req => Object.assign({}, order, { id: Number(req.params.id), status: 'dispatched' }))
    const page = await renderPage('pages/orders/detail/index', { id: '501' })
    expect(texts(page, 'action').sort()).toEqual(['取消订单', '改派'].sort())
    expect(text(page)).toContain('已改派给其他服务队')
    expect(text(page)).toContain('已派给服务队')
    await page.instance.onOrderAction({ detail: { name: 'dispatch', id: 501 } })
    expect(wx.navigateTo).toHaveBeenCalledWith({ url: '/packageStaff/pages/dispatch/index?id=501' })
  })

  test.each([
    ['complete', '/packageVolunteer/pages/complete/index?id=501'],
    ['rate', '/packageResident/pages/rate/index?id=501'],
    ['dispatch', '/packageStaff/pages/dispatch/index?id=501'],
  ])('%s opens its own page', async (action, url) => {
    serveOrder([action])
    const page = await renderPage('pages/orders/detail/index', { id: '501' })
    await page.instance.onOrderAction({ detail: { name: action, id: 501 } })
    expect(wx.navigateTo).toHaveBeenCalledWith({ url })
  })

  test('a 409 (someone else was faster) shows the message and reloads the order', async () => {
    serveOrder(['accept'])
    server.on('POST', '/orders/{id}/accept', error(409, 'invalid_transition', '这个订单已经被别人接了'))
    const page = await renderPage('pages/orders/detail/index', { id: '501' })
    const before = server.calls('GET', '/orders/501').length
    await page.instance.onOrderAction({ detail: { name: 'accept', id: 501 } })
    await flush()
    expect(toasts(wx)).toContain('这个订单已经被别人接了')
    expect(server.calls('GET', '/orders/501').length).toBeGreaterThan(before)
  })
})

describe('lists draw each card’s buttons from its own allowed_actions', () => {
  test('我的订单: cancel on one, rate on the other; cancel asks for a reason', async () => {
    const wx = installWx()
    const resident = fixture('users').resident
    signIn(wx, resident)
    const server = serveFixtures(wx, resident)
    server.on('POST', '/orders/{id}/cancel', req => Object.assign({}, fixture('orders').items[0], { status: 'cancelled', allowed_actions: [], reason: req.body.reason }))
    const page = await renderPage('pages/orders/list/index')
    const cards = page.querySelectorAll('.order-item')
    expect(cards).toHaveLength(2)
    expect(texts(cards[0], 'action')).toEqual(['取消订单'])
    expect(texts(cards[1], 'action')).toEqual(['评价'])
    await page.instance.onOrderAction({ detail: { name: 'cancel', id: 601 } })
    await page.instance.onReasonConfirm({ detail: { text: '问题已经解决了' } })
    await flush()
    expect(server.calls('POST', '/orders/601/cancel')[0].body).toEqual({ reason: '问题已经解决了' })
    expect(text(page.querySelectorAll('.order-item')[0])).toContain('已取消')
  })

  test('接单大厅: an order without allowed actions shows no buttons', async () => {
    const wx = installWx()
    const volunteer = fixture('users').volunteer
    signIn(wx, volunteer)
    const server = serveFixtures(wx, volunteer)
    server.on('GET', '/orders', {
      items: [
        Object.assign({}, fixture('order-dispatched'), { id: 1, allowed_actions: ['accept', 'decline'] }),
        Object.assign({}, fixture('order-dispatched'), { id: 2, allowed_actions: [] }),
      ],
      next_cursor: null,
    })
    const page = await renderPage('packageVolunteer/pages/tasks/index')
    const query = server.calls('GET', '/orders')[0].query
    expect(query).toMatchObject({ team_id: '5', status: 'dispatched' })
    const cards = page.querySelectorAll('.order-item')
    expect(texts(cards[0], 'action')).toEqual(['接单', '退回'])
    expect(texts(cards[1], 'action')).toEqual([])
  })
})

describe('吹哨 buttons', () => {
  test('follow the call’s allowed_actions; 报名 posts signup', async () => {
    const wx = installWx()
    const volunteer = fixture('users').volunteer
    signIn(wx, volunteer)
    const server = serveFixtures(wx, volunteer)
    let page = await renderPage('packageVolunteer/pages/call-detail/index', { id: '8' })
    expect(texts(page, 'call-action')).toEqual(['到场签到', '取消报名'])
    page = await renderPage('packageVolunteer/pages/call-detail/index', { id: '7' })
    expect(texts(page, 'call-action')).toEqual(['报名'])
    await page.instance.onAction({ currentTarget: { dataset: { name: 'signup' } } })
    await flush()
    expect(server.calls('POST', '/calls/7/signup')).toHaveLength(1)
    expect(toasts(wx)).toEqual([])
    expect(wx.showToast).toHaveBeenCalledWith({ title: '已报名', icon: 'success' })
  })

  test('signing up asks for 吹哨 reminders inside the tap, before the sign-up is sent', async () => {
    const wx = installWx()
    const volunteer = fixture('users').volunteer
    signIn(wx, volunteer)
    const server = serveFixtures(wx, volunteer)
    const page = await renderPage('packageVolunteer/pages/call-detail/index', { id: '7' })
    require(path.join(MP_ROOT, 'config/index')).SUBSCRIBE_TEMPLATE_IDS.calls = ['tmpl-call']
    await page.instance.onAction({ currentTarget: { dataset: { name: 'signup' } } })
    await flush()
    expect(wx.requestSubscribeMessage).toHaveBeenCalledWith(expect.objectContaining({ tmplIds: ['tmpl-call'] }))
    expect(server.calls('POST', '/calls/7/signup')).toHaveLength(1)
    expect(wx.requestSubscribeMessage.mock.invocationCallOrder[0]).toBeLessThan(wx.showModal.mock.invocationCallOrder[0])
  })

  test('accepting an order asks for the team-work reminders (DISPATCHED, REMINDER) before it is sent', async () => {
    const wx = installWx()
    const volunteer = fixture('users').volunteer
    signIn(wx, volunteer)
    const server = serveFixtures(wx, volunteer)
    server.on('GET', '/orders/{id}', req => Object.assign(withActions(fixture('order-dispatched'), ['accept']), { id: Number(req.params.id) }))
    server.on('POST', '/orders/{id}/accept', req => Object.assign(withActions(fixture('order-dispatched'), []), { id: Number(req.params.id), status: 'accepted' }))
    const page = await renderPage('pages/orders/detail/index', { id: '501' })
    require(path.join(MP_ROOT, 'config/index')).SUBSCRIBE_TEMPLATE_IDS.teamWork = ['tmpl-dispatched', 'tmpl-reminder']
    await page.instance.onOrderAction({ detail: { name: 'accept', id: 501 } })
    await flush()
    expect(wx.requestSubscribeMessage).toHaveBeenCalledWith(expect.objectContaining({ tmplIds: ['tmpl-dispatched', 'tmpl-reminder'] }))
    const sent = wx.request.mock.calls.findIndex(call => /\/orders\/501\/accept$/.test(call[0].url))
    expect(wx.requestSubscribeMessage.mock.invocationCallOrder[0]).toBeLessThan(wx.request.mock.invocationCallOrder[sent])
    expect(server.calls('POST', '/orders/501/accept')).toHaveLength(1)
  })

  test('staff see who signed up and confirm one who came', async () => {
    const wx = installWx()
    const staff = fixture('users').staff
    signIn(wx, staff)
    const server = serveFixtures(wx, staff)
    const signups = [
      { id: 1, user_id: 21, status: 'checked_in', status_label: '已签到，待确认', name: '张明', phone: '13900005678', is_party_member: true, work_unit: '县人民医院' },
      { id: 2, user_id: 22, status: 'confirmed', status_label: '已确认签到', name: '陈建国', phone: '13700000001', is_party_member: false, work_unit: '' },
    ]
    let confirmed = false
    server.on('GET', '/calls/{id}', () => Object.assign({}, fixture('calls').items[0], {
      allowed_actions: ['close'], recipient_count: 12, signup_count: 2,
      signups: confirmed ? signups.map(s => Object.assign({}, s, { status: 'confirmed' })) : signups,
    }))
    server.on('POST', '/calls/{id}/signups/{user_id}/confirm', () => { confirmed = true; return Object.assign({}, signups[0], { status: 'confirmed' }) })
    const page = await renderPage('packageVolunteer/pages/call-detail/index', { id: '7' })
    expect(text(page)).toContain('报名情况')
    expect(text(page)).toContain('召集 12 人')
    expect(texts(page, 'signup-status')).toEqual(['已签到，待确认', '已确认签到'])
    expect(findAll(page, 'confirm-signup')).toHaveLength(1)  // only the one not yet confirmed
    expect(texts(page, 'call-action')).toEqual(['结束报名'])
    await page.instance.onConfirmSignup({ currentTarget: { dataset: { index: 0 } } })
    await flush()
    expect(server.calls('POST', '/calls/7/signups/21/confirm')).toHaveLength(1)
    expect(wx.showToast).toHaveBeenCalledWith({ title: '已确认签到', icon: 'success' })
    expect(findAll(page, 'confirm-signup')).toHaveLength(0)
  })

  test('a volunteer sees no sign-up list', async () => {
    const wx = installWx()
    const volunteer = fixture('users').volunteer
    signIn(wx, volunteer)
    serveFixtures(wx, volunteer)
    const page = await renderPage('packageVolunteer/pages/call-detail/index', { id: '7' })
    expect(text(page)).not.toContain('报名情况')
  })

  test('a full call answers 409 and the message is shown', async () => {
    const wx = installWx()
    const volunteer = fixture('users').volunteer
    signIn(wx, volunteer)
    const server = serveFixtures(wx, volunteer)
    server.on('POST', '/calls/{id}/signup', error(409, 'conflict', '报名人数已满'))
    const page = await renderPage('packageVolunteer/pages/call-detail/index', { id: '7' })
    await page.instance.onAction({ currentTarget: { dataset: { name: 'signup' } } })
    await flush()
    expect(toasts(wx)).toEqual(['报名人数已满'])
  })
})
