// Privacy and permissions (issue 15 item 6) and the one-time phone code (issue 14): our own privacy
// pop-up, a Chinese explanation with 去设置 for every refused permission, App.onError, nothing silent.
const path = require('path')
const { installWx, flush, toasts, error } = require('./helpers/wx')
const { renderPage, renderComponent, text, MP_ROOT } = require('./helpers/render')
const { fixture, signIn } = require('./helpers/fixtures')
const { serveFixtures } = require('./helpers/server')

function setup(userKey) {
  const wx = installWx()
  const user = fixture('users')[userKey || 'resident']
  signIn(wx, user)
  const server = serveFixtures(wx, user)
  return { wx, server, user }
}

function failWith(errMsg) {
  return o => Promise.resolve().then(() => o.fail && o.fail({ errMsg }))
}

function modals(wx) {
  return wx.showModal.mock.calls.map(call => call[0])
}

describe('our own privacy pop-up (wx.onNeedPrivacyAuthorization)', () => {
  let definition
  beforeEach(() => {
    jest.resetModules()
    global.App = def => {
      definition = def
    }
  })

  test('app.js registers the handler; the pop-up on the page opens and answers agree with its button id', async () => {
    const { wx } = setup('residentNoPhone')
    wx.getUpdateManager = () => ({ onUpdateReady: jest.fn(), applyUpdate: jest.fn() })
    const page = await renderPage('pages/me/index/index')
    // renderPage resets modules; load app.js in the same registry as the page's pop-up.
    require(path.join(MP_ROOT, 'app.js'))
    definition.onLaunch()
    expect(wx.onNeedPrivacyAuthorization).toHaveBeenCalledTimes(1)
    expect(text(page)).not.toContain('个人信息保护提示')
    const resolve = jest.fn()
    wx.onNeedPrivacyAuthorization.mock.calls[0][0](resolve, { referrer: 'getPhoneNumber' })
    await flush()
    expect(text(page)).toContain('个人信息保护提示')
    expect(text(page)).toContain('《社区五单小程序隐私保护指引》')
    const popup = page.querySelector('#privacy')
    expect(popup.querySelector('#agree-privacy')).toBeTruthy()
    const wxml = require('fs').readFileSync(path.join(MP_ROOT, 'components/privacy-popup/index.wxml'), 'utf8')
    expect(wxml).toMatch(/id="agree-privacy" open-type="agreePrivacyAuthorization" bindagreeprivacyauthorization="onAgree"/)
    popup.instance.onAgree()
    await flush()
    expect(resolve).toHaveBeenCalledWith({ event: 'agree', buttonId: 'agree-privacy' })
    expect(text(page)).not.toContain('个人信息保护提示')
  })

  test('不同意 answers disagree and says the feature is off', async () => {
    const { wx } = setup()
    const comp = await renderComponent('components/privacy-popup/index')
    const privacy = require(path.join(MP_ROOT, 'utils/privacy'))
    const resolve = jest.fn()
    privacy._onNeed(resolve, {})
    await flush()
    expect(comp.data.show).toBe(true)
    comp.instance.onDisagree()
    expect(resolve).toHaveBeenCalledWith({ event: 'disagree' })
    expect(comp.data.show).toBe(false)
    expect(toasts(wx)).toEqual(['您没有同意，这项功能暂时不能用'])
  })

  test('pages that use the phone number, photos or the clipboard carry the pop-up', () => {
    const read = rel => JSON.parse(require('fs').readFileSync(path.join(MP_ROOT, rel), 'utf8'))
    expect(read('pages/me/index/index.json').usingComponents['privacy-popup']).toBeDefined()
    expect(read('packageVolunteer/pages/team/index.json').usingComponents['privacy-popup']).toBeDefined()
    expect(read('components/photo-picker/index.json').usingComponents['privacy-popup']).toBeDefined()
    expect(read('pages/me/privacy/index.json').usingComponents['privacy-popup']).toBeDefined()
  })
})

