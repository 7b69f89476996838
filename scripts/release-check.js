#!/usr/bin/env node
// Refuses a mini-program release build that still carries development settings.
//
//   npm run release-check                        the repository's own config (fails while it is a dev config)
//   node scripts/release-check.js --project scripts/release-sample/project.config.json \
//                                 --deploy scripts/release-sample/deploy.js
//
// Checks: a real appid (not touristappid); https API hosts for 体验版 and 正式版 that are not placeholders,
// addresses or ports; every subscribe template id filled in; the 开发者设置 page closed outside develop
// (it leaves at once, and a stored demo account or API host is ignored); packOptions paths that exist
// under miniprogramRoot. Prints every problem at once; exit status 1 when there is any.
const fs = require('fs')
const path = require('path')

const REPO = path.resolve(__dirname, '..')
const DEV_PAGES = ['pages/me/dev/index']
const RELEASE_ENVS = ['trial', 'release']
const PLACEHOLDER_HOST = /(^|\.)(example\.(com|org|net|cn)|example|test|invalid|localhost|local)$|placeholder|your-?domain|changeme|todo|xxx/i
const PLACEHOLDER_ID = /placeholder|changeme|todo|xxx|template|tmpl-/i
const TEMPLATE_ID = /^[A-Za-z0-9_-]{20,64}$/

function parseArgs(argv) {
  const out = {}
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]
    if (arg === '--project' || arg === '--deploy' || arg === '--miniprogram') out[arg.slice(2)] = argv[++i]
    else if (arg === '--help' || arg === '-h') out.help = true
    else throw new Error('unknown argument: ' + arg)
  }
  return out
}

function checkAppid(project, problems) {
  const appid = String(project.appid || '')
  if (!appid) problems.push('project.config.json: appid is missing')
  else if (appid === 'touristappid') problems.push('project.config.json: appid is the tourist appid "touristappid"; put the real appid (wx…) in')
  else if (!/^wx[0-9a-f]{16}$/.test(appid)) problems.push('project.config.json: appid "' + appid + '" is not a mini-program appid (wx + 16 hex digits)')
}

function checkHost(env, host, problems) {
  const where = 'deploy.js API_HOSTS.' + env
  if (!host) return problems.push(where + ' is empty')
  let url
  try {
    url = new URL(host)
  } catch (err) {
    return problems.push(where + ' "' + host + '" is not a URL')
  }
  if (url.protocol !== 'https:') problems.push(where + ' "' + host + '" is not https (WeChat only calls https hosts in 体验版 and 正式版)')
  if (url.port) problems.push(where + ' "' + host + '" has a port; 合法域名 are served on 443')
  if (url.pathname !== '/' || url.search || url.hash) problems.push(where + ' "' + host + '" must be a host only (the API path /api/v1 is added by config/index.js)')
  if (/^[\d.]+$/.test(url.hostname) || url.hostname.indexOf(':') >= 0) problems.push(where + ' "' + host + '" is an IP address; WeChat needs a registered domain')
  else if (PLACEHOLDER_HOST.test(url.hostname)) problems.push(where + ' "' + host + '" is a placeholder host')
}

function checkTemplates(ids, problems) {
  const kinds = Object.keys(ids || {})
  if (!kinds.length) problems.push('deploy.js SUBSCRIBE_TEMPLATE_IDS is empty')
  kinds.forEach(kind => {
    const list = ids[kind]
    if (!Array.isArray(list) || !list.length) {
      problems.push('deploy.js SUBSCRIBE_TEMPLATE_IDS.' + kind + ' is empty: residents would get no 订阅消息 (see miniprogram/README.md for the templates to pick)')
      return
    }
    list.forEach(id => {
      if (typeof id !== 'string' || !TEMPLATE_ID.test(id) || PLACEHOLDER_ID.test(id)) {
        problems.push('deploy.js SUBSCRIBE_TEMPLATE_IDS.' + kind + ' has "' + id + '", which is not a template id from the admin console')
      }
    })
  })
}

function checkPackOptions(project, mpRoot, problems) {
  const ignore = (project.packOptions && project.packOptions.ignore) || []
  ignore.forEach(rule => {
    if (rule.type !== 'folder' && rule.type !== 'file') return
    if (!fs.existsSync(path.join(mpRoot, rule.value))) {
      problems.push('project.config.json: packOptions.ignore "' + rule.value + '" does not exist under miniprogramRoot (paths are relative to ' + (project.miniprogramRoot || '.') + ')')
    }
  })
}

/** A fake `wx` of a release build, with the develop overrides a tester might have left in storage. */
function releaseWx(envVersion) {
  const storage = { 'dev.openid': 'demo-admin', 'dev.apiHost': 'http://192.168.1.10:5000' }
  const calls = { reLaunch: [], login: 0, writes: [] }
  const noop = () => {}
  return {
    calls,
    wx: {
      getAccountInfoSync: () => ({ miniProgram: { appId: 'wx0000000000000000', envVersion } }),
      getDeviceInfo: () => ({ platform: 'devtools' }),
      getSystemInfoSync: () => ({ platform: 'devtools' }),
      getStorageSync: key => (storage[key] === undefined ? '' : storage[key]),
      setStorageSync: (key, value) => calls.writes.push(key) && (storage[key] = value),
      removeStorageSync: key => calls.writes.push(key) && delete storage[key],
      reLaunch: o => calls.reLaunch.push(o.url),
      login: () => (calls.login += 1),
      request: noop,
      showToast: noop,
      showModal: noop,
      navigateTo: noop,
      switchTab: noop,
    },
  }
}

