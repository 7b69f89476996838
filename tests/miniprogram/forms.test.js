// Form validation: nothing is sent until the form is right, and the user is told what to fix.
const path = require('path')
const { installWx, flush, toasts, error } = require('./helpers/wx')
const { renderPage, renderComponent, text, texts, findAll, MP_ROOT } = require('./helpers/render')
const { fixture, signIn } = require('./helpers/fixtures')
const { serveFixtures } = require('./helpers/server')

const validate = require(path.join(MP_ROOT, 'utils/validate'))

const GOOD_ORDER = {
  category: 'escort',
  area_id: 3,
  description: '明天上午要去县医院复查，需要有人陪同',
  address: '3 栋 2 单元 401',
  contact_name: '王秀兰',
  contact_phone: '13812341234',
}

describe('validate.js', () => {
  test('a complete order form passes', () => {
    expect(validate.validateOrderForm(GOOD_ORDER)).toEqual({})
  })

  test.each([
    ['category', '', '请选择服务类别'],
    ['area_id', null, '请选择所在社区'],
    ['description', '', '请说一说需要什么帮助'],
    ['description', '帮忙', '请多写几个字，至少 5 个字'],
    ['address', '  ', '请填写服务地址'],
    ['contact_name', '', '请填写联系人'],
    ['contact_phone', '', '请填写联系电话'],
    ['contact_phone', '1381234', '请填写 11 位手机号码'],
    ['contact_phone', '23812341234', '请填写 11 位手机号码'],
  ])('%s = %j → %s', (field, value, message) => {
    const errors = validate.validateOrderForm(Object.assign({}, GOOD_ORDER, { [field]: value }))
    expect(errors[field]).toBe(message)
  })

  test('on behalf of a resident needs their name and phone', () => {
    const errors = validate.validateOrderForm(GOOD_ORDER, { onBehalf: true })
    expect(errors).toEqual({ behalf_name: '请填写居民姓名', behalf_phone: '请填写居民电话' })
  })

  test('ratings need stars; a low score needs a word on what went wrong', () => {
    expect(validate.validateRating({ stars: 0 })).toEqual({ stars: '请点星星打分' })
    expect(validate.validateRating({ stars: 5 })).toEqual({})
    expect(validate.validateRating({ stars: 1, comment: '', tags: [] }).comment).toBeTruthy()
    expect(validate.validateRating({ stars: 2, tags: ['来得太晚'] })).toEqual({})
  })

  test('completion, reasons, invite codes, offerings and calls', () => {
    expect(validate.validateCompletion({ result: '' }).result).toBe('请写一写服务的结果')
    expect(validate.validateCompletion({ result: '已陪同就医' })).toEqual({})
    expect(validate.validateReason('  ', '原因')).toBe('请填写原因')
    expect(validate.validateReason('时间冲突')).toBe('')
    expect(validate.validateInviteCode('')).toBe('请输入邀请码')
    expect(validate.validateInviteCode('有中文')).toMatch('邀请码')
    expect(validate.validateInviteCode('SY2024')).toBe('')
    expect(Object.keys(validate.validateOffering({}))).toEqual(['category', 'title', 'description'])
    expect(validate.validateCall({ area_id: 3, title: 'a', place: 'b', date: '2030-01-01', time: '08:00', quota: 0, description: 'c' })).toEqual({
      quota: '请填写需要的人数（1–1000）',
    })
  })
})

