// What people do on the pages: paging, messages, phone binding, roles, 关怀模式, scanning, queues.
const { installWx, flush, toasts, error } = require('./helpers/wx')
const path = require('path')
const { renderPage, renderComponent, text, texts, findAll, MP_ROOT } = require('./helpers/render')
const { fixture, signIn } = require('./helpers/fixtures')
const { serveFixtures } = require('./helpers/server')

function setup(userKey) {
  const wx = installWx()
  const user = fixture('users')[userKey || 'resident']
  signIn(wx, user)
  const server = serveFixtures(wx, user)
  return { wx, server, user }
}

describe('我的订单', () => {
  test('lists my orders (view=requester), pages by next_cursor, and pull-to-refresh stops', async () => {
    const { wx, server } = setup()
    server.on('GET', '/orders', req => (req.query.cursor ? fixture('orders-page2') : fixture('orders')))
    const page = await renderPage('pages/orders/list/index')
    expect(server.calls('GET', '/orders')[0].query).toMatchObject({ view: 'requester', limit: '20' })
    expect(page.querySelectorAll('.order-item')).toHaveLength(2)
    await page.instance.onReachBottom()
    await flush()
    expect(server.calls('GET', '/orders')[1].query.cursor).toBe('eyJpZCI6NjAyfQ')
    expect(page.querySelectorAll('.order-item')).toHaveLength(3)
    expect(text(page)).toContain('已经到底了')
    await page.instance.onReachBottom() // nothing more to load
    expect(server.calls('GET', '/orders')).toHaveLength(2)
    await page.instance.onPullDownRefresh()
    await flush()
    expect(wx.stopPullDownRefresh).toHaveBeenCalled()
    expect(page.querySelectorAll('.order-item')).toHaveLength(2)
  })

  test('a status tab filters by status; an empty tab says so', async () => {
    const { server } = setup()
    server.on('GET', '/orders', req => (req.query.status === 'rated' ? { items: [], next_cursor: null } : fixture('orders')))
    const page = await renderPage('pages/orders/list/index')
    await page.instance.onTab({ currentTarget: { dataset: { key: 'rated' } } })
    await flush()
    expect(server.calls('GET', '/orders').pop().query.status).toBe('rated')
    expect(text(page)).toContain('还没有这类订单')
  })

  test('a failed next page can be retried from the footer', async () => {
    const { wx, server } = setup()
    const page = await renderPage('pages/orders/list/index')
    wx.__state.network = false
    await page.instance.onReachBottom()
    await flush()
    expect(text(page)).toContain('加载失败，点这里重试')
    wx.__state.network = true
    server.on('GET', '/orders', fixture('orders-page2'))
    await page.instance.retryMore()
    await flush()
    expect(text(page)).toContain('住院期间需要陪护两天')
  })

  test('overdue orders are marked', async () => {
    setup()
    const page = await renderPage('pages/orders/list/index')
    const cards = page.querySelectorAll('.order-item')
    expect(texts(cards[0], 'overdue-mark')).toEqual(['已超期'])
    expect(texts(cards[1], 'overdue-mark')).toEqual([])
  })
})

describe('订单详情', () => {
  test('shows the timeline newest first, the rating and the result', async () => {
    const { server } = setup()
    server.on('GET', '/orders/{id}', fixture('order-rated'))
    const page = await renderPage('pages/orders/detail/index', { id: '502' })
    const labels = texts(page, 'event-label')
    expect(labels[0]).toBe('居民已评价')
    expect(labels[labels.length - 1]).toBe('提交了服务需求')
    expect(text(page)).toContain('更换了温控器')
    expect(text(page)).toContain('师傅手艺好，谢谢！')
    expect(findAll(page, 'star-on')).toHaveLength(5)
    // Photos are fetched with the token, not shown from a bare URL.
    expect(server.calls('GET', '/attachments/a1b2c3')).toHaveLength(1)
    expect(server.calls('GET', '/attachments/a1b2c3')[0].header.Authorization).toBe('Bearer token-11')
  })

  test('a missing order shows the error with a retry', async () => {
    const { server } = setup()
    server.on('GET', '/orders/{id}', error(404, 'not_found', '订单不存在'))
    const page = await renderPage('pages/orders/detail/index', { id: '999' })
    expect(text(page)).toContain('订单不存在')
    expect(text(page)).toContain('重新加载')
  })

  test('a masked phone cannot be dialled; a whole one can', async () => {
    const { wx, server } = setup('volunteer')
    server.on('GET', '/orders/{id}', Object.assign(fixture('order-dispatched'), { contact_phone: '138****1234' }))
    let page = await renderPage('pages/orders/detail/index', { id: '501' })
    page.instance.onCall()
    expect(wx.makePhoneCall).not.toHaveBeenCalled()
    server.on('GET', '/orders/{id}', fixture('order-dispatched'))
    page = await renderPage('pages/orders/detail/index', { id: '501' })
    page.instance.onCall()
    expect(wx.makePhoneCall).toHaveBeenCalledWith(expect.objectContaining({ phoneNumber: '13812341234' }))
  })
})