describe('photo picker: a failure is not a cancel', () => {
  test('closing the picker says nothing', async () => {
    const { wx } = setup()
    wx.chooseMedia.mockImplementation(failWith('chooseMedia:fail cancel'))
    const comp = await renderComponent('components/photo-picker/index', { max: 3 })
    await comp.instance.onAdd()
    expect(wx.showModal).not.toHaveBeenCalled()
    expect(wx.uploadFile).not.toHaveBeenCalled()
  })

  test('a refused camera/album permission explains it and opens 设置', async () => {
    const { wx } = setup()
    wx.chooseMedia.mockImplementation(failWith('chooseMedia:fail auth deny'))
    const comp = await renderComponent('components/photo-picker/index', { max: 3 })
    await comp.instance.onAdd()
    const modal = modals(wx)[0]
    expect(modal.title).toBe('无法选择照片')
    expect(modal.content).toContain('去设置')
    expect(modal.confirmText).toBe('去设置')
    expect(wx.openSetting).toHaveBeenCalledTimes(1)
    expect(wx.__logs.some(line => line.level === 'warn' && /permission photos/.test(line.args[1]))).toBe(true)
  })

  test('an unagreed privacy guide asks to tap again and agree', async () => {
    const { wx } = setup()
    wx.chooseMedia.mockImplementation(failWith('chooseMedia:fail privacy permission is not authorized'))
    const comp = await renderComponent('components/photo-picker/index', { max: 3 })
    await comp.instance.onAdd()
    expect(modals(wx)[0].title).toBe('需要您同意隐私保护指引')
    expect(wx.openSetting).not.toHaveBeenCalled()
  })

  test('any other failure is shown with its reason', async () => {
    const { wx } = setup()
    wx.chooseMedia.mockImplementation(failWith('chooseMedia:fail internal error'))
    const comp = await renderComponent('components/photo-picker/index', { max: 3 })
    await comp.instance.onAdd()
    expect(modals(wx)[0].content).toContain('chooseMedia:fail internal error')
  })
})

describe('clipboard', () => {
  test('a refused clipboard says so and offers 去设置', async () => {
    const { wx } = setup('leader')
    wx.setClipboardData.mockImplementation(failWith('setClipboardData:fail auth deny'))
    const page = await renderPage('packageVolunteer/pages/team/index')
    const copied = await page.instance.onCopyCode({ currentTarget: { dataset: { code: 'SY2024' } } })
    expect(copied).toBe(false)
    expect(modals(wx)[0].title).toBe('无法复制邀请码')
    expect(modals(wx)[0].content).toContain('剪切板')
  })
})

describe('the other pages that copy or scan', () => {
  test('导出我的数据 → 复制 with the clipboard refused says so', async () => {
    const { wx, server } = setup()
    server.on('GET', '/me/export', { profile: {}, orders: [], ratings: [], points: [], messages: [], signups: [], redemptions: [], exported_at: '2024-05-01T00:00:00+00:00' })
    wx.setClipboardData.mockImplementation(failWith('setClipboardData:fail privacy permission is not authorized'))
    const page = await renderPage('pages/me/privacy/index')
    await page.instance.onExport()
    await flush()
    expect(await page.instance.onCopy()).toBe(false)
    expect(modals(wx).slice(-1)[0].title).toBe('需要您同意隐私保护指引')
  })

  test('核销 with the camera refused explains it; another failure leaves typing the code', async () => {
    const { wx } = setup('staff')
    const page = await renderPage('packageStaff/pages/fulfil/index')
    wx.scanCode.mockImplementation(failWith('scanCode:fail auth deny'))
    await page.instance.onScan()
    expect(modals(wx)[0]).toMatchObject({ title: '无法扫码', confirmText: '去设置' })
    wx.scanCode.mockImplementation(failWith('scanCode:fail unknown'))
    await page.instance.onScan()
    expect(toasts(wx)).toEqual(['没有扫到核销码，可以直接输入 8 位数字'])
  })
})

describe('phone binding: the getPhoneNumber code is used once', () => {
  test('a spent code (422 on code) asks for a new tap; no login, no resend', async () => {
    const { wx, server } = setup('residentNoPhone')
    server.on('POST', '/me/phone', error(422, 'validation_error', '手机号授权无效', { code: ['手机号授权已失效，请重新授权'] }))
    const page = await renderPage('pages/me/index/index')
    await page.instance.onGetPhoneNumber({ detail: { code: 'spent-code', errMsg: 'getPhoneNumber:ok' } })
    await flush()
    expect(server.calls('POST', '/me/phone')).toHaveLength(1)
    expect(server.calls('POST', '/auth/wechat-login')).toHaveLength(0)
    expect(text(page)).toContain('这次的手机号授权已失效（每次授权只能用一次），请再点一次「一键绑定手机号」')
    expect(text(page)).toContain('一键绑定手机号')
  })

  test('a lost session (401) logs in again without resending the code and asks for a new tap', async () => {
    const { wx, server } = setup('residentNoPhone')
    server.on('POST', '/me/phone', error(401, 'unauthorized', '登录已失效'))
    const page = await renderPage('pages/me/index/index')
    await page.instance.onGetPhoneNumber({ detail: { code: 'one-time', errMsg: 'getPhoneNumber:ok' } })
    await flush()
    expect(server.calls('POST', '/me/phone')).toHaveLength(1)
    expect(server.calls('POST', '/auth/wechat-login')).toHaveLength(1)
    expect(server.calls('POST', '/auth/wechat-login')[0].body.code).not.toBe('one-time')
    expect(toasts(wx)).toEqual(['登录已过期，已为您重新登录，请再点一次「一键绑定手机号」'])
  })

  test('a refused phone permission (privacy) is explained, not taken for a cancel', async () => {
    const { wx } = setup('residentNoPhone')
    const page = await renderPage('pages/me/index/index')
    await page.instance.onGetPhoneNumber({ detail: { errMsg: 'getPhoneNumber:fail privacy permission is not authorized' } })
    expect(modals(wx)[0].title).toBe('需要您同意隐私保护指引')
  })

  test('a phone number WeChat will not give (no permission) says so and offers typing it instead', async () => {
    const { wx } = setup('residentNoPhone')
    const page = await renderPage('pages/me/index/index')
    await page.instance.onGetPhoneNumber({ detail: { errMsg: 'getPhoneNumber:fail no permission' } })
    expect(modals(wx)[0]).toMatchObject({ title: '无法绑定手机号', confirmText: '知道了' })
    expect(modals(wx)[0].content).toContain('下单时也可以直接填写联系电话')
    expect(wx.openSetting).not.toHaveBeenCalled()
  })
})

