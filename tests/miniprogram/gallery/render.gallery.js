// Renders every gallery case (cases.js) with miniprogram-simulate into a static HTML page under
// build/gallery/html/: the simulated DOM as plain elements, the page's, its components' and app.wxss
// compiled at 375 px (1rpx = 0.5px), and WeChat's base styles (wechat-base.css). scripts/gallery.py
// screenshots and checks them. Run by `make screenshots` and tests/test_miniprogram_gallery.py.
const fs = require('fs')
const path = require('path')
const simulateWxss = require('miniprogram-simulate/src/wxss')
const { installWx, flush, API_BASE } = require('../helpers/wx')
const { renderPage, MP_ROOT } = require('../helpers/render')
const { fixture, signIn } = require('../helpers/fixtures')
const { serveFixtures } = require('../helpers/server')
const { EXPECTED } = require('../helpers/page-cases')
const { allCases, arrange } = require('./cases')

const OUT = path.resolve(process.env.GALLERY_DIR || path.join(__dirname, '../../../build/gallery'))
const APP_JSON = JSON.parse(fs.readFileSync(path.join(MP_ROOT, 'app.json'), 'utf8'))
const TAB_PAGES = APP_JSON.tabBar.list.map(tab => tab.pagePath)
const ONLY = process.env.GALLERY_ONLY ? new RegExp(process.env.GALLERY_ONLY) : null

