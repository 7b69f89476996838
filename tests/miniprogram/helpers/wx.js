// A fake `wx` for jest: storage in memory, UI calls recorded, and wx.request /
// wx.uploadFile / wx.downloadFile answered by a tiny fake API server.

const API_BASE = 'http://127.0.0.1:5000/api/v1'

function parseQuery(text) {
  const query = {}
  if (!text) return query
  text.split('&').forEach(part => {
    if (!part) return
    const [key, value = ''] = part.split('=')
    query[decodeURIComponent(key)] = decodeURIComponent(value)
  })
  return query
}

function contractError(statusCode, code, message, errors) {
  const data = { code, message }
  if (errors) data.errors = errors
  return { statusCode, data }
}

/** A fake API: routes like server.on('POST', '/orders/{id}/accept', handler). */
function createServer() {
  const routes = []
  const requests = []

  function on(method, pattern, handler) {
    const names = []
    const regex = new RegExp(
      '^' + pattern.replace(/\{(\w+)\}/g, (all, name) => {
        names.push(name)
        return '([^/]+)'
      }) + '$',
    )
    routes.unshift({ method, regex, names, handler })
    return api
  }

  function handle({ method, url, data, header, kind }) {
    const full = url.startsWith(API_BASE) ? url.slice(API_BASE.length) : url
    const [path, search] = full.split('?')
    let query = parseQuery(search)
    let body = data
    if (method === 'GET' && data && typeof data === 'object') {
      query = Object.assign({}, query, Object.keys(data).reduce((acc, key) => {
        acc[key] = String(data[key])
        return acc
      }, {}))
      body = undefined
    }
    const req = { method, path, query, body, header: header || {}, kind, params: {} }
    requests.push(req)
    const route = routes.find(r => r.method === method && r.regex.test(path))
    if (!route) return contractError(404, 'not_found', '内容不存在或已被删除')
    const match = path.match(route.regex)
    route.names.forEach((name, i) => {
      req.params[name] = decodeURIComponent(match[i + 1])
    })
    const out = typeof route.handler === 'function' ? route.handler(req) : route.handler
    if (out && out.__response) return { statusCode: out.statusCode, data: out.data }
    return { statusCode: method === 'POST' && /\/orders$|\/attachments$|\/calls$|\/offerings$/.test(path) ? 201 : 200, data: out }
  }

  const api = {
    on,
    handle,
    requests,
    /** The recorded requests for one method and path. */
    calls(method, path) {
      return requests.filter(r => r.method === method && r.path === path)
    },
    reset() {
      routes.length = 0
      requests.length = 0
    },
  }
  return api
}

/** A response with a status and body, for server.on handlers. */
function reply(statusCode, data) {
  return { __response: true, statusCode, data }
}

function error(statusCode, code, message, errors) {
  const out = contractError(statusCode, code, message, errors)
  return reply(out.statusCode, out.data)
}

function later(fn) {
  Promise.resolve().then(fn)
}