describe('camera, subscriptions and phone calls', () => {
  test('扫码 with the camera refused explains it and offers 去设置; a cancel says nothing', async () => {
    const { wx } = setup('staff')
    const page = await renderPage('packageStaff/pages/scan/index')
    wx.scanCode.mockImplementation(failWith('scanCode:fail cancel'))
    await page.instance.onScan()
    expect(wx.showModal).not.toHaveBeenCalled()
    wx.scanCode.mockImplementation(failWith('scanCode:fail auth deny'))
    await page.instance.onScan()
    expect(modals(wx)[0]).toMatchObject({ title: '无法扫码', confirmText: '去设置' })
    expect(modals(wx)[0].content).toContain('「摄像头」')
    expect(wx.openSetting).toHaveBeenCalled()
  })

  test('subscribe messages switched off (20004) say how to switch them on; a refusal says where progress shows', async () => {
    const { wx } = setup()
    jest.resetModules()
    const config = require(path.join(MP_ROOT, 'config/index'))
    config.SUBSCRIBE_TEMPLATE_IDS.orderProgress = ['tmpl-a']
    const { askSubscribe } = require(path.join(MP_ROOT, 'utils/subscribe'))
    wx.requestSubscribeMessage.mockImplementation(o => Promise.resolve().then(() => o.fail({ errMsg: 'requestSubscribeMessage:fail', errCode: 20004 })))
    expect(await askSubscribe('orderProgress')).toBe(false)
    await flush()
    expect(modals(wx)[0].content).toContain('「通知管理」里的订阅消息')
    wx.requestSubscribeMessage.mockImplementation(o => Promise.resolve().then(() => o.success({ errMsg: 'requestSubscribeMessage:ok', 'tmpl-a': 'reject' })))
    expect(await askSubscribe('orderProgress')).toBe(false)
    expect(toasts(wx)).toEqual(['没有订阅提醒，进度可以在「消息」里看'])
  })

  test('a phone call that cannot be made gives the number to dial', async () => {
    const { wx } = setup()
    jest.resetModules()
    const { phoneCall } = require(path.join(MP_ROOT, 'utils/permission'))
    wx.makePhoneCall = jest.fn(failWith('makePhoneCall:fail system error'))
    await phoneCall('13800001234')
    expect(modals(wx)[0]).toMatchObject({ title: '没能拨打电话', content: '请用手机直接拨打 13800001234。' })
  })
})

describe('nothing silent', () => {
  test('App.onError and unhandled rejections are logged', () => {
    jest.resetModules()
    const wx = installWx()
    let definition
    global.App = def => {
      definition = def
    }
    require(path.join(MP_ROOT, 'app.js'))
    definition.onError('TypeError: x is undefined')
    definition.onUnhandledRejection({ reason: new Error('boom') })
    expect(wx.__logs.map(line => line.level + ' ' + line.args[1])).toEqual([
      'error App.onError',
      'error unhandled rejection',
    ])
  })

  test('a failed request a page does not show is still logged with its status', async () => {
    const { wx, server } = setup()
    server.on('GET', '/categories', error(500, 'internal_error', '服务器出错了'))
    jest.resetModules()
    const categories = require(path.join(MP_ROOT, 'services/categories'))
    await categories.listCategories({ showError: false }).catch(() => null)
    const line = wx.__logs.find(l => /GET \/categories/.test(l.args[1]))
    expect(line.args[2]).toMatchObject({ statusCode: 500, code: 'internal_error' })
  })
})