describe('消息中心', () => {
  test('opening an unread message marks it read, updates the badge and opens its page', async () => {
    const { wx, server } = setup()
    const page = await renderPage('pages/messages/index/index')
    expect(wx.setTabBarBadge).toHaveBeenCalledWith({ index: 3, text: '1' })
    expect(findAll(page, 'unread-dot')).toHaveLength(1)
    await page.instance.onOpen({ currentTarget: { dataset: { index: 0 } } })
    await flush()
    expect(server.calls('POST', '/me/messages/9001/read')).toHaveLength(1)
    expect(wx.navigateTo).toHaveBeenCalledWith({ url: '/pages/orders/detail/index?id=501' })
    expect(wx.removeTabBarBadge).toHaveBeenCalledWith({ index: 3 })
    expect(findAll(page, 'unread-dot')).toHaveLength(0)
  })

  test('全部已读 marks everything read', async () => {
    const { wx, server } = setup()
    const page = await renderPage('pages/messages/index/index')
    await page.instance.onReadAll()
    await flush()
    expect(server.calls('POST', '/me/messages/read-all')).toHaveLength(1)
    expect(text(page)).not.toContain('条未读消息')
    expect(wx.removeTabBarBadge).toHaveBeenCalled()
  })

  test('tab pages refresh the unread badge when shown', async () => {
    const { wx, server } = setup()
    server.on('GET', '/me/messages', Object.assign(fixture('messages'), { unread: 12 }))
    await renderPage('pages/home/index/index')
    expect(server.calls('GET', '/me/messages')[0].query).toMatchObject({ unread: 'true' })
    expect(wx.setTabBarBadge).toHaveBeenCalledWith({ index: 3, text: '12' })
  })

  test('no messages: a friendly empty state', async () => {
    const { server } = setup()
    server.on('GET', '/me/messages', { items: [], next_cursor: null, unread: 0 })
    const page = await renderPage('pages/messages/index/index')
    expect(text(page)).toContain('暂时没有消息')
  })
})