/** WXSS → CSS for one prefix (the page is `main`, components their tag): rpx at 375 px. */
function compileWxss(file, prefix) {
  if (!fs.existsSync(file)) return ''
  let text = simulateWxss.getContent(file)
  text = text.replace(/(-?\d*\.?\d+)rpx/g, (all, n) => (Number(n) / 2) + 'px')
  return simulateWxss.compile(text, { prefix }).replace(/(^|[\s,}>+~(])button(?=[\s.:,{\[>+~)])/g, '$1wx-button')
}

function escapeHtml(value) {
  return String(value).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')
}

// WeChat's elements are custom elements, not HTML's: a wx-button is a block that fills its line (an HTML
// <button> would shrink to its text). Tag selectors of the WXSS (`button`, `image`) are rewritten to match.
const TAGS = {
  'wx-view': 'view', 'wx-text': 'text', 'wx-button': 'wx-button', 'wx-image': 'image', 'wx-scroll-view': 'scroll-view',
  'wx-picker': 'picker', 'wx-switch': 'switch', 'wx-navigator': 'navigator', 'wx-icon': 'icon', 'wx-form': 'form',
  'wx-label': 'label', 'wx-rich-text': 'rich-text', main: 'page',
}

/** The simulated DOM as static HTML; tappable elements get data-tap, aria-* attributes are kept. */
function serialise(node, components, ctx) {
  if (node.nodeType === 3) return escapeHtml(node.textContent)
  if (node.nodeType !== 1) return ''
  const domTag = node.tagName.toLowerCase()
  const wxElement = node.__wxElement
  const vt = wxElement && wxElement._vt
  const attrs = {}
  ;((vt && vt.attrs) || []).forEach(({ name, value }) => { attrs[name] = value })
  const events = Object.keys((vt && vt.event) || {})
  const out = {}
  if (node.getAttribute('class')) out.class = node.getAttribute('class')
  if (node.getAttribute('style')) out.style = node.getAttribute('style').replace(/(-?\d*\.?\d+)rpx/g, (a, n) => (Number(n) / 2) + 'px')
  Array.from(node.attributes).forEach(attr => {
    if (/^data-/.test(attr.name)) out[attr.name] = attr.value
  })
  Object.keys(attrs).forEach(name => {
    const dashed = name.replace(/[A-Z]/g, letter => '-' + letter.toLowerCase())
    if (/^aria-/.test(dashed) && attrs[name] !== undefined && attrs[name] !== null && attrs[name] !== '') out[dashed] = attrs[name]
  })
  if (events.some(name => name === 'tap' || name === 'longpress')) out['data-tap'] = '1'
  if (attrs.hidden === true || attrs.hidden === 'true') out.hidden = 'hidden'
  let tag = TAGS[domTag]
  if (!tag && !domTag.startsWith('wx-')) {
    tag = domTag // a custom component's host: its own tag, like WeChat
    out['data-component'] = domTag
    components.add(domTag)
  }
  if (!tag) tag = domTag.replace(/^wx-/, '')
  const inner = () => Array.from(node.childNodes).map(child => serialise(child, components, ctx)).join('')
  const attrText = () => Object.keys(out).map(name => ` ${name}="${escapeHtml(out[name])}"`).join('')
  if (domTag === 'wx-input' || domTag === 'wx-textarea') {
    if (attrs.placeholder) out.placeholder = attrs.placeholder
    if (attrs.placeholderClass) out['data-placeholder-class'] = prefixOf(node) + '--' + attrs.placeholderClass
    if (attrs.disabled) out.disabled = 'disabled'
    out['data-tap'] = '1'
    const value = attrs.value === undefined || attrs.value === null ? '' : String(attrs.value)
    if (domTag === 'wx-input') return `<input${attrText()} value="${escapeHtml(value)}" readonly>`
    return `<textarea${attrText()} readonly>${escapeHtml(value)}</textarea>`
  }
  if (domTag === 'wx-button') {
    if (attrs.type) out['data-type'] = attrs.type
    if (attrs.size) out['data-size'] = attrs.size
    if (attrs.disabled === true || attrs.disabled === 'true') out.disabled = 'disabled'
    if (attrs['open-type'] || attrs.openType) out['data-open-type'] = attrs['open-type'] || attrs.openType
  }
  if (domTag === 'wx-switch') {
    if (attrs.checked === true || attrs.checked === 'true') out['data-checked'] = '1'
    if (attrs.color) out.style = (out.style ? out.style + ';' : '') + '--switch-color:' + attrs.color
    out['data-tap'] = '1'
    return `<switch${attrText()}><span class="wx-switch-knob"></span></switch>`
  }
  if (domTag === 'wx-picker') out['data-tap'] = '1'
  if (domTag === 'wx-image') return `<image${attrText()}></image>`
  return `<${tag}${attrText()}>${inner()}</${tag}>`
}

/** The class prefix of the component a node belongs to (`main` for the page's own template). */
function prefixOf(node) {
  const cls = (node.getAttribute('class') || '').split(/\s+/).find(c => c.indexOf('--') > 0)
  return cls ? cls.split('--')[0] : 'main'
}

/** The component directories a page uses, by tag (usingComponents, followed through components). */
function componentDirs(pageFile, found) {
  const json = JSON.parse(fs.readFileSync(pageFile + '.json', 'utf8'))
  Object.entries(json.usingComponents || {}).forEach(([tag, rel]) => {
    const dir = rel.startsWith('/') ? path.join(MP_ROOT, rel) : path.join(path.dirname(pageFile), rel)
    if (!found[tag]) {
      found[tag] = dir
      componentDirs(dir, found)
    }
  })
  return found
}

function sharesAppStyles(dir) {
  const js = fs.readFileSync(dir + '.js', 'utf8')
  return /styleIsolation:\s*'(apply-shared|shared)'|addGlobalClass:\s*true/.test(js)
}

/** Lists answer empty, with a server error, or never (loading) for the list states. */
function applyState(wx, state) {
  if (state === 'ready' || state === 'first-launch') return
  const request = wx.request
  wx.request = jest.fn(o => {
    if ((o.method || 'GET') !== 'GET') return request(o)
    const res = wx.__server.handle({ method: 'GET', url: o.url, data: o.data, header: o.header, kind: 'peek' })
    const isList = res.data && Array.isArray(res.data.items)
    if (!isList) return request(o)
    if (state === 'loading') return { abort() {} }
    setTimeout(() => {
      if (state === 'empty') o.success({ statusCode: 200, header: {}, data: Object.assign({}, res.data, { items: [], next_cursor: null }) })
      else o.success({ statusCode: 500, header: {}, data: { code: 'internal_error', message: '服务器开小差了，请稍后再试' } })
    }, 0)
    return { abort() {} }
  })
}

async function renderGalleryCase(c) {
  const wx = installWx({ envVersion: c.dev ? 'develop' : 'release', platform: 'ios' })
  const users = fixture('users')
  const user = users[c.role]
  signIn(wx, user)
  if (c.role === 'staff') wx.__storage['session.activeRole'] = 'staff'
  if (c.mode === 'care') wx.__storage['settings.careMode'] = true
  if (c.state !== 'first-launch') wx.__storage['settings.careOffered'] = true
  wx.getAppBaseInfo = jest.fn(() => ({ fontSizeSetting: 17, SDKVersion: '3.4.0' }))
  const server = serveFixtures(wx, user)
  const expected = EXPECTED[c.page]
  if (expected.order) {
    server.on('GET', '/orders/{id}', req => Object.assign(fixture('order-dispatched'), { id: Number(req.params.id), status: 'ordered', allowed_actions: expected.order }))
  }
  if (expected.pendingOfferings) {
    server.on('GET', '/offerings', { items: fixture('offerings').items.map(o => Object.assign({}, o, { status: 'pending' })), next_cursor: null })
  }
  arrange(c.page, c.role, server, c.variant)
  applyState(wx, c.state)
  // The screen's height: a list that ends on screen loads its next page by itself (behaviors/list.js).
  wx.getWindowInfo = jest.fn(() => ({ windowWidth: 375, windowHeight: 724 }))
  // A release build talks to the release host: answer it from the same fake server.
  ;['request', 'uploadFile', 'downloadFile'].forEach(name => {
    const original = wx[name]
    wx[name] = jest.fn(o => original(Object.assign({}, o, { url: String(o.url).replace(/^https?:\/\/[^/]+\/api\/v1/, API_BASE) })))
  })
  const query = c.query || expected.query || {}
  let page
  if (c.state === 'loading') {
    // Its lists never answer: onLoad is started, not awaited.
    page = await renderPage(c.page, query, { skipLoad: true })
    if (page.instance.onLoad) page.instance.onLoad(query)
    if (page.instance.onShow) page.instance.onShow()
  } else {
    page = await renderPage(c.page, query)
  }
  if (c.then) await c.then(page) // an EXTRA case's taps after the page has loaded
  await flush()
  const components = new Set()
  const body = serialise(page.dom, components, {})
  const pageFile = path.join(MP_ROOT, c.page)
  const dirs = componentDirs(pageFile, {})
  const appWxss = path.join(MP_ROOT, 'app.wxss')
  let css = compileWxss(appWxss, 'main') + compileWxss(pageFile + '.wxss', 'main')
  Object.entries(dirs).forEach(([tag, dir]) => {
    if (sharesAppStyles(dir)) css += compileWxss(appWxss, tag)
    css += compileWxss(dir + '.wxss', tag)
  })
  const tab = TAB_PAGES.indexOf(c.page) >= 0 ? c.page : ''
  // The title the page set itself (改派, 代居民点单 …), else its page.json's.
  const titled = wx.setNavigationBarTitle.mock.calls
  const title = titled.length ? titled[titled.length - 1][0].title : pageTitle(c.page)
  const toasts = wx.showToast.mock.calls.map(call => call[0].title)
  const modals = wx.showModal.mock.calls.map(call => [call[0].title, call[0].content].filter(Boolean).join('：'))
  return { body, css, tab, title, toasts, modals, care: c.mode === 'care' }
}

function pageTitle(page) {
  const json = JSON.parse(fs.readFileSync(path.join(MP_ROOT, page + '.json'), 'utf8'))
  return json.navigationBarTitleText || APP_JSON.window.navigationBarTitleText
}

function htmlPage(c, r) {
  const tabs = APP_JSON.tabBar.list.map(tab => `<div class="wx-tab${tab.pagePath === r.tab ? ' wx-tab-on' : ''}"><img src="${escapeHtml(path.join(MP_ROOT, tab.pagePath === r.tab ? tab.selectedIconPath : tab.iconPath))}"><span>${escapeHtml(tab.text)}</span></div>`).join('')
  const overlay = r.modals.length ? `<div class="wx-modal"><div class="wx-modal-box">${escapeHtml(r.modals[r.modals.length - 1])}</div></div>` : ''
  return `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>${escapeHtml(c.id)}</title>
<link rel="stylesheet" href="../wechat-base.css"><style>${r.css.replace(/100vh/g, 'var(--wx-vh)')}</style></head>
<body class="${r.tab ? 'wx-has-tabbar' : 'wx-no-tabbar'}" data-case="${escapeHtml(c.id)}" data-mode="${c.mode}" data-dev="${c.dev ? 1 : 0}">
<div class="wx-status"><span>9:41</span><span>100%</span></div>
<div class="wx-nav">${r.tab ? '' : '<span class="wx-back" aria-hidden="true"></span>'}<span class="wx-nav-title">${escapeHtml(r.title)}</span><span class="wx-capsule" aria-hidden="true"><i></i><b></b></span></div>
<div id="wx-viewport">${r.body}</div>
${r.tab ? `<div class="wx-tabbar">${tabs}</div>` : '<div class="wx-home-indicator"></div>'}
${overlay}
<script type="application/json" id="wx-toasts">${JSON.stringify(r.toasts).replace(/</g, '\\u003c')}</script>
</body></html>`
}

describe('gallery', () => {
  const cases = allCases().filter(c => !ONLY || ONLY.test(c.id))
  beforeAll(() => {
    fs.mkdirSync(path.join(OUT, 'html'), { recursive: true })
    fs.copyFileSync(path.join(__dirname, 'wechat-base.css'), path.join(OUT, 'wechat-base.css'))
  })
  afterAll(() => {
    fs.writeFileSync(path.join(OUT, 'cases.json'), JSON.stringify(cases, null, 1))
  })
  test.each(cases.map(c => [c.id, c]))('%s', async (id, c) => {
    const rendered = await renderGalleryCase(c)
    fs.writeFileSync(path.join(OUT, 'html', id + '.html'), htmlPage(c, rendered))
  })
})
