// The one way the mini-program talks to the API: adds the Bearer token, logs in again
// silently on 401 and retries once, shows errors as Chinese toasts, and shows loading.

const config = require('../config/index')
const session = require('./session')
const log = require('./log')

const NETWORK_MESSAGE = '网络不太好，请检查网络后再试'
const TIMEOUT_MS = 15000

// Used when a response carries no contract error body (e.g. a proxy's HTML page).
const STATUS_MESSAGES = {
  400: '请求有误，请稍后再试',
  401: '登录已失效，请稍后再试',
  403: '您没有权限进行这个操作',
  404: '内容不存在或已被删除',
  409: '情况有变化，请刷新后再试',
  413: '文件太大了，请换一张小一些的照片',
  422: '填写的内容有误，请检查后再提交',
  429: '操作太频繁了，请稍等一会儿再试',
  502: '微信服务暂时连不上，请稍后再试',
}
const SERVER_ERROR_MESSAGE = '服务暂时不可用，请稍后再试'

class ApiError extends Error {
  constructor({ statusCode = 0, code = 'network_error', message = NETWORK_MESSAGE, errors = null, data = null, errMsg = '' }) {
    super(message)
    this.name = 'ApiError'
    this.statusCode = statusCode
    this.code = code
    this.errors = errors
    this.data = data
    this.errMsg = errMsg
  }
}

// ---- loading indicator shared by concurrent requests ----
let loadingCount = 0

function showLoading(title) {
  if (!title) return
  loadingCount += 1
  if (loadingCount === 1) {
    wx.showLoading({ title: typeof title === 'string' ? title : '加载中…', mask: true })
  }
}

function hideLoading(title) {
  if (!title) return
  loadingCount = Math.max(0, loadingCount - 1)
  if (loadingCount === 0) wx.hideLoading()
}

// ---- errors ----
function firstFieldError(errors) {
  if (!errors || typeof errors !== 'object') return ''
  for (const key of Object.keys(errors)) {
    const value = errors[key]
    if (typeof value === 'string') return value
    if (Array.isArray(value) && value.length) {
      return typeof value[0] === 'string' ? value[0] : firstFieldError(value[0])
    }
    if (value && typeof value === 'object') {
      const nested = firstFieldError(value)
      if (nested) return nested
    }
  }
  return ''
}

function errorFromResponse(res) {
  const body = res.data && typeof res.data === 'object' ? res.data : null
  const statusCode = res.statusCode
  if (body && body.code && body.message) {
    return new ApiError({ statusCode, code: body.code, message: body.message, errors: body.errors || null, data: body })
  }
  const message = STATUS_MESSAGES[statusCode] || SERVER_ERROR_MESSAGE
  return new ApiError({ statusCode, code: statusCode >= 500 ? 'internal_error' : 'http_' + statusCode, message })
}

function errorText(err) {
  if (!err) return SERVER_ERROR_MESSAGE
  const detail = firstFieldError(err.errors)
  if (detail && detail !== err.message) return (err.message ? err.message + '：' : '') + detail
  return err.message || SERVER_ERROR_MESSAGE
}

function toast(title) {
  wx.showToast({ title, icon: 'none', duration: 2500 })
}

function showError(err) {
  toast(errorText(err))
}

// ---- URLs ----
function fillPath(path, params) {
  return path.replace(/\{(\w+)\}/g, (all, name) => {
    const value = params && params[name]
    if (value === undefined || value === null || value === '') {
      throw new Error('Missing path parameter "' + name + '" for ' + path)
    }
    return encodeURIComponent(value)
  })
}

function cleanQuery(query) {
  const out = {}
  Object.keys(query || {}).forEach(key => {
    const value = query[key]
    if (value !== undefined && value !== null && value !== '') out[key] = value
  })
  return out
}

function queryString(query) {
  const clean = cleanQuery(query)
  const parts = Object.keys(clean).map(key => encodeURIComponent(key) + '=' + encodeURIComponent(clean[key]))
  return parts.length ? '?' + parts.join('&') : ''
}

function absoluteUrl(url) {
  return /^https?:\/\//.test(url) ? url : config.baseUrl() + url
}

// ---- login ----
let loginInFlight = null

// One login at a time: concurrent 401s share it.
function relogin() {
  if (!loginInFlight) {
    // Required lazily: services/auth uses this module too.
    const auth = require('../services/auth')
    loginInFlight = auth.login().then(
      result => {
        loginInFlight = null
        return result
      },
      err => {
        loginInFlight = null
        throw err
      },
    )
  }
  return loginInFlight
}

function ensureToken(opts) {
  if (!opts.auth || session.getToken()) return Promise.resolve()
  return relogin()
}

function authHeader(opts) {
  const header = Object.assign({}, opts.header || {})
  const token = opts.auth ? session.getToken() : ''
  if (token) header.Authorization = 'Bearer ' + token
  return header
}