describe('我的', () => {
  test('binding the phone with the getPhoneNumber code', async () => {
    const { wx, server } = setup('residentNoPhone')
    const page = await renderPage('pages/me/index/index')
    expect(text(page)).toContain('一键绑定手机号')
    await page.instance.onGetPhoneNumber({ detail: { errMsg: 'getPhoneNumber:fail user deny' } })
    expect(toasts(wx)).toEqual(['您取消了授权，可以稍后再绑定'])
    expect(server.calls('POST', '/me/phone')).toHaveLength(0)
    await page.instance.onGetPhoneNumber({ detail: { code: 'phone-code-1', errMsg: 'getPhoneNumber:ok' } })
    await flush()
    expect(server.calls('POST', '/me/phone')[0].body).toEqual({ code: 'phone-code-1' })
    expect(text(page)).toContain('138****1234')
    expect(text(page)).not.toContain('一键绑定手机号')
  })

  test('关怀模式 turns on large text for every page', async () => {
    const { wx } = setup()
    const page = await renderPage('pages/me/index/index')
    expect(page.dom.firstChild.getAttribute('class')).not.toContain('care')
    page.instance.onCareChange({ detail: { value: true } })
    await flush()
    expect(wx.__storage['settings.careMode']).toBe(true)
    expect(page.dom.firstChild.getAttribute('class')).toContain('main--care')
    const home = await renderPage('pages/home/index/index')
    expect(home.dom.firstChild.getAttribute('class')).toContain('main--care')
  })

  test('switching role changes the workbench', async () => {
    const { wx } = setup('staff')
    let page = await renderPage('pages/me/index/index')
    expect(text(page)).toContain('切换身份')
    wx.showActionSheet.mockImplementation(o => Promise.resolve().then(() => o.success({ tapIndex: 1 })))
    await page.instance.onSwitchRole()
    expect(wx.showActionSheet.mock.calls[0][0].itemList).toEqual(['居民', '志愿者', '社区工作人员'])
    expect(wx.__storage['session.activeRole']).toBe('volunteer')
    page = await renderPage('pages/workbench/index/index')
    expect(text(page)).toContain('接单大厅')
    expect(text(page)).not.toContain('亮单审核')
    page.instance.onSwitchRole({ currentTarget: { dataset: { key: 'staff' } } })
    await flush()
    expect(text(page)).toContain('亮单审核')
  })

  test('a resident’s workbench invites them to join a team', async () => {
    setup()
    const page = await renderPage('pages/workbench/index/index')
    expect(text(page)).toContain('加入服务队')
    expect(text(page)).not.toContain('切换身份')
  })

  test('a leader sees 发布亮单; a member does not', async () => {
    setup('leader')
    let page = await renderPage('pages/workbench/index/index')
    expect(text(page)).toContain('发布亮单')
    setup('volunteer')
    page = await renderPage('pages/workbench/index/index')
    expect(text(page)).not.toContain('发布亮单')
  })

  test('profile: PATCH /me with the allowed fields only', async () => {
    const { server } = setup()
    const page = await renderPage('pages/me/profile/index')
    page.instance.onInput({ currentTarget: { dataset: { field: 'real_name' } }, detail: { value: ' 王秀英 ' } })
    page.instance.onCommunity({ detail: { id: 4, name: '青山社区' } }) // from the community picker
    await page.instance.onSave()
    await flush()
    expect(server.calls('PATCH', '/me')[0].body).toEqual({
      nickname: '王阿姨',
      real_name: '王秀英',
      home_area_id: 4,
      is_party_member: false,
      work_unit: '',
    })
  })
})

describe('扫码登录', () => {
  test.each([
    ['ticket-abc123', 'ticket-abc123'],
    ['https://wudan.example.com/console/login/Tk_9f8e7d6c', 'Tk_9f8e7d6c'],
  ])('scanning %j approves ticket %j', async (content, ticket) => {
    const { wx, server } = setup('staff')
    wx.scanCode.mockImplementation(o => Promise.resolve().then(() => o.success({ result: content })))
    const page = await renderPage('packageStaff/pages/scan/index')
    await page.instance.onScan()
    await flush()
    expect(wx.scanCode.mock.calls[0][0]).toMatchObject({ onlyFromCamera: true, scanType: ['qrCode'] })
    expect(server.calls('GET', '/auth/console-tickets/' + ticket + '/info')).toHaveLength(1)
    expect(server.calls('POST', '/auth/console-tickets/' + ticket + '/approve')).toHaveLength(1)
    expect(text(page)).toContain('已确认登录')
  })

  test('before approving, the phone shows which computer asks: its browser, IP address and time', async () => {
    const { wx, server } = setup('staff')
    let asked = null
    wx.showModal.mockImplementation(o => {
      asked = o.content
      return Promise.resolve().then(() => o.success({ confirm: false, cancel: true }))
    })
    const page = await renderPage('packageStaff/pages/scan/index')
    await page.instance.onScan()
    await flush()
    expect(asked).toContain('Chrome 131（Windows）')
    expect(asked).toContain('203.0.113.7')
    expect(asked).toContain('12月3日 13:50')
    expect(text(page)).toContain('请求登录的电脑')
    expect(text(page)).toContain('203.0.113.7')
    expect(server.calls('POST', '/auth/console-tickets/ticket-abc123/approve')).toHaveLength(0) // cancelled
  })

  test('a ticket the server does not know is not approved', async () => {
    const { wx, server } = setup('staff')
    server.on('GET', '/auth/console-tickets/{ticket}/info', error(404, 'not_found', '二维码无效，请刷新后重新扫码'))
    const page = await renderPage('packageStaff/pages/scan/index')
    await page.instance.onScan()
    await flush()
    expect(toasts(wx)).toEqual(['二维码无效，请刷新后重新扫码'])
    expect(wx.showModal).not.toHaveBeenCalled()
    expect(server.calls('POST', '/auth/console-tickets/ticket-abc123/approve')).toHaveLength(0)
  })

  test('a code that is not a console ticket is refused without a request', async () => {
    const { wx, server } = setup('staff')
    wx.scanCode.mockImplementation(o => Promise.resolve().then(() => o.success({ result: 'https://example.com/' })))
    const page = await renderPage('packageStaff/pages/scan/index')
    await page.instance.onScan()
    await flush()
    expect(server.requests.filter(r => r.path.indexOf('/auth/console-tickets') === 0)).toHaveLength(0)
    expect(toasts(wx)).toEqual(['这不是社区工作台的登录二维码'])
  })

  test('an expired ticket shows the server’s message', async () => {
    const { wx, server } = setup('staff')
    server.on('POST', '/auth/console-tickets/{ticket}/approve', error(404, 'not_found', '二维码已过期，请刷新后重试'))
    const page = await renderPage('packageStaff/pages/scan/index')
    await page.instance.onScan()
    await flush()
    expect(toasts(wx)).toEqual(['二维码已过期，请刷新后重试'])
    expect(text(page)).toContain('二维码已过期')
  })
})