function createWx(options) {
  const opts = Object.assign({ envVersion: 'develop', platform: 'devtools' }, options)
  const storage = {}
  const server = createServer()
  const state = { network: true, loginCodes: 0 }
  const logs = []

  const asyncApi = (result, name) =>
    jest.fn(o => {
      const value = typeof result === 'function' ? result(o) : result
      later(() => {
        if (value && value.__fail) {
          o && o.fail && o.fail({ errMsg: name + ':fail ' + (value.message || '') })
        } else {
          o && o.success && o.success(value)
        }
        o && o.complete && o.complete(value)
      })
    })

  const wx = {
    __server: server,
    __storage: storage,
    __state: state,
    getStorageSync: jest.fn(key => (storage[key] === undefined ? '' : storage[key])),
    setStorageSync: jest.fn((key, value) => {
      storage[key] = value
    }),
    removeStorageSync: jest.fn(key => {
      delete storage[key]
    }),
    getAccountInfoSync: jest.fn(() => ({ miniProgram: { appId: 'touristappid', envVersion: opts.envVersion } })),
    getDeviceInfo: jest.fn(() => ({ platform: opts.platform })),
    getSystemInfoSync: jest.fn(() => ({ platform: opts.platform })),
    login: asyncApi(() => {
      state.loginCodes += 1
      return { code: 'wx-code-' + state.loginCodes, errMsg: 'login:ok' }
    }, 'login'),
    request: jest.fn(o => {
      later(() => {
        if (!state.network) {
          o.fail && o.fail({ errMsg: 'request:fail timeout' })
          return
        }
        const res = server.handle({ method: o.method || 'GET', url: o.url, data: o.data, header: o.header, kind: 'request' })
        o.success && o.success(Object.assign({ header: {} }, res))
      })
      return { abort() {} }
    }),
    uploadFile: jest.fn(o => {
      later(() => {
        if (!state.network) {
          o.fail && o.fail({ errMsg: 'uploadFile:fail' })
          return
        }
        const res = server.handle({ method: 'POST', url: o.url, data: { name: o.name, filePath: o.filePath }, header: o.header, kind: 'upload' })
        o.success && o.success({ statusCode: res.statusCode, data: JSON.stringify(res.data) })
      })
    }),
    downloadFile: jest.fn(o => {
      later(() => {
        const res = server.handle({ method: 'GET', url: o.url, header: o.header, kind: 'download' })
        if (res.statusCode === 200) o.success && o.success({ statusCode: 200, tempFilePath: 'wxfile://tmp/' + o.url.split('/').pop() })
        else o.success && o.success({ statusCode: res.statusCode, tempFilePath: '' })
      })
    }),
    showToast: jest.fn(),
    showLoading: jest.fn(),
    hideLoading: jest.fn(),
    showModal: asyncApi({ confirm: true, cancel: false }, 'showModal'),
    showActionSheet: asyncApi({ tapIndex: 0 }, 'showActionSheet'),
    requestSubscribeMessage: asyncApi(
      o => (o.tmplIds || []).reduce((res, id) => Object.assign(res, { [id]: 'accept' }), { errMsg: 'requestSubscribeMessage:ok' }),
      'requestSubscribeMessage',
    ),
    scanCode: asyncApi({ result: 'ticket-abc123', scanType: 'QR_CODE' }, 'scanCode'),
    chooseMedia: asyncApi({ tempFiles: [{ tempFilePath: 'wxfile://tmp/photo-1.jpg', size: 1024, fileType: 'image' }] }, 'chooseMedia'),
    previewImage: jest.fn(),
    openDocument: asyncApi({ errMsg: 'openDocument:ok' }, 'openDocument'),
    navigateTo: jest.fn(),
    redirectTo: jest.fn(),
    switchTab: jest.fn(),
    navigateBack: jest.fn(),
    reLaunch: jest.fn(),
    stopPullDownRefresh: jest.fn(),
    setTabBarBadge: jest.fn(),
    removeTabBarBadge: jest.fn(),
    setNavigationBarTitle: jest.fn(),
    setClipboardData: jest.fn(),
    makePhoneCall: jest.fn(),
    pageScrollTo: jest.fn(),
    vibrateShort: jest.fn(),
    nextTick: fn => setTimeout(fn, 0),
    // 实时日志: what utils/log.js records, for tests to read (wx.__logs).
    getRealtimeLogManager: () => ({
      warn: (...args) => logs.push({ level: 'warn', args }),
      error: (...args) => logs.push({ level: 'error', args }),
      info: (...args) => logs.push({ level: 'info', args }),
    }),
    openSetting: asyncApi({ authSetting: { 'scope.writePhotosAlbum': true } }, 'openSetting'),
    openPrivacyContract: asyncApi({}, 'openPrivacyContract'),
    getPrivacySetting: asyncApi({ needAuthorization: false, privacyContractName: '《社区五单小程序隐私保护指引》' }, 'getPrivacySetting'),
    onNeedPrivacyAuthorization: jest.fn(),
  }
  wx.__logs = logs
  return wx
}

/** Put a fresh fake wx on the global object and return it. */
function installWx(options) {
  const wx = createWx(options)
  global.wx = wx
  global.getCurrentPages = () => [{}, {}]
  return wx
}

/** Let queued promises and zero timers run. */
async function flush(rounds = 12) {
  for (let i = 0; i < rounds; i++) {
    await new Promise(resolve => setTimeout(resolve, 0))
  }
}

/** The text of every plain (icon: 'none') toast shown so far: errors and hints. */
function toasts(wx) {
  return (wx || global.wx).showToast.mock.calls.filter(call => call[0].icon === 'none').map(call => call[0].title)
}

module.exports = { API_BASE, createWx, installWx, createServer, reply, error, flush, toasts }
