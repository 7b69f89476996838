// The real server for the end-to-end tests, and a `wx` whose request, uploadFile and downloadFile go to
// it over real HTTP. Each phone (resident, volunteer, staff) is its own `wx` with its own storage.
const { spawn } = require('child_process')
const fs = require('fs')
const http = require('http')
const os = require('os')
const path = require('path')
const { createWx, flush } = require('../helpers/wx')

const REPO = path.resolve(__dirname, '../../..')
const START_TIMEOUT_MS = 120000 // a busy CI machine; it takes about 7 s here

function python() {
  const venv = path.join(REPO, '.venv', 'bin', 'python')
  return fs.existsSync(venv) ? venv : 'python3'
}

/** Start tests/miniprogram/e2e/serve.py; resolves { url, ids, stop() } once it listens. */
function startServer() {
  return new Promise((resolve, reject) => {
    const env = Object.assign({}, process.env, {
      APP_ENV: 'development', WECHAT_APP_ID: '', WECHAT_APP_SECRET: '', REDIS_URL: '', DATABASE_REPLICA_URL: '',
    })
    const child = spawn(python(), [path.join(__dirname, 'serve.py')], { cwd: REPO, env, stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    let errors = ''
    const timer = setTimeout(() => {
      child.kill('SIGTERM')
      reject(new Error('the e2e server did not start in time:\n' + errors))
    }, START_TIMEOUT_MS)
    child.stderr.on('data', chunk => {
      errors = (errors + chunk).slice(-4000)
    })
    child.stdout.on('data', chunk => {
      out += chunk
      const line = out.split('\n')[0]
      if (out.indexOf('\n') < 0) return
      clearTimeout(timer)
      const info = JSON.parse(line)
      resolve({
        url: info.url,
        ids: info.ids,
        logs: () => errors,
        stop: () =>
          new Promise(done => {
            if (child.exitCode !== null) return done()
            child.once('exit', () => done())
            child.kill('SIGTERM')
          }),
      })
    })
    child.once('exit', code => {
      clearTimeout(timer)
      reject(new Error('the e2e server exited (' + code + '):\n' + errors))
    })
  })
}

function queryString(data) {
  return Object.keys(data || {})
    .filter(key => data[key] !== undefined && data[key] !== null)
    .map(key => encodeURIComponent(key) + '=' + encodeURIComponent(String(data[key])))
    .join('&')
}

/** One HTTP exchange; resolves { statusCode, header, body (Buffer) }. */
function exchange(method, url, header, body) {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers: header }, res => {
      const chunks = []
      res.on('data', chunk => chunks.push(chunk))
      res.on('end', () => resolve({ statusCode: res.statusCode, header: res.headers, body: Buffer.concat(chunks) }))
    })
    req.on('error', reject)
    req.setTimeout(15000, () => req.destroy(new Error('timeout')))
    if (body) req.write(body)
    req.end()
  })
}

function parse(res) {
  const text = res.body.toString('utf8')
  try {
    return text ? JSON.parse(text) : ''
  } catch (err) {
    return text
  }
}

/**
 * A phone signed in (dev-mode login) as `openid` against the live server: the fake wx of helpers/wx.js with
 * wx.request, wx.uploadFile and wx.downloadFile over real HTTP. `wx.__live.responses` records every answer.
 */