describe('点单 form', () => {
  let wx
  let server

  beforeEach(() => {
    wx = installWx()
    const resident = fixture('users').resident
    signIn(wx, resident)
    server = serveFixtures(wx, resident)
  })

  test('an empty form shows the errors beside the fields and sends nothing', async () => {
    const noPhone = fixture('users').residentNoPhone
    signIn(wx, noPhone)
    serveFixtures(wx, noPhone)
    const page = await renderPage('packageResident/pages/order-create/index')
    await page.instance.onSubmit()
    await flush()
    expect(server.calls('POST', '/orders')).toHaveLength(0)
    const errors = findAll(page, 'field-error').map(el => el.textContent.trim())
    expect(errors).toEqual(expect.arrayContaining(['请选择服务类别', '请说一说需要什么帮助', '请填写服务地址', '请填写联系电话']))
    expect(toasts(wx)).toEqual(['请选择服务类别'])
  })

  test('a wrong phone number is caught before sending', async () => {
    const page = await renderPage('packageResident/pages/order-create/index', { category: 'escort' })
    await page.instance.onPhoneChoice({ currentTarget: { dataset: { bound: 'no' } } })
    page.instance.setData({ form: Object.assign({}, page.instance.data.form, GOOD_ORDER, { contact_phone: '12345' }) })
    await page.instance.onSubmit()
    await flush()
    expect(server.calls('POST', '/orders')).toHaveLength(0)
    expect(text(page)).toContain('请填写 11 位手机号码')
  })

  test('a valid order asks for subscriptions, sends with an Idempotency-Key and opens the order', async () => {
    const page = await renderPage('packageResident/pages/order-create/index', { offering_id: '101' })
    require(path.join(MP_ROOT, 'config/index')).SUBSCRIBE_TEMPLATE_IDS.orderProgress = ['tmpl-order-progress']
    const form = page.instance.data.form
    expect(form.category).toBe('escort')
    expect(form.area_id).toBe(3)
    expect(form.contact_name).toBe('王秀兰')
    page.instance.setData({
      form: Object.assign({}, form, { description: GOOD_ORDER.description, address: GOOD_ORDER.address, contact_phone: GOOD_ORDER.contact_phone, date: '2030-05-03', slot: '上午' }),
    })
    // A photo: chooseMedia then uploadFile to POST /attachments (field `file`).
    await page.querySelector('#photos').instance.onAdd()
    await flush()
    expect(wx.chooseMedia).toHaveBeenCalledWith(expect.objectContaining({ mediaType: ['image'] }))
    expect(wx.uploadFile.mock.calls[0][0]).toMatchObject({ name: 'file', url: 'http://127.0.0.1:5000/api/v1/attachments' })

    await page.instance.onSubmit()
    await flush()
    expect(wx.requestSubscribeMessage).toHaveBeenCalledWith(expect.objectContaining({ tmplIds: ['tmpl-order-progress'] }))
    expect(wx.requestSubscribeMessage.mock.invocationCallOrder[0]).toBeLessThan(wx.request.mock.invocationCallOrder.slice(-1)[0])
    const sent = server.calls('POST', '/orders')
    expect(sent).toHaveLength(1)
    expect(sent[0].body).toEqual({
      category: 'escort',
      area_id: 3,
      description: GOOD_ORDER.description,
      address: GOOD_ORDER.address,
      contact_name: '王秀兰',
      use_bound_phone: true, // the bound phone is offered: nothing to type
      offering_id: 101,
      title: '陪老人去医院看病',
      preferred_time: '2030-05-03 上午',
      photos: ['f00dcafe'],
    })
    expect(sent[0].header['Idempotency-Key']).toMatch(/^order-/)
    expect(wx.redirectTo).toHaveBeenCalledWith({ url: '/pages/orders/detail/index?id=777' })
    // The address and contact are remembered for next time.
    expect(wx.__storage['order.lastContact']).toEqual({ area_id: 3, address: GOOD_ORDER.address, contact_name: '王秀兰', contact_phone: '' })
  })

  test('a retry of the same body reuses its Idempotency-Key', async () => {
    let first = true
    server.on('POST', '/orders', () => {
      if (first) {
        first = false
        return error(429, 'rate_limited', '操作太频繁，请稍后再试')
      }
      return { id: 778, status: 'ordered' }
    })
    const page = await renderPage('packageResident/pages/order-create/index', { category: 'escort' })
    page.instance.setData({ form: Object.assign({}, page.instance.data.form, GOOD_ORDER) })
    await page.instance.onSubmit()
    await flush()
    expect(toasts(wx)).toEqual(['操作太频繁，请稍后再试'])
    await page.instance.onSubmit()
    await flush()
    const keys = server.calls('POST', '/orders').map(r => r.header['Idempotency-Key'])
    expect(keys).toHaveLength(2)
    expect(keys[0]).toBe(keys[1])
  })

  test('server field errors (422) are shown beside the fields', async () => {
    server.on('POST', '/orders', error(422, 'validation_error', '提交的内容有误', { address: ['长度不能超过 200'] }))
    const page = await renderPage('packageResident/pages/order-create/index', { category: 'escort' })
    page.instance.setData({ form: Object.assign({}, page.instance.data.form, GOOD_ORDER) })
    await page.instance.onSubmit()
    await flush()
    expect(text(page)).toContain('长度不能超过 200')
  })

  test('an open order of the same need is shown and the form asks before sending a second one', async () => {
    server.on('GET', '/orders/possible-duplicates', { items: [{ id: 640, title: '陪医', status: 'dispatched', created_at: '2030-05-01T09:30:00+08:00' }] })
    const page = await renderPage('packageResident/pages/order-create/index', { category: 'escort' })
    page.instance.setData({ form: Object.assign({}, page.instance.data.form, GOOD_ORDER) })
    // 查看已有: nothing is sent, the open order opens.
    wx.showModal.mockImplementationOnce(o => o.success({ confirm: false, cancel: true }))
    await page.instance.onSubmit()
    await flush()
    expect(server.calls('GET', '/orders/possible-duplicates')[0].query).toEqual({ category: 'escort' })
    const asked = wx.showModal.mock.calls[0][0]
    expect(asked.title).toBe('已有同类工单')
    expect(asked.content).toContain('5月1日 09:30提交的「陪医」还在办理中（待接单）')
    expect([asked.confirmText, asked.cancelText]).toEqual(['仍要提交', '查看已有'])
    expect(server.calls('POST', '/orders')).toHaveLength(0)
    expect(wx.navigateTo).toHaveBeenCalledWith({ url: '/pages/orders/detail/index?id=640' })
    // 仍要提交: the order is sent.
    await page.instance.onSubmit()
    await flush()
    expect(server.calls('POST', '/orders')).toHaveLength(1)
  })

  test('no open order of the same need: no question, the order is sent', async () => {
    server.on('GET', '/orders/possible-duplicates', { items: [] })
    const page = await renderPage('packageResident/pages/order-create/index', { category: 'escort' })
    page.instance.setData({ form: Object.assign({}, page.instance.data.form, GOOD_ORDER) })
    await page.instance.onSubmit()
    await flush()
    expect(wx.showModal).not.toHaveBeenCalled()
    expect(server.calls('POST', '/orders')).toHaveLength(1)
  })

  test('staff filing on behalf get a form that reads as such and asks for the contact once', async () => {
    const staff = fixture('users').staff
    signIn(wx, staff)
    serveFixtures(wx, staff)
    const page = await renderPage('packageResident/pages/order-create/index', { behalf: '1' })
    const shown = text(page)
    expect(shown).toContain('代居民点单')
    expect(shown).toContain('居民需要什么帮助')
    expect(shown).not.toContain('您')
    const labels = texts(page, 'form-label')
    expect(labels).toEqual(expect.arrayContaining(['居民姓名', '居民电话']))
    expect(labels).not.toContain('联系人') // the resident is the contact: asked once
    expect(labels).not.toContain('联系电话')
    expect(wx.setNavigationBarTitle).toHaveBeenCalledWith({ title: '代居民点单' })
    expect(page.instance.data.form.area_id).toBe(3) // where the staff member works
    page.instance.setData({
      form: Object.assign({}, page.instance.data.form, GOOD_ORDER, { contact_name: '', contact_phone: '', behalf_name: '张奶奶', behalf_phone: '13900001111' }),
    })
    await page.instance.onSubmit()
    await flush()
    const body = wx.__server.calls('POST', '/orders')[0].body
    expect(body.on_behalf_of).toEqual({ name: '张奶奶', phone: '13900001111' })
    expect(body).toMatchObject({ contact_name: '张奶奶', contact_phone: '13900001111' })
    expect(body.use_bound_phone).toBeUndefined()
    // The duplicate check asks about this resident's orders, by their phone.
    expect(wx.__server.calls('GET', '/orders/possible-duplicates')[0].query).toEqual({ category: 'escort', on_behalf_phone: '13900001111' })
  })

  test('the bound phone is offered; 换一个号码 asks for another', async () => {
    const page = await renderPage('packageResident/pages/order-create/index', { category: 'escort' })
    expect(text(page)).toContain('用绑定的手机 138****1234')
    expect(page.instance.data.useBoundPhone).toBe(true)
    await page.instance.onPhoneChoice({ currentTarget: { dataset: { bound: 'no' } } })
    page.instance.setData({ form: Object.assign({}, page.instance.data.form, GOOD_ORDER) })
    await page.instance.onSubmit()
    await flush()
    const body = server.calls('POST', '/orders')[0].body
    expect(body.contact_phone).toBe(GOOD_ORDER.contact_phone)
    expect(body.use_bound_phone).toBeUndefined()
  })

  test('the community picker shows my communities first and finds others by name, without paging', async () => {
    server.on('GET', '/areas', req => {
      if (req.query.q) {
        return { items: [{ id: 4, parent_id: 2, kind: 'community', name: '青山社区' }].filter(a => a.name.indexOf(req.query.q) >= 0), next_cursor: null }
      }
      return { items: [{ id: 3, parent_id: 2, kind: 'community', name: '松阳社区' }].filter(a => String(req.query.ids).split(',').indexOf('3') >= 0), next_cursor: null }
    })
    const page = await renderPage('packageResident/pages/order-create/index', { category: 'escort' })
    const loads = server.calls('GET', '/areas')
    expect(loads).toHaveLength(1) // one request for my own, none through every community
    expect(loads[0].query).toMatchObject({ ids: '3' })
    expect(page.instance.data.form.area_id).toBe(3)
    expect(texts(page, 'mine-item')).toEqual(['松阳社区'])
    const comp = page.querySelector('#community')
    await comp.instance.search('青山')
    await flush()
    expect(server.calls('GET', '/areas')[1].query).toMatchObject({ kind: 'community', q: '青山' })
    expect(texts(page, 'result')).toEqual(['青山社区选择'])
    comp.instance.onPick({ currentTarget: { dataset: { id: 4, name: '青山社区' } } })
    await flush()
    expect(page.instance.data.form.area_id).toBe(4)
    expect(text(page)).toContain('已选：青山社区')
    await comp.instance.search('不存在')
    await flush()
    expect(text(page)).toContain('没有找到名称里有「不存在」的社区')
  })
})