/**
 * A small CommonJS loader for the mini-program's own files, with its own `wx` and `Component` and with
 * `deploy` standing in for config/deploy.js (Node's and jest's module caches are left alone).
 */
function sandbox(mpRoot, deploy, globals) {
  const cache = {}
  const deployFile = path.join(mpRoot, 'config', 'deploy.js')
  function load(file) {
    const resolved = /\.js$/.test(file) ? file : file + '.js'
    if (resolved === deployFile) return deploy
    if (cache[resolved]) return cache[resolved].exports
    const module = { exports: {} }
    cache[resolved] = module
    const source = fs.readFileSync(resolved, 'utf8')
    const localRequire = rel => load(path.resolve(path.dirname(resolved), rel))
    // eslint-disable-next-line no-new-func
    const fn = new Function('wx', 'Component', 'Behavior', 'getApp', 'require', 'module', 'exports', source)
    fn(globals.wx, globals.Component, def => def, () => ({}), localRequire, module, module.exports)
    return module.exports
  }
  return rel => load(path.join(mpRoot, rel))
}

function checkDevPages(mpRoot, deploy, problems) {
  ;[['release', 'release'], ['trial', 'trial'], ['gray', 'an unknown envVersion']].forEach(([env, label]) => {
    const fake = releaseWx(env)
    let definition = null
    const load = sandbox(mpRoot, deploy, { wx: fake.wx, Component: def => (definition = def) })
    const config = load('config/index.js')
    const expected = env === 'trial' ? 'trial' : 'release'
    if (config.envVersion() !== expected) problems.push('config/index.js: ' + label + ' is taken for "' + config.envVersion() + '", not ' + expected)
    if (config.isDevelop()) problems.push('config/index.js: ' + label + ' counts as develop')
    if (config.devOpenid()) problems.push('config/index.js: ' + label + ' logs in with the demo account "' + config.devOpenid() + '" left in storage')
    const host = (deploy.API_HOSTS || {})[expected]
    if (config.apiHost() !== String(host || '').replace(/\/+$/, '')) {
      problems.push('config/index.js: ' + label + ' talks to ' + config.apiHost() + ' instead of API_HOSTS.' + expected)
    }
    DEV_PAGES.forEach(page => {
      definition = null
      load(page + '.js')
      const methods = (definition && definition.methods) || {}
      const instance = Object.assign({
        data: Object.assign({}, definition && definition.data),
        setData(d) {
          Object.assign(this.data, d)
        },
      }, methods)
      if (methods.onLoad) methods.onLoad.call(instance, {})
      if (!fake.calls.reLaunch.length) problems.push(page + ': reachable in ' + label + ' (it must leave at once outside develop)')
      if (instance.data.develop) problems.push(page + ': shows the developer settings in ' + label)
      fake.calls.writes.length = 0
      const swallow = out => out && out.catch && out.catch(() => null)
      if (methods.onPick) swallow(methods.onPick.call(instance, { currentTarget: { dataset: { openid: 'demo-admin' } } }))
      instance.data.host = 'http://10.0.0.1:5000'
      if (methods.onSaveHost) swallow(methods.onSaveHost.call(instance))
      if (fake.calls.writes.length || fake.calls.login) problems.push(page + ': switches account or API host in ' + label)
    })
  })
}

/** Every problem of a release build, as lines of text (empty: ready to upload). */
function check(options) {
  const opts = options || {}
  const projectFile = path.resolve(opts.project || path.join(REPO, 'project.config.json'))
  const project = JSON.parse(fs.readFileSync(projectFile, 'utf8'))
  const mpRoot = path.resolve(opts.miniprogram || path.join(REPO, 'miniprogram'))
  const deployFile = path.resolve(opts.deploy || path.join(mpRoot, 'config', 'deploy.js'))
  const deploy = sandbox(path.dirname(deployFile), null, {})(path.basename(deployFile))
  const problems = []
  checkAppid(project, problems)
  RELEASE_ENVS.forEach(env => checkHost(env, (deploy.API_HOSTS || {})[env], problems))
  checkTemplates(deploy.SUBSCRIBE_TEMPLATE_IDS, problems)
  checkPackOptions(project, mpRoot, problems)
  checkDevPages(mpRoot, deploy, problems)
  return problems
}

function main() {
  const args = parseArgs(process.argv.slice(2))
  if (args.help) {
    process.stdout.write('usage: node scripts/release-check.js [--project project.config.json] [--deploy miniprogram/config/deploy.js]\n')
    return 0
  }
  const problems = check(args)
  if (problems.length) {
    process.stderr.write('release-check: NOT ready for 体验版/正式版 (' + problems.length + ' problems):\n')
    problems.forEach(line => process.stderr.write('  - ' + line + '\n'))
    return 1
  }
  process.stdout.write('release-check: ready (appid, https hosts, subscribe templates, dev pages closed, packOptions)\n')
  return 0
}

if (require.main === module) process.exitCode = main()

module.exports = { check }
