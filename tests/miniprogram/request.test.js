// utils/request.js: token, silent re-login on 401 with one retry, Chinese toasts, loading.
const path = require('path')
const { installWx, flush, toasts, reply, error } = require('./helpers/wx')
const { fixture, signIn } = require('./helpers/fixtures')
const { MP_ROOT } = require('./helpers/render')

const mp = name => require(path.join(MP_ROOT, name))

describe('request wrapper', () => {
  let wx
  let request
  let user

  beforeEach(() => {
    jest.resetModules()
    wx = installWx()
    user = fixture('users').resident
    request = mp('utils/request')
    wx.__server.on('POST', '/auth/wechat-login', { access_token: 'fresh-token', token_type: 'Bearer', expires_in: 7200, user })
  })

  test('sends the stored token as a Bearer header to the develop base URL', async () => {
    signIn(wx, user)
    wx.__server.on('GET', '/me', user)
    await expect(request.request({ url: '/me' })).resolves.toEqual(user)
    const sent = wx.request.mock.calls[0][0]
    expect(sent.url).toBe('http://127.0.0.1:5000/api/v1/me')
    expect(sent.header.Authorization).toBe('Bearer token-11')
  })

  test('logs in first when there is no token (dev code in DevTools)', async () => {
    wx.__server.on('GET', '/me', user)
    await request.request({ url: '/me' })
    const login = wx.__server.calls('POST', '/auth/wechat-login')
    expect(login).toHaveLength(1)
    expect(login[0].body).toEqual({ code: 'dev:demo-resident-sy-1' })
    expect(wx.__server.calls('GET', '/me')[0].header.Authorization).toBe('Bearer fresh-token')
  })

  test('on 401 it logs in again silently and retries once', async () => {
    signIn(wx, user)
    let attempts = 0
    wx.__server.on('GET', '/orders', req => {
      attempts += 1
      return req.header.Authorization === 'Bearer fresh-token'
        ? { items: [], next_cursor: null }
        : error(401, 'unauthorized', '登录已过期')
    })
    await expect(request.request({ url: '/orders' })).resolves.toEqual({ items: [], next_cursor: null })
    expect(attempts).toBe(2)
    expect(wx.__server.calls('POST', '/auth/wechat-login')).toHaveLength(1)
    expect(wx.__storage['session.token']).toBe('fresh-token')
    expect(toasts(wx)).toEqual([])
  })

  test('a second 401 after re-login is not retried again, and is shown', async () => {
    signIn(wx, user)
    wx.__server.on('GET', '/orders', error(401, 'unauthorized', '登录已失效，请重新进入小程序'))
    await expect(request.request({ url: '/orders' })).rejects.toMatchObject({ statusCode: 401, code: 'unauthorized' })
    expect(wx.__server.calls('GET', '/orders')).toHaveLength(2)
    expect(wx.__server.calls('POST', '/auth/wechat-login')).toHaveLength(1)
    expect(toasts(wx)).toEqual(['登录已失效，请重新进入小程序'])
  })

  test('concurrent 401s share one login', async () => {
    signIn(wx, user)
    wx.__server.on('GET', '/orders', req =>
      req.header.Authorization === 'Bearer fresh-token' ? { items: [] } : error(401, 'unauthorized', '登录已过期'),
    )
    await Promise.all([request.request({ url: '/orders' }), request.request({ url: '/orders' }), request.request({ url: '/orders' })])
    expect(wx.__server.calls('POST', '/auth/wechat-login')).toHaveLength(1)
  })

  test('a login the server refuses is shown once, in Chinese', async () => {
    wx.__server.on('POST', '/auth/wechat-login', error(401, 'invalid_code', '登录凭证无效，请重新进入小程序'))
    wx.__server.on('GET', '/me', user)
    await expect(request.request({ url: '/me' })).rejects.toMatchObject({ code: 'invalid_code' })
    expect(toasts(wx)).toEqual(['登录凭证无效，请重新进入小程序'])
    expect(wx.__server.calls('GET', '/me')).toHaveLength(0)
  })

  test.each([
    [403, 'forbidden', '您没有权限进行此操作'],
    [404, 'not_found', '内容不存在'],
    [409, 'invalid_transition', '订单状态已变化，不能接单'],
    [429, 'rate_limited', '操作太频繁，请稍后再试'],
    [502, 'wechat_error', '微信服务暂时不可用'],
  ])('a %i contract error shows its message', async (status, code, message) => {
    signIn(wx, user)
    wx.__server.on('POST', '/orders/{id}/accept', error(status, code, message))
    await expect(request.request({ method: 'POST', url: '/orders/5/accept', data: {} })).rejects.toMatchObject({ statusCode: status, code, message })
    expect(toasts(wx)).toEqual([message])
  })

  test('a 422 shows the message with the first field error', async () => {
    signIn(wx, user)
    wx.__server.on('POST', '/orders', error(422, 'validation_error', '提交的内容有误', { contact_phone: ['请填写 11 位手机号码'] }))
    const err = await request.request({ method: 'POST', url: '/orders', data: {} }).catch(e => e)
    expect(err.errors).toEqual({ contact_phone: ['请填写 11 位手机号码'] })
    expect(toasts(wx)).toEqual(['提交的内容有误：请填写 11 位手机号码'])
  })

  test('a network failure shows a Chinese toast', async () => {
    signIn(wx, user)
    wx.__state.network = false
    await expect(request.request({ url: '/me' })).rejects.toMatchObject({ code: 'network_error' })
    expect(toasts(wx)).toEqual(['网络不太好，请检查网络后再试'])
  })

  test('a 500 without a contract body still speaks Chinese', async () => {
    signIn(wx, user)
    wx.__server.on('GET', '/me', reply(500, '<html>Internal Server Error</html>'))
    await expect(request.request({ url: '/me' })).rejects.toMatchObject({ statusCode: 500 })
    expect(toasts(wx)).toEqual(['服务暂时不可用，请稍后再试'])
  })

  test('showError: false leaves the error to the page', async () => {
    signIn(wx, user)
    wx.__server.on('GET', '/me', error(404, 'not_found', '内容不存在'))
    await expect(request.request({ url: '/me', showError: false })).rejects.toMatchObject({ code: 'not_found' })
    expect(toasts(wx)).toEqual([])
  })

  test('loading is shown while waiting and hidden before an error toast', async () => {
    signIn(wx, user)
    wx.__server.on('POST', '/orders', error(409, 'conflict', '请勿重复提交'))
    const done = request.request({ method: 'POST', url: '/orders', data: {}, loading: '正在提交…' }).catch(() => null)
    expect(wx.showLoading).toHaveBeenCalledWith({ title: '正在提交…', mask: true })
    await done
    expect(wx.hideLoading).toHaveBeenCalledTimes(1)
    expect(wx.hideLoading.mock.invocationCallOrder[0]).toBeLessThan(wx.showToast.mock.invocationCallOrder[0])
  })

  test('call() fills path parameters, sends GET params as the query and drops empty ones', async () => {
    signIn(wx, user)
    wx.__server.on('GET', '/orders', { items: [], next_cursor: null })
    await request.call({ method: 'GET', path: '/orders' }, { query: { status: 'ordered', area_id: undefined, cursor: null, limit: 20 } })
    expect(wx.__server.calls('GET', '/orders')[0].query).toEqual({ status: 'ordered', limit: '20' })
    wx.__server.on('POST', '/orders/{id}/decline', req => ({ id: Number(req.params.id), body: req.body }))
    const res = await request.call({ method: 'POST', path: '/orders/{id}/decline' }, { params: { id: 42 }, data: { reason: '人手不够' } })
    expect(res).toEqual({ id: 42, body: { reason: '人手不够' } })
    expect(() => request.fillPath('/orders/{id}', {})).toThrow('Missing path parameter')
  })

  test('uploads go through the same 401 re-login and parse the JSON answer', async () => {
    signIn(wx, user)
    wx.__server.on('POST', '/attachments', req =>
      req.header.Authorization === 'Bearer fresh-token' ? { id: 'abc' } : error(401, 'unauthorized', '登录已过期'),
    )
    const res = await request.upload({ method: 'POST', path: '/attachments' }, { filePath: 'wxfile://tmp/a.jpg' })
    expect(res).toEqual({ id: 'abc' })
    expect(wx.uploadFile).toHaveBeenCalledTimes(2)
    expect(wx.uploadFile.mock.calls[1][0]).toMatchObject({ name: 'file', filePath: 'wxfile://tmp/a.jpg' })
  })

  test('a 413 on upload tells the user the photo is too large', async () => {
    signIn(wx, user)
    wx.__server.on('POST', '/attachments', error(413, 'payload_too_large', '文件太大，请上传 5MB 以内的照片'))
    await expect(request.upload({ method: 'POST', path: '/attachments' }, { filePath: 'x.jpg' })).rejects.toMatchObject({ statusCode: 413 })
    expect(toasts(wx)).toEqual(['文件太大，请上传 5MB 以内的照片'])
  })
})