// ---- transport ----
function sendRequest(opts) {
  return new Promise((resolve, reject) => {
    wx.request({
      url: absoluteUrl(opts.url),
      method: opts.method || 'GET',
      data: opts.data,
      header: Object.assign({ 'Content-Type': 'application/json' }, authHeader(opts)),
      timeout: opts.timeout || TIMEOUT_MS,
      success: resolve,
      fail: res => reject(new ApiError({ errMsg: (res && res.errMsg) || '' })),
    })
  })
}

function sendUpload(opts) {
  return new Promise((resolve, reject) => {
    wx.uploadFile({
      url: absoluteUrl(opts.url),
      filePath: opts.filePath,
      name: opts.name || 'file',
      formData: opts.formData || {},
      header: authHeader(opts),
      timeout: opts.timeout || 60000,
      success: res => {
        let data = res.data
        try {
          data = typeof data === 'string' && data ? JSON.parse(data) : data
        } catch (err) {
          // Not JSON: leave as text; errorFromResponse falls back to the status message.
        }
        resolve({ statusCode: res.statusCode, data })
      },
      fail: res => reject(new ApiError({ errMsg: (res && res.errMsg) || '' })),
    })
  })
}

function sendDownload(opts) {
  return new Promise((resolve, reject) => {
    wx.downloadFile({
      url: absoluteUrl(opts.url),
      header: authHeader(opts),
      success: res => resolve({ statusCode: res.statusCode, data: res.tempFilePath }),
      fail: res => reject(new ApiError({ errMsg: (res && res.errMsg) || '' })),
    })
  })
}

// Sends, and on 401 logs in again and sends once more.
function withAuth(send, opts) {
  return ensureToken(opts)
    .then(() => send(opts))
    .then(res => {
      if (res.statusCode === 401 && opts.auth && opts.retryOn401 !== false) {
        session.clearToken()
        return relogin().then(() => send(Object.assign({}, opts, { retryOn401: false })))
      }
      return res
    })
    .then(res => {
      if (res.statusCode >= 200 && res.statusCode < 300) {
        return res.statusCode === 204 ? null : res.data
      }
      if (res.statusCode === 401 && opts.auth) session.clearToken()
      throw errorFromResponse(res)
    })
}

function run(send, options) {
  const opts = Object.assign({ auth: true, showError: true, loading: false }, options)
  showLoading(opts.loading)
  return withAuth(send, opts).then(
    data => {
      hideLoading(opts.loading)
      return data
    },
    err => {
      hideLoading(opts.loading)
      const error = err instanceof ApiError ? err : new ApiError({ code: 'client_error', message: SERVER_ERROR_MESSAGE })
      // Every failure is on record, also those a page chooses not to show.
      if (err instanceof ApiError) {
        log.warn('request ' + (opts.method || 'GET') + ' ' + opts.url, { statusCode: err.statusCode, code: err.code, message: err.message, errMsg: err.errMsg })
      } else {
        log.error('request ' + (opts.method || 'GET') + ' ' + opts.url, err)
      }
      if (opts.showError) showError(error)
      throw error
    },
  )
}

/**
 * request({ method, url, data, header, auth = true, loading = false | '提交中…', showError = true })
 * resolves with the response body; rejects with an ApiError (already shown as a toast
 * unless showError is false).
 */
function request(options) {
  return run(sendRequest, options)
}

/**
 * call(route, { params, query, data, ...requestOptions }) for a service's route table entry
 * `{ method, path }`; `{name}` in the path is filled from params.
 */
function call(route, options) {
  const opts = Object.assign({}, options || {})
  let url = fillPath(route.path, opts.params)
  let data = opts.data
  if (route.method === 'GET' || route.method === 'DELETE') {
    data = cleanQuery(Object.assign({}, opts.query || {}, opts.data || {}))
  } else if (opts.query) {
    url += queryString(opts.query)
  }
  if (route.method !== 'GET' && data === undefined) data = {}
  delete opts.params
  delete opts.query
  return request(Object.assign(opts, { method: route.method, url, data }))
}

/** upload(route, { params, filePath, name = 'file', formData, ...requestOptions }) */
function upload(route, options) {
  const opts = Object.assign({}, options || {})
  opts.url = fillPath(route.path, opts.params)
  delete opts.params
  return run(sendUpload, opts)
}

/** download(route, { params }) resolves with a local temp file path. */
function download(route, options) {
  const opts = Object.assign({ showError: false }, options || {})
  opts.url = fillPath(route.path, opts.params)
  delete opts.params
  return run(sendDownload, opts)
}

module.exports = {
  ApiError,
  NETWORK_MESSAGE,
  STATUS_MESSAGES,
  request,
  call,
  upload,
  download,
  relogin,
  errorText,
  showError,
  toast,
  fillPath,
  queryString,
}
