// Load and render a page or component of the mini-program with miniprogram-simulate.
const path = require('path')
const simulate = require('miniprogram-simulate')
const { flush } = require('./wx')

const MP_ROOT = path.resolve(__dirname, '../../../miniprogram')

function load(relativePath) {
  return simulate.load(path.join(MP_ROOT, relativePath), {
    rootPath: MP_ROOT,
    compilerOptions: { maxBuffer: 32 * 1024 * 1024 },
  })
}

/**
 * Render a page written with Component() and run its onLoad(query) like the framework would.
 * Modules are reset first so every render starts from clean service state.
 */
async function renderPage(relativePath, query, options) {
  jest.resetModules()
  const id = load(relativePath)
  const page = simulate.render(id, (options && options.properties) || {})
  page.attach(document.createElement('parent-wrapper'))
  if (!(options && options.skipLoad) && page.instance.onLoad) {
    await page.instance.onLoad(query || {})
  }
  if (!(options && options.skipLoad) && page.instance.onShow) page.instance.onShow()
  await flush()
  return page
}

async function renderComponent(relativePath, properties) {
  jest.resetModules()
  const id = load(relativePath)
  const comp = simulate.render(id, properties || {})
  comp.attach(document.createElement('parent-wrapper'))
  await flush()
  return comp
}

/** The page's visible text, with whitespace collapsed. */
function text(comp) {
  return comp.dom.textContent.replace(/\s+/g, ' ').trim()
}

/** Elements anywhere under the component (through child components) whose class has `name`. */
function findAll(comp, name) {
  return Array.from(comp.dom.querySelectorAll('[class]')).filter(el =>
    el.getAttribute('class').split(/\s+/).some(cls => cls === name || cls.endsWith('--' + name)),
  )
}

function texts(comp, name) {
  return findAll(comp, name).map(el => el.textContent.trim())
}

/** Tap the first element matching a selector inside the component's own template. */
async function tap(comp, selector, index) {
  const list = comp.querySelectorAll(selector)
  const target = list[index || 0]
  if (!target) throw new Error('Nothing to tap for ' + selector)
  target.dispatchEvent('tap')
  await flush()
}

module.exports = { MP_ROOT, simulate, load, renderPage, renderComponent, text, findAll, texts, tap, flush }
