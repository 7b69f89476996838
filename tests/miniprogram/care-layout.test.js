// 关怀模式 (on by itself for WeChat's large font, offered on 首页 once, switchable), lists that fill the
// screen, and what a screen reader hears for the stars. Layout itself: tests/test_miniprogram_gallery.py.
const { installWx, flush } = require('./helpers/wx')
const { renderPage, renderComponent, text, findAll } = require('./helpers/render')
const { fixture, signIn } = require('./helpers/fixtures')
const { serveFixtures } = require('./helpers/server')

function setup(userKey, fontSizeSetting) {
  const wx = installWx()
  const user = fixture('users')[userKey || 'resident']
  signIn(wx, user)
  if (fontSizeSetting) wx.getAppBaseInfo = jest.fn(() => ({ fontSizeSetting }))
  const server = serveFixtures(wx, user)
  return { wx, server }
}

function careOn(page) {
  return page.dom.firstChild.getAttribute('class').includes('main--care')
}

describe('关怀模式', () => {
  test('is on by itself when WeChat’s font size is set large, until the user chooses', async () => {
    const { wx } = setup('resident', 22)
    const page = await renderPage('pages/me/index/index')
    expect(careOn(page)).toBe(true)
    wx.__storage['settings.careMode'] = false
    expect(careOn(await renderPage('pages/me/index/index'))).toBe(false)
  })

  test('stays off at the standard font size', async () => {
    setup('resident', 17)
    expect(careOn(await renderPage('pages/home/index/index'))).toBe(false)
  })

  test('首页 offers it at first launch; the answer is kept and the offer does not come back', async () => {
    const { wx } = setup()
    const home = await renderPage('pages/home/index/index')
    expect(text(home)).toContain('打开关怀模式')
    await home.instance.onCareOffer({ currentTarget: { dataset: { on: true } } })
    await flush()
    expect(wx.__storage['settings.careMode']).toBe(true)
    expect(careOn(home)).toBe(true)
    expect(findAll(home, 'care-offer')).toHaveLength(0)
    const again = await renderPage('pages/home/index/index')
    expect(findAll(again, 'care-offer')).toHaveLength(0)
    expect(findAll(again, 'care-toggle')).toHaveLength(1) // still switchable on 首页
  })

  test('the row on 首页 and 我的 switches it, and the page follows', async () => {
    const { wx } = setup()
    wx.__storage['settings.careOffered'] = true
    const me = await renderPage('pages/me/index/index')
    me.querySelector('.care-entry').querySelector('.care-toggle').dispatchEvent('tap')
    await flush()
    expect(wx.__storage['settings.careMode']).toBe(true)
    expect(careOn(me)).toBe(true)
  })
})

describe('key results', () => {
  test('stay on screen in 关怀模式 until 知道了 is tapped; otherwise a toast', async () => {
    const wx = installWx()
    jest.resetModules()
    const dialog = require('../../miniprogram/utils/dialog')
    expect(dialog.done('提交成功')).toBeNull()
    expect(wx.showToast).toHaveBeenCalledWith({ title: '提交成功', icon: 'success' })
    wx.__storage['settings.careMode'] = true
    const shown = dialog.done('提交成功', '社区会尽快安排志愿者')
    expect(wx.showModal.mock.calls[0][0]).toMatchObject({ title: '提交成功', content: '社区会尽快安排志愿者', showCancel: false, confirmText: '知道了' })
    await expect(shown).resolves.toBeUndefined()
    expect(wx.showToast).toHaveBeenCalledTimes(1)
  })
})

describe('lists shorter than the screen', () => {
  test('the 待派单 queue loads its next page by itself when the first ends on screen', async () => {
    const { wx, server } = setup('staff')
    wx.getWindowInfo = jest.fn(() => ({ windowHeight: 724 }))
    const orders = fixture('orders').items.map(o => Object.assign({}, o, { status: 'ordered', allowed_actions: ['dispatch'] }))
    // One overdue order, then (the queue's second pass) one that is not.
    server.on('GET', '/orders', req => ({ items: [req.query.overdue === 'true' ? orders[0] : orders[1]], next_cursor: null }))
    const page = await renderPage('packageStaff/pages/dispatch-queue/index')
    await flush()
    expect(server.calls('GET', '/orders').map(r => r.query.overdue)).toEqual(['true', 'false'])
    expect(text(page)).toContain('陪同去县医院复查')
    expect(text(page)).not.toContain('上拉加载更多')
  })
})

describe('stars', () => {
  test('a shown rating reads as “4 星”; each star to choose is labelled', async () => {
    installWx()
    const shown = await renderComponent('components/star-rating/index', { value: 4, readonly: true })
    expect(shown.dom.querySelector('wx-view').__wxElement._vt.attrs.find(a => a.name === 'ariaLabel').value).toBe('4 星')
    expect(findAll(shown, 'star-tap')).toHaveLength(0)
    const input = await renderComponent('components/star-rating/index', { value: 0 })
    const labels = findAll(input, 'star-tap').map(el => el.__wxElement._vt.attrs.find(a => a.name === 'ariaLabel').value)
    expect(labels).toEqual(['1 星', '2 星', '3 星', '4 星', '5 星'])
  })
})
