// app.js: silent login at launch, shared with the first page's requests; update prompt.
const path = require('path')
const { installWx, flush } = require('./helpers/wx')
const { fixture } = require('./helpers/fixtures')
const { serveFixtures } = require('./helpers/server')
const { MP_ROOT } = require('./helpers/render')

describe('app.js', () => {
  let definition
  beforeEach(() => {
    jest.resetModules()
    definition = null
    global.App = def => {
      definition = def
    }
  })

  test('logs in once at launch even when a page asks at the same time, then sets the badge', async () => {
    const wx = installWx()
    wx.getUpdateManager = () => ({ onUpdateReady: jest.fn(), applyUpdate: jest.fn() })
    const server = serveFixtures(wx, fixture('users').resident)
    require(path.join(MP_ROOT, 'app.js'))
    definition.onLaunch()
    const request = require(path.join(MP_ROOT, 'utils/request'))
    await request.request({ url: '/me' })
    await flush()
    expect(server.calls('POST', '/auth/wechat-login')).toHaveLength(1)
    expect(server.calls('GET', '/me')[0].header.Authorization).toBe('Bearer fresh-token')
    expect(wx.setTabBarBadge).toHaveBeenCalledWith({ index: 3, text: '1' })
  })

  test('offers to restart when a new version is ready', async () => {
    const wx = installWx()
    serveFixtures(wx, fixture('users').resident)
    const manager = { onUpdateReady: jest.fn(), applyUpdate: jest.fn() }
    wx.getUpdateManager = () => manager
    require(path.join(MP_ROOT, 'app.js'))
    definition.onLaunch()
    manager.onUpdateReady.mock.calls[0][0]()
    await flush()
    expect(wx.showModal.mock.calls[0][0].title).toBe('有新版本')
    expect(manager.applyUpdate).toHaveBeenCalled()
  })
})