describe('待派单', () => {
  test('overdue orders come first: overdue=true to its end, then overdue=false', async () => {
    const { server } = setup('staff')
    const order = (id, overdue) => Object.assign({}, fixture('orders').items[0], { id, overdue, allowed_actions: ['dispatch', 'cancel'] })
    server.on('GET', '/orders', req => {
      if (req.query.overdue === 'true') return req.query.cursor ? { items: [order(3, true)], next_cursor: null } : { items: [order(1, true), order(2, true)], next_cursor: 'c1' }
      return { items: [order(4, false), order(5, false)], next_cursor: null }
    })
    const page = await renderPage('packageStaff/pages/dispatch-queue/index')
    expect(server.calls('GET', '/orders')[0].query).toMatchObject({ view: 'area', status: 'ordered', overdue: 'true' })
    await page.instance.onReachBottom()
    await flush()
    await page.instance.onReachBottom()
    await flush()
    expect(page.instance.data.items.map(i => i.id)).toEqual([1, 2, 3, 4, 5])
    expect(server.calls('GET', '/orders').map(r => r.query.overdue)).toEqual(['true', 'true', 'false'])
    expect(text(page)).toContain('有 3 个订单已超期')
    const first = page.querySelectorAll('.order-item')[0]
    expect(texts(first, 'action')).toEqual(['派单', '取消订单'])
  })

  test('likely duplicates are marked from the server and one is cancelled naming the other', async () => {
    const { wx, server } = setup('staff')
    const order = id => Object.assign({}, fixture('orders').items[0], { id, overdue: false, allowed_actions: ['dispatch', 'cancel'] })
    server.on('GET', '/orders', req => (req.query.overdue === 'true' ? { items: [], next_cursor: null } : { items: [order(11), order(12), order(13)], next_cursor: null }))
    server.on('GET', '/orders/duplicates', { items: [{ order_id: 11, duplicates: [12] }, { order_id: 12, duplicates: [11] }] })
    server.on('POST', '/orders/{id}/cancel', req => Object.assign(order(Number(req.params.id)), { status: 'cancelled' }))
    const page = await renderPage('packageStaff/pages/dispatch-queue/index')
    expect(server.calls('GET', '/orders/duplicates')[0].query).toEqual({ ids: '11,12,13' })
    expect(page.querySelectorAll('.duplicate-bar')).toHaveLength(2)
    expect(text(page)).toContain('可能与订单 #12 重复')
    page.querySelectorAll('.duplicate-cancel')[1].dispatchEvent('tap')
    await flush()
    expect(wx.showModal.mock.calls[0][0].content).toContain('#12 作为 #11 的重复单')
    expect(server.calls('POST', '/orders/12/cancel')[0].body).toEqual({ reason: '与工单 #11 重复' })
    expect(page.instance.data.items.map(i => i.id)).toEqual([11, 13])
    expect(page.querySelectorAll('.duplicate-bar')).toHaveLength(0)
    expect(toasts(wx)).toEqual(['已取消，保留 #11'])
  })

  test('no overdue orders: goes straight on to the rest', async () => {
    const { server } = setup('staff')
    server.on('GET', '/orders', req => (req.query.overdue === 'true' ? { items: [], next_cursor: null } : fixture('orders')))
    const page = await renderPage('packageStaff/pages/dispatch-queue/index')
    expect(page.querySelectorAll('.order-item')).toHaveLength(2)
    expect(text(page)).not.toContain('个订单已超期')
  })
})