describe('other forms', () => {
  let wx
  let server

  beforeEach(() => {
    wx = installWx()
    const volunteer = fixture('users').volunteer
    signIn(wx, volunteer)
    server = serveFixtures(wx, volunteer)
    server.on('GET', '/orders/{id}', req => Object.assign(fixture('order-dispatched'), { id: Number(req.params.id), status: 'completed', allowed_actions: ['rate', 'complete'] }))
  })

  test('评价: no stars, no sending; stars + tags + comment are sent', async () => {
    server.on('POST', '/orders/{id}/rate', req => Object.assign({ id: 602, status: 'rated' }, { body: req.body }))
    const page = await renderPage('packageResident/pages/rate/index', { id: '602' })
    await page.instance.onSubmit()
    expect(server.calls('POST', '/orders/602/rate')).toHaveLength(0)
    await flush()
    expect(text(page)).toContain('请点星星打分')
    page.instance.onStars({ detail: { value: 5 } })
    await flush()
    expect(text(page)).toContain('准时到达')
    page.instance.onTag({ currentTarget: { dataset: { tag: '很有耐心' } } })
    page.instance.onComment({ detail: { value: ' 谢谢小张！ ' } })
    await page.instance.onSubmit()
    await flush()
    expect(server.calls('POST', '/orders/602/rate')[0].body).toEqual({ stars: 5, tags: ['很有耐心'], comment: '谢谢小张！' })
  })

  test('完成服务: the result is required; photos are sent when given', async () => {
    server.on('POST', '/orders/{id}/complete', { id: 501, status: 'completed' })
    const page = await renderPage('packageVolunteer/pages/complete/index', { id: '501' })
    await page.instance.onSubmit()
    await flush()
    expect(server.calls('POST', '/orders/501/complete')).toHaveLength(0)
    expect(text(page)).toContain('请写一写服务的结果')
    page.instance.onQuick({ currentTarget: { dataset: { text: '已陪同就医，安全送回家' } } })
    page.instance.onPhotos({ detail: { ids: ['p1', 'p2'] } })
    await page.instance.onSubmit()
    await flush()
    expect(server.calls('POST', '/orders/501/complete')[0].body).toEqual({ result: '已陪同就医，安全送回家', photos: ['p1', 'p2'] })
  })

  test('加入服务队: the invite code is checked, then POST /teams/join', async () => {
    const page = await renderPage('pages/me/join-team/index')
    await page.instance.onSubmit()
    await flush()
    expect(text(page)).toContain('请输入邀请码')
    expect(server.calls('POST', '/teams/join')).toHaveLength(0)
    page.instance.onInput({ detail: { value: ' SY2024 ' } })
    await page.instance.onSubmit()
    await flush()
    expect(server.calls('POST', '/teams/join')[0].body).toEqual({ invite_code: 'SY2024' })
    expect(text(page)).toContain('欢迎加入松阳社区志愿服务队')
  })

  test('reason dialog refuses an empty reason', async () => {
    const comp = await renderComponent('components/reason-dialog/index', { show: true, title: '取消原因', options: ['不需要了'] })
    const confirmed = jest.fn()
    comp.addEventListener('confirm', confirmed)
    comp.querySelector('.confirm').dispatchEvent('tap')
    await flush()
    expect(confirmed).not.toHaveBeenCalled()
    expect(text(comp)).toContain('请填写原因')
    comp.querySelector('.option').dispatchEvent('tap')
    comp.querySelector('.confirm').dispatchEvent('tap')
    await flush()
    expect(confirmed.mock.calls[0][0].detail).toEqual({ text: '不需要了' })
  })

  test('发起吹哨: required fields, then starts_at in Shanghai time', async () => {
    const staff = fixture('users').staff
    signIn(wx, staff)
    serveFixtures(wx, staff)
    const page = await renderPage('packageStaff/pages/call-create/index')
    await page.instance.onSubmit()
    await flush()
    expect(wx.__server.calls('POST', '/calls')).toHaveLength(0)
    expect(text(page)).toContain('请填写活动名称')
    page.instance.setData({
      form: { area_id: 3, title: '防汛巡查', description: '沿河巡查', place: '党群服务中心', date: '2030-06-10', time: '08:00', quota: '10' },
    })
    await page.instance.onSubmit()
    await flush()
    expect(wx.__server.calls('POST', '/calls')[0].body).toEqual({
      area_id: 3,
      title: '防汛巡查',
      description: '沿河巡查',
      place: '党群服务中心',
      starts_at: '2030-06-10T08:00:00+08:00',
      quota: 10,
    })
  })

  test('派单: the server\'s ranked teams — the top three one tap away, the rest picked, then dispatch {team_id, note}', async () => {
    const staff = fixture('users').staff
    signIn(wx, staff)
    serveFixtures(wx, staff)
    const ranked = [
      { team_id: 7, name: '第一网格服务小组', area_id: 9, score: 73.3, reasons: ['本网格', '当前 1 单', '近30天平均 30 分钟接单', '满意率 50%（2 次评价）'] },
      { team_id: 8, name: '城关镇志愿服务总队', area_id: 2, score: 68.2, reasons: ['上级区域（城关镇）', '当前无在办工单'] },
      { team_id: 5, name: '松阳社区党员志愿服务队', area_id: 3, score: 67.5, reasons: ['本社区', '暂无评价'] },
      { team_id: 6, name: '城关镇法律服务队', area_id: 2, score: 40, reasons: ['上级区域（城关镇）', '当前 4 单'] },
    ]
    wx.__server.on('GET', '/orders/{id}', req => Object.assign(fixture('order-dispatched'), { id: Number(req.params.id), status: 'ordered', allowed_actions: ['dispatch', 'cancel'], dispatch_teams: ranked }))
    wx.__server.on('POST', '/orders/{id}/dispatch', { id: 601, status: 'dispatched' })
    const page = await renderPage('packageStaff/pages/dispatch/index', { id: '601' })
    // No team list of its own: the order's dispatch_teams are the choices, in the server's order.
    expect(wx.__server.calls('GET', '/teams')).toEqual([])
    expect(page.querySelectorAll('.quick').length).toBe(3)
    expect(text(page)).toContain('1. 第一网格服务小组')
    expect(text(page)).toContain('当前 1 单')
    expect(text(page)).toContain('其他可派服务队')
    expect(text(page)).toContain('城关镇法律服务队')
    await page.instance.onSubmit()
    await flush()
    expect(toasts(wx)).toEqual(['请先选择一个服务队'])
    page.instance.onPick({ currentTarget: { dataset: { id: 6 } } })
    page.instance.onNote({ detail: { value: '老人行动不便' } })
    await page.instance.onSubmit()
    await flush()
    expect(wx.__server.calls('POST', '/orders/601/dispatch')[0].body).toEqual({ team_id: 6, note: '老人行动不便' })
  })

  test('派单: one tap on a suggested team dispatches to it', async () => {
    const staff = fixture('users').staff
    signIn(wx, staff)
    serveFixtures(wx, staff)
    const ranked = [{ team_id: 7, name: '第一网格服务小组', area_id: 9, score: 73.3, reasons: ['本网格'] },
      { team_id: 5, name: '松阳社区党员志愿服务队', area_id: 3, score: 67.5, reasons: ['本社区'] }]
    wx.__server.on('GET', '/orders/{id}', req => Object.assign(fixture('order-dispatched'), { id: Number(req.params.id), status: 'ordered', allowed_actions: ['dispatch', 'cancel'], dispatch_teams: ranked }))
    wx.__server.on('POST', '/orders/{id}/dispatch', { id: 601, status: 'dispatched' })
    const page = await renderPage('packageStaff/pages/dispatch/index', { id: '601' })
    expect(text(page)).not.toContain('其他可派服务队')
    page.querySelectorAll('.quick')[1].dispatchEvent('tap')
    await flush()
    expect(wx.__server.calls('POST', '/orders/601/dispatch')[0].body).toEqual({ team_id: 5 })
  })

  test('改派: on a dispatched order the page redispatches to the server\'s other teams, naming the current one', async () => {
    const staff = fixture('users').staff
    signIn(wx, staff)
    serveFixtures(wx, staff)
    // The server's dispatch_teams of a dispatched order already leave its own team (5) out.
    const ranked = [{ team_id: 8, name: '城关镇志愿服务总队', area_id: 2, score: 68.2, reasons: ['上级区域（城关镇）', '当前无在办工单'] }]
    wx.__server.on('GET', '/orders/{id}', req => Object.assign(fixture('order-dispatched'), { id: Number(req.params.id), status: 'dispatched', team_id: 5, team_name: '松阳社区志愿服务队', allowed_actions: ['dispatch', 'cancel'], dispatch_teams: ranked }))
    wx.__server.on('POST', '/orders/{id}/dispatch', req => Object.assign(fixture('order-dispatched'), { id: 601, status: 'dispatched', team_id: req.body.team_id }))
    const page = await renderPage('packageStaff/pages/dispatch/index', { id: '601' })
    expect(wx.setNavigationBarTitle).toHaveBeenCalledWith({ title: '改派' })
    expect(text(page)).toContain('现派给：松阳社区志愿服务队')
    expect(text(page)).toContain('改派给其他服务队')
    expect(texts(page, 'quick')).toEqual(['改派给该队'])
    expect(text(page)).not.toContain('派给该队1')
    page.querySelector('.quick').dispatchEvent('tap')
    await flush()
    expect(wx.__server.calls('POST', '/orders/601/dispatch')[0].body).toEqual({ team_id: 8 })
  })

  test('派单: no team may take the order — the page says so', async () => {
    const staff = fixture('users').staff
    signIn(wx, staff)
    serveFixtures(wx, staff)
    wx.__server.on('GET', '/orders/{id}', req => Object.assign(fixture('order-dispatched'), { id: Number(req.params.id), status: 'ordered', allowed_actions: ['dispatch', 'cancel'], dispatch_teams: [] }))
    const page = await renderPage('packageStaff/pages/dispatch/index', { id: '601' })
    expect(text(page)).toContain('没有可以承接这个工单的服务队')
  })
})
