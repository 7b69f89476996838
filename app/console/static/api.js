// The JSON API (/api/v1): the Bearer token kept in sessionStorage, failures as ApiError carrying the
// server's Chinese message.
const API = document.body.dataset.api || '/api/v1'
const TOKEN_KEY = 'sqwd.console.token'

let unauthorized = () => {}

export class ApiError extends Error {
  constructor(status, body) {
    let message = body?.message || `请求失败（${status}）`
    if (body?.errors) {
      const detail = Object.values(body.errors)[0]
      if (Array.isArray(detail) && typeof detail[0] === 'string') message += '：' + detail[0]
    }
    super(message)
    this.name = 'ApiError'
    this.status = status
    this.code = body?.code
    this.body = body
  }
}

export const token = () => sessionStorage.getItem(TOKEN_KEY)
export const keepToken = value => sessionStorage.setItem(TOKEN_KEY, value)
export const dropToken = () => sessionStorage.removeItem(TOKEN_KEY)

/** What to do when a request made with a token is answered 401 (main.js logs out). */
export function whenUnauthorized(handler) {
  unauthorized = handler
}

/** `?a=1&b=2` of the params that have a value. */
export function qs(params = {}) {
  const parts = Object.entries(params)
    .filter(([, value]) => value !== undefined && value !== null && value !== '')
    .map(([key, value]) => `${encodeURIComponent(key)}=${encodeURIComponent(value)}`)
  return parts.length ? '?' + parts.join('&') : ''
}

/**
 * One request. Options: `raw` answers the Response itself when it is ok (downloads); `noLogout` keeps a
 * 401 from logging out (the login screen's own requests); `headers` are added to the request's.
 */
export async function api(method, path, body, { raw = false, noLogout = false, headers = {} } = {}) {
  const sent = { Accept: 'application/json', ...headers }
  if (token()) sent.Authorization = 'Bearer ' + token()
  if (body !== undefined) sent['Content-Type'] = 'application/json'
  let response
  try {
    response = await fetch(API + path, {
      method, headers: sent, body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'omit', cache: 'no-store',
    })
  } catch {
    throw new ApiError(0, { message: '无法连接服务器，请检查网络' })
  }
  if (raw && response.ok) return response
  const text = await response.text()
  let data = null
  try {
    data = text ? JSON.parse(text) : null
  } catch {
    data = null
  }
  if (response.status === 401 && token() && !noLogout) unauthorized('登录已失效，请重新登录')
  if (!response.ok) throw new ApiError(response.status, data)
  return data
}

export const get = (path, params) => api('GET', path + qs(params))

export const post = (path, body = {}) => api('POST', path, body)

/** Every item of a keyset-paginated list (bounded: at most `pages` pages). */
export async function getAll(path, params = {}, pages = 20) {
  let items = []
  let cursor = null
  for (let left = pages; left > 0; left -= 1) {
    const page = await get(path, { limit: 50, ...params, ...(cursor ? { cursor } : {}) })
    items = items.concat(page.items)
    cursor = page.next_cursor
    if (!cursor) break
  }
  return items
}

/** Revoke a token on the server (it is already gone from this tab); failures do not matter. */
export function revoke(oldToken) {
  fetch(API + '/auth/logout', { method: 'POST', headers: { Authorization: 'Bearer ' + oldToken } }).catch(() => {})
}