describe('login code and base URL by envVersion', () => {
  beforeEach(() => jest.resetModules())

  test('release uses wx.login and the release host', async () => {
    const wx = installWx({ envVersion: 'release', platform: 'ios' })
    const config = mp('config/index')
    expect(config.baseUrl()).toBe('https://wudan.example.com/api/v1')
    const auth = mp('services/auth')
    await expect(auth.loginCode()).resolves.toBe('wx-code-1')
    expect(wx.login).toHaveBeenCalled()
  })

  test('trial uses the trial host and ignores develop overrides', () => {
    const wx = installWx({ envVersion: 'trial', platform: 'android' })
    wx.__storage['dev.apiHost'] = 'http://192.168.1.10:5000'
    wx.__storage['dev.openid'] = 'demo-staff-sy'
    const config = mp('config/index')
    expect(config.baseUrl()).toBe('https://trial.wudan.example.com/api/v1')
    expect(config.devOpenid()).toBe('')
  })

  test('develop on a phone uses the develop host unless overridden', () => {
    const wx = installWx({ envVersion: 'develop', platform: 'android' })
    const config = mp('config/index')
    expect(config.baseUrl()).toBe('https://dev.wudan.example.com/api/v1')
    expect(config.devOpenid()).toBe('')
    wx.__storage['dev.apiHost'] = 'http://192.168.1.10:5000/'
    wx.__storage['dev.openid'] = 'demo-volunteer-sy-1'
    expect(config.baseUrl()).toBe('http://192.168.1.10:5000/api/v1')
    expect(config.devOpenid()).toBe('demo-volunteer-sy-1')
  })

  test('develop in DevTools talks to make run and logs in with a demo account', async () => {
    const wx = installWx({ envVersion: 'develop', platform: 'devtools' })
    const config = mp('config/index')
    expect(config.baseUrl()).toBe('http://127.0.0.1:5000/api/v1')
    const auth = mp('services/auth')
    await expect(auth.loginCode()).resolves.toBe('dev:demo-resident-sy-1')
    wx.__storage['dev.openid'] = 'wechat'
    await expect(auth.loginCode()).resolves.toBe('wx-code-1')
    await flush()
  })
})