describe('亮单审核 and 评单审核', () => {
  test('approve removes the offering; reject needs a reason', async () => {
    const { wx, server } = setup('staff')
    server.on('GET', '/offerings', { items: fixture('offerings').items.map(o => Object.assign({}, o, { status: 'pending' })), next_cursor: null })
    const page = await renderPage('packageStaff/pages/offering-review/index')
    expect(server.calls('GET', '/offerings')[0].query).toMatchObject({ status: 'pending', area_id: '3' })
    await page.instance.onApprove({ currentTarget: { dataset: { id: 101 } } })
    await flush()
    expect(server.calls('POST', '/offerings/101/approve')[0].body).toEqual({})
    expect(text(page)).not.toContain('陪老人去医院看病')
    page.instance.onReject({ currentTarget: { dataset: { id: 102 } } })
    await flush()
    const dialog = page.querySelector('#reason-dialog')
    dialog.querySelector('.confirm').dispatchEvent('tap')
    await flush()
    expect(server.calls('POST', '/offerings/102/reject')).toHaveLength(0)
    await page.instance.onRejectConfirm({ detail: { text: '与已有服务重复' } })
    await flush()
    expect(server.calls('POST', '/offerings/102/reject')[0].body).toEqual({ reason: '与已有服务重复' })
    expect(text(page)).toContain('没有待审核的亮单')
    expect(toasts(wx)).toEqual(['审核未通过'])
  })

  test('low ratings first; the follow-up note goes to POST /orders/{id}/review', async () => {
    const { server } = setup('staff')
    server.on('POST', '/orders/{id}/review', req => Object.assign(fixture('order-rated'), { body: req.body }))
    const page = await renderPage('packageStaff/pages/rating-review/index')
    expect(server.calls('GET', '/ratings')[0].query).toMatchObject({ max_stars: '2', reviewed: 'false' })
    page.instance.onReview({ currentTarget: { dataset: { order: 502, id: 301 } } })
    await page.instance.onDialogConfirm({ detail: { text: '已电话回访，居民表示满意' } })
    await flush()
    expect(server.calls('POST', '/orders/502/review')[0].body).toEqual({ note: '已电话回访，居民表示满意' })
    expect(text(page)).toContain('没有需要回访的评价')
  })
})