function livePhone(server, openid) {
  const wx = createWx({ envVersion: 'develop', platform: 'devtools' })
  wx.__storage['dev.apiHost'] = server.url
  wx.__storage['dev.openid'] = openid
  const live = { inflight: 0, responses: [] }
  wx.__live = live
  const record = (method, url, statusCode) => {
    const { pathname } = new URL(url)
    live.responses.push({ method, path: pathname.replace(/^\/api\/v1/, ''), url, statusCode })
  }
  const track = promise => {
    live.inflight += 1
    const done = () => {
      live.inflight -= 1
    }
    promise.then(done, done)
    return promise
  }

  wx.request = jest.fn(o => {
    const method = (o.method || 'GET').toUpperCase()
    let url = o.url
    let body = null
    if (method === 'GET' || method === 'DELETE') {
      const qs = queryString(o.data)
      if (qs) url += (url.indexOf('?') >= 0 ? '&' : '?') + qs
    } else if (o.data !== undefined) {
      body = Buffer.from(typeof o.data === 'string' ? o.data : JSON.stringify(o.data))
    }
    const header = Object.assign({}, o.header)
    if (body) header['Content-Length'] = body.length
    track(exchange(method, url, header, body)).then(
      res => {
        record(method, url, res.statusCode)
        o.success && o.success({ statusCode: res.statusCode, header: res.header, data: parse(res) })
      },
      err => o.fail && o.fail({ errMsg: 'request:fail ' + err.message }),
    )
    return { abort() {} }
  })

  wx.uploadFile = jest.fn(o => {
    const boundary = '----mp-e2e-' + Date.now().toString(16)
    const parts = []
    Object.keys(o.formData || {}).forEach(key => {
      parts.push(Buffer.from('--' + boundary + '\r\nContent-Disposition: form-data; name="' + key + '"\r\n\r\n' + o.formData[key] + '\r\n'))
    })
    const file = fs.readFileSync(o.filePath)
    const type = /\.png$/i.test(o.filePath) ? 'image/png' : 'image/jpeg'
    parts.push(Buffer.from('--' + boundary + '\r\nContent-Disposition: form-data; name="' + (o.name || 'file') + '"; filename="' + path.basename(o.filePath) + '"\r\nContent-Type: ' + type + '\r\n\r\n'))
    parts.push(file)
    parts.push(Buffer.from('\r\n--' + boundary + '--\r\n'))
    const body = Buffer.concat(parts)
    const header = Object.assign({}, o.header, { 'Content-Type': 'multipart/form-data; boundary=' + boundary, 'Content-Length': body.length })
    track(exchange('POST', o.url, header, body)).then(
      res => {
        record('POST', o.url, res.statusCode)
        o.success && o.success({ statusCode: res.statusCode, data: res.body.toString('utf8') })
      },
      err => o.fail && o.fail({ errMsg: 'uploadFile:fail ' + err.message }),
    )
  })

  wx.downloadFile = jest.fn(o => {
    track(exchange('GET', o.url, Object.assign({}, o.header), null)).then(
      res => {
        record('GET', o.url, res.statusCode)
        const tempFilePath = path.join(os.tmpdir(), 'mp-e2e-' + Date.now() + '-' + path.basename(new URL(o.url).pathname))
        if (res.statusCode === 200) fs.writeFileSync(tempFilePath, res.body)
        o.success && o.success({ statusCode: res.statusCode, tempFilePath: res.statusCode === 200 ? tempFilePath : '' })
      },
      err => o.fail && o.fail({ errMsg: 'downloadFile:fail ' + err.message }),
    )
  })
  return wx
}

/** Put a phone in the user's hand: the page code reads the global `wx`. */
function use(wx) {
  global.wx = wx
  global.getCurrentPages = () => [{}, {}]
  return wx
}

/** Wait until every request of the phone has been answered and the promises after it have run. */
async function settle(wx, timeoutMs = 15000) {
  const started = Date.now()
  for (;;) {
    await flush(4)
    if (!wx.__live.inflight) {
      await flush(4)
      if (!wx.__live.inflight) return
    }
    if (Date.now() - started > timeoutMs) throw new Error('requests still open after ' + timeoutMs + ' ms')
    await new Promise(resolve => setTimeout(resolve, 5))
  }
}

/** The answers at or above 400, for "no request failed" checks. */
function failures(wx) {
  return wx.__live.responses.filter(r => r.statusCode >= 400)
}

module.exports = { REPO, startServer, livePhone, use, settle, failures }
