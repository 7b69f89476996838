// `npm run release-check` (scripts/release-check.js): a release build with development settings is refused.
const fs = require('fs')
const os = require('os')
const path = require('path')
const { execFileSync } = require('child_process')
const { installWx } = require('./helpers/wx')
const { MP_ROOT } = require('./helpers/render')

const REPO = path.resolve(MP_ROOT, '..')
const SCRIPT = path.join(REPO, 'scripts/release-check.js')
const SAMPLE = path.join(REPO, 'scripts/release-sample')
const { check } = require(SCRIPT)
const sample = require(path.join(SAMPLE, 'deploy.js'))
const sampleProject = JSON.parse(fs.readFileSync(path.join(SAMPLE, 'project.config.json'), 'utf8'))

let tmp
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'release-check-'))
})
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }))

function writeDeploy(name, deploy) {
  const file = path.join(tmp, name + '.js')
  fs.writeFileSync(file, 'module.exports = ' + JSON.stringify(deploy))
  return file
}

function writeProject(name, project) {
  const file = path.join(tmp, name + '.json')
  fs.writeFileSync(file, JSON.stringify(project))
  return file
}

function problemsWith(changes) {
  const deploy = JSON.parse(JSON.stringify(sample))
  const project = Object.assign({}, sampleProject)
  changes(deploy, project)
  const name = 'case-' + Math.random().toString(36).slice(2)
  return check({ deploy: writeDeploy(name, deploy), project: writeProject(name, project) })
}

describe('release-check', () => {
  test('the committed release sample passes', () => {
    expect(check({ project: path.join(SAMPLE, 'project.config.json'), deploy: path.join(SAMPLE, 'deploy.js') })).toEqual([])
  })

  test('the development config of the repository is refused, with every reason at once (exit 1)', () => {
    const problems = check({})
    expect(problems.join('\n')).toMatch(/touristappid/)
    expect(problems.join('\n')).toMatch(/API_HOSTS.release .* placeholder host/)
    expect(problems.join('\n')).toMatch(/SUBSCRIBE_TEMPLATE_IDS.orderProgress is empty/)
    expect(problems.join('\n')).toMatch(/SUBSCRIBE_TEMPLATE_IDS.calls is empty/)
    let status = 0
    try {
      execFileSync('node', [SCRIPT], { cwd: REPO, stdio: 'pipe' })
    } catch (err) {
      status = err.status
      expect(String(err.stderr)).toContain('NOT ready')
    }
    expect(status).toBe(1)
  })

  test.each([
    ['the tourist appid', (d, p) => (p.appid = 'touristappid'), /tourist appid/],
    ['an appid that is not one', (d, p) => (p.appid = 'wx-your-appid'), /not a mini-program appid/],
    ['a non-https host', d => (d.API_HOSTS.release = 'http://api.wudan-sample.cn'), /is not https/],
    ['an address for a host', d => (d.API_HOSTS.trial = 'https://10.1.2.3'), /IP address/],
    ['a placeholder host', d => (d.API_HOSTS.release = 'https://wudan.example.com'), /placeholder host/],
    ['localhost', d => (d.API_HOSTS.trial = 'https://localhost'), /placeholder host/],
    ['a host with a path', d => (d.API_HOSTS.release = 'https://api.wudan-sample.cn/api/v1'), /host only/],
    ['empty subscribe template ids', d => (d.SUBSCRIBE_TEMPLATE_IDS.calls = []), /calls is empty/],
    ['a placeholder template id', d => (d.SUBSCRIBE_TEMPLATE_IDS.orderProgress = ['tmpl-order-progress']), /not a template id/],
    ['packOptions relative to the wrong root', (d, p) => (p.packOptions = { ignore: [{ type: 'folder', value: 'miniprogram/tools' }] }), /does not exist under miniprogramRoot/],
  ])('refuses %s', (name, change, expected) => {
    const problems = problemsWith(change)
    expect(problems.join('\n')).toMatch(expected)
  })

  test('refuses a dev page that stays reachable outside develop', () => {
    const copy = path.join(tmp, 'mp')
    fs.cpSync(MP_ROOT, copy, { recursive: true, filter: src => !/assets/.test(src) })
    const page = path.join(copy, 'pages/me/dev/index.js')
    fs.writeFileSync(page, fs.readFileSync(page, 'utf8').replace(/if \(!config\.isDevelop\(\)\) [^\n]*/g, ''))
    const problems = check({
      project: path.join(SAMPLE, 'project.config.json'),
      deploy: path.join(SAMPLE, 'deploy.js'),
      miniprogram: copy,
    })
    expect(problems).toEqual(expect.arrayContaining([
      'pages/me/dev/index: reachable in release (it must leave at once outside develop)',
      'pages/me/dev/index: switches account or API host in release',
      'pages/me/dev/index: reachable in an unknown envVersion (it must leave at once outside develop)',
    ]))
  })
})

describe('envVersion', () => {
  beforeEach(() => jest.resetModules())

  test('an unknown envVersion means release: release host, real wx.login, no dev page', () => {
    const wx = installWx({ envVersion: 'gray', platform: 'devtools' })
    wx.__storage['dev.openid'] = 'demo-admin'
    const config = require(path.join(MP_ROOT, 'config/index'))
    expect(config.envVersion()).toBe('release')
    expect(config.devOpenid()).toBe('')
    expect(config.baseUrl()).toBe(config.API_HOSTS.release + '/api/v1')
  })

  test('an envVersion that cannot be read means release too', () => {
    const wx = installWx({ platform: 'devtools' })
    wx.getAccountInfoSync.mockImplementation(() => {
      throw new Error('not supported')
    })
    const config = require(path.join(MP_ROOT, 'config/index'))
    expect(config.envVersion()).toBe('release')
    expect(config.isDevelop()).toBe(false)
  })
})