describe('志愿者', () => {
  test('接单大厅 without a team offers to join one', async () => {
    const { wx } = setup()
    const page = await renderPage('packageVolunteer/pages/tasks/index')
    expect(text(page)).toContain('您还没有加入志愿服务队')
    page.instance.onJoin()
    expect(wx.navigateTo).toHaveBeenCalledWith({ url: '/pages/me/join-team/index' })
  })

  test('积分: ledger and leaderboard by period', async () => {
    const { server } = setup('volunteer')
    const page = await renderPage('packageVolunteer/pages/points/index')
    expect(text(page)).toContain('吹哨报到')
    expect(text(page)).toContain('+25')
    await page.instance.onTab({ currentTarget: { dataset: { tab: 'board' } } })
    await flush()
    expect(server.calls('GET', '/points/leaderboard')[0].query).toEqual({ area_id: '3', period: 'month' })
    expect(text(page)).toContain('小张（我）')
    await page.instance.onPeriod({ currentTarget: { dataset: { key: 'year' } } })
    await flush()
    expect(server.calls('GET', '/points/leaderboard')[1].query.period).toBe('year')
  })

  test('我的活动 asks for mine=true and shows what the server answers', async () => {
    const { server } = setup('volunteer')
    server.on('GET', '/calls', req => {
      const items = fixture('calls').items
      return { items: req.query.mine === 'true' ? items.filter(c => c.my_signup) : items, next_cursor: null }
    })
    const page = await renderPage('packageVolunteer/pages/calls/index', { mine: '1' })
    expect(server.calls('GET', '/calls')[0].query).toMatchObject({ mine: 'true' })
    expect(text(page)).toContain('敬老院慰问')
    expect(text(page)).not.toContain('防汛巡查')
    await page.instance.onTab({ currentTarget: { dataset: { mine: '0' } } })
    await flush()
    expect(text(page)).toContain('防汛巡查')
  })

  test.each(['resident', 'volunteer', 'staff'])('the %s’s call list leaves the area to the server', async who => {
    // The server shows the calls of every area the user belongs to (home, teams, grants) and those
    // above them; sending one area would hide a town's call or a team's community.
    const { server } = setup(who)
    await renderPage('packageVolunteer/pages/calls/index')
    const query = server.calls('GET', '/calls')[0].query
    expect(query).toEqual({ limit: '20' })
  })

  test('residents reach 志愿活动 from the workbench and 我的活动 from 我的', async () => {
    const { wx } = setup('resident')
    const bench = await renderPage('pages/workbench/index/index')
    const entry = bench.instance.data.entries.findIndex(e => e.page === 'calls')
    expect(bench.instance.data.entries[entry].label).toBe('志愿活动')
    bench.instance.onEntry({ currentTarget: { dataset: { index: entry } } })
    expect(wx.navigateTo.mock.calls.pop()[0].url).toBe('/packageVolunteer/pages/calls/index')
    const me = await renderPage('pages/me/index/index')
    expect(text(me)).toContain('我的活动')
    expect(text(me)).not.toContain('我的服务队')
  })

  test('the call list offers 吹哨 reminders when the template is configured', async () => {
    const { wx } = setup('volunteer')
    const page = await renderPage('packageVolunteer/pages/calls/index', {}, { skipLoad: true })
    require(path.join(MP_ROOT, 'config/index')).SUBSCRIBE_TEMPLATE_IDS.calls = ['tmpl-call']
    await page.instance.onLoad({})
    await flush()
    expect(text(page)).toContain('社区吹哨时微信提醒我')
    await page.instance.onSubscribe()
    expect(wx.requestSubscribeMessage).toHaveBeenCalledWith(expect.objectContaining({ tmplIds: ['tmpl-call'] }))
    expect(wx.showToast).toHaveBeenCalledWith({ title: '社区吹哨时会提醒您', icon: 'none' })
    setup('volunteer')
    const plain = await renderPage('packageVolunteer/pages/calls/index')  // modules anew: no template
    expect(text(plain)).not.toContain('社区吹哨时微信提醒我')
  })

  test('the team page copies the invite code and withdraws an offering', async () => {
    const { wx, server } = setup('leader')
    const page = await renderPage('packageVolunteer/pages/team/index')
    expect(text(page)).toContain('陪医、家电维修、助老')
    page.instance.onCopyCode({ currentTarget: { dataset: { code: 'SY2024' } } })
    expect(wx.setClipboardData).toHaveBeenCalledWith(expect.objectContaining({ data: 'SY2024' }))
    await page.instance.onWithdraw({ currentTarget: { dataset: { id: 101 } } })
    await flush()
    expect(server.calls('POST', '/offerings/101/withdraw')).toHaveLength(1)
  })
})

describe('photo picker', () => {
  test('skips photos over 5 MB and uploads the rest as `file`', async () => {
    const { wx, server } = setup()
    wx.chooseMedia.mockImplementation(o => Promise.resolve().then(() => o.success({
      tempFiles: [
        { tempFilePath: 'wxfile://big.jpg', size: 6 * 1024 * 1024 },
        { tempFilePath: 'wxfile://ok.jpg', size: 300 * 1024 },
      ],
    })))
    const comp = await renderComponent('components/photo-picker/index', { max: 3 })
    const changed = jest.fn()
    comp.addEventListener('change', changed)
    await comp.instance.onAdd()
    await flush()
    expect(toasts(wx)).toEqual(['照片不能超过 5MB，已跳过过大的照片'])
    expect(wx.uploadFile).toHaveBeenCalledTimes(1)
    expect(wx.uploadFile.mock.calls[0][0]).toMatchObject({ filePath: 'wxfile://ok.jpg', name: 'file' })
    expect(server.calls('POST', '/attachments')).toHaveLength(1)
    expect(changed.mock.calls[0][0].detail.ids).toEqual(['f00dcafe'])
    comp.instance.onRemove({ currentTarget: { dataset: { index: 0 } } })
    expect(comp.instance.getIds()).toEqual([])
  })
})
