// The services and the backend cannot drift: every (method, path) that services/ call must be
// in the backend's OpenAPI document (generated before jest by `flask openapi write build/openapi.json`).
const fs = require('fs')
const path = require('path')
const { installWx } = require('./helpers/wx')
const { MP_ROOT } = require('./helpers/render')
const contract = require('./helpers/contract')
const { flush } = require('./helpers/wx')
const { allPages, renderCase } = require('./helpers/page-cases')

const REPO_ROOT = path.resolve(__dirname, '../..')
const OPENAPI_FILE = path.resolve(REPO_ROOT, process.env.OPENAPI_JSON || 'build/openapi.json')

beforeEach(() => installWx())

describe('the services’ route tables', () => {
  test('every service declares its routes in ROUTES, and only calls through them', () => {
    contract.serviceFiles().forEach(file => {
      const source = fs.readFileSync(file, 'utf8')
      const name = path.basename(file)
      const mod = require(file)
      expect({ name, hasRoutes: typeof mod.ROUTES === 'object' }).toEqual({ name, hasRoutes: true })
      // No hand-built URLs and no bypassing the wrapper.
      expect({ name, raw: /\brequest\(|wx\.(request|uploadFile|downloadFile)\(|url\s*:/.test(source) }).toEqual({ name, raw: false })
      const used = contract.usedRouteNames(file)
      used.forEach(routeName => {
        if (routeName !== '*') expect({ name, route: routeName, declared: routeName in mod.ROUTES }).toEqual({ name, route: routeName, declared: true })
      })
    })
  })

  test('routes are well formed', () => {
    const routes = contract.serviceRoutes()
    expect(routes.length).toBeGreaterThan(30)
    routes.forEach(route => {
      expect(['GET', 'POST', 'PATCH', 'PUT', 'DELETE']).toContain(route.method)
      expect(route.path).toMatch(/^\/[a-z0-9\-/{}_]*(\.pdf)?$/) // a file's route may name its type
      expect(route.path.startsWith('/api/')).toBe(false)
    })
  })

  test('pages and components never talk to the network themselves', () => {
    const offenders = []
    const walk = dir => {
      fs.readdirSync(dir, { withFileTypes: true }).forEach(entry => {
        const full = path.join(dir, entry.name)
        if (entry.isDirectory()) {
          if (!['services', 'utils', 'tools', 'config'].includes(entry.name) || dir !== MP_ROOT) walk(full)
        } else if (entry.name.endsWith('.js')) {
          const source = fs.readFileSync(full, 'utf8')
          if (/wx\.(request|uploadFile|downloadFile)\(|\/api\/v1|\bcall\(\{/.test(source)) offenders.push(path.relative(MP_ROOT, full))
        }
      })
    }
    walk(MP_ROOT)
    expect(offenders).toEqual([])
  })
})

describe('contract checking', () => {
  test('paths are normalised: prefix stripped, parameters named any way', () => {
    expect(contract.normalisePath('/api/v1/orders/{order_id}/accept')).toBe('/orders/{}/accept')
    expect(contract.normalisePath('/orders/{id}/accept')).toBe('/orders/{}/accept')
    expect(contract.normalisePath('/api/v1/teams/')).toBe('/teams')
    expect(contract.normalisePath('/api/v1/role-grants/<int:grant_id>')).toBe('/role-grants/{}')
  })

  test('against a fixture document: found and missing routes are told apart', () => {
    const doc = JSON.parse(fs.readFileSync(path.join(__dirname, 'fixtures/openapi-mini.json'), 'utf8'))
    const routes = [
      { service: 'orders', name: 'list', method: 'GET', path: '/orders' },
      { service: 'orders', name: 'accept', method: 'POST', path: '/orders/{id}/accept' },
      { service: 'orders', name: 'start', method: 'POST', path: '/orders/{id}/start' },
      { service: 'me', name: 'update', method: 'PATCH', path: '/me' },
      { service: 'me', name: 'remove', method: 'DELETE', path: '/me' },
    ]
    expect(contract.missingRoutes(routes, doc)).toEqual(['POST /orders/{id}/start (orders.start)', 'DELETE /me (me.remove)'])
  })

  test('against a fixture document: unknown query parameters and body fields are caught', () => {
    const doc = JSON.parse(fs.readFileSync(path.join(__dirname, 'fixtures/openapi-mini.json'), 'utf8'))
    expect(contract.operationFor(doc, 'POST', '/teams/join').path).toBe('/api/v1/teams/join')
    expect(contract.operationFor(doc, 'GET', '/teams/5').path).toBe('/api/v1/teams/{team_id}')
    const requests = [
      { method: 'GET', path: '/orders', query: { status: 'ordered', view: 'requester' }, kind: 'request' },
      { method: 'GET', path: '/orders', query: { requester_id: '11' }, kind: 'request' },
      { method: 'POST', path: '/orders', query: {}, body: { category: 'escort', colour: 'red' }, kind: 'request' },
      { method: 'POST', path: '/orders/5/accept', query: {}, body: {}, kind: 'request' },
      { method: 'POST', path: '/orders/5/launch', query: {}, body: {}, kind: 'request' },
    ]
    expect(contract.requestMismatches(doc, requests)).toEqual([
      'GET /api/v1/orders: unknown query parameter "requester_id"',
      'POST /api/v1/orders: unknown body field "colour"',
      'POST /orders/5/launch: no such operation',
    ])
  })
})

const haveDocument = fs.existsSync(OPENAPI_FILE)

if (!haveDocument && !process.env.CI) {
  // eslint-disable-next-line no-console
  console.warn(
    '\n!!! CONTRACT TEST SKIPPED: no OpenAPI document at ' + OPENAPI_FILE + '\n' +
      '!!! Generate it with `flask openapi write build/openapi.json` (the Makefile does this before jest),\n' +
      '!!! or point OPENAPI_JSON at it. In CI (CI set) this test fails instead.\n',
  )
}

describe('contract with the backend', () => {
  const run = haveDocument || process.env.CI ? test : test.skip
  run('every (method, path) the services call exists in the backend’s OpenAPI document', () => {
    if (!haveDocument) {
      throw new Error(
        'OpenAPI document not found at ' + OPENAPI_FILE + '. Generate it with ' +
          '`flask openapi write build/openapi.json` before running jest (or set OPENAPI_JSON).',
      )
    }
    const doc = JSON.parse(fs.readFileSync(OPENAPI_FILE, 'utf8'))
    expect(Object.keys(doc.paths || {}).length).toBeGreaterThan(0)
    const missing = contract.missingRoutes(contract.serviceRoutes(), doc)
    if (missing.length) {
      throw new Error('The mini-program calls routes the backend does not have:\n  ' + missing.join('\n  '))
    }
  })
})

// Besides the paths: the query parameters and body fields the pages really send, as recorded
// by the fake server while every page loads and its filters are used.
const INTERACTIONS = {
  'pages/home/index/index': async page => {
    await page.instance.onPickCategory({ currentTarget: { dataset: { code: 'repair' } } })
    await page.instance.onReachBottom()
  },
  'pages/orders/list/index': async page => {
    await page.instance.onTab({ currentTarget: { dataset: { key: 'ordered' } } })
    await page.instance.onOrderAction({ detail: { name: 'cancel', id: 601 } })
    await page.instance.onReasonConfirm({ detail: { text: '不需要了' } })
  },
  'pages/messages/index/index': async page => {
    await page.instance.onOpen({ currentTarget: { dataset: { index: 0 } } })
    await page.instance.onReadAll()
  },
  'pages/me/profile/index': page => page.instance.onSave(),
  'pages/me/privacy/index': async page => {
    await page.instance.onExport()
    await page.instance.onRemove()
  },
  'packageVolunteer/pages/tasks/index': page => page.instance.onTab({ currentTarget: { dataset: { key: 'accepted' } } }),
  'packageVolunteer/pages/points/index': async page => {
    await page.instance.onReachBottom()
    await page.instance.onTab({ currentTarget: { dataset: { tab: 'board' } } })
    await page.instance.onPeriod({ currentTarget: { dataset: { key: 'week' } } })
  },
  'packageVolunteer/pages/calls/index': page => page.instance.onTab({ currentTarget: { dataset: { mine: '1' } } }),
  'packageVolunteer/pages/call-detail/index': page => page.instance.onAction({ currentTarget: { dataset: { name: 'signup' } } }),
  'packageStaff/pages/rating-review/index': async page => {
    await page.instance.onFilter({ currentTarget: { dataset: { key: 'done' } } })
    await page.instance.onFilter({ currentTarget: { dataset: { key: 'todo' } } })
  },
  'packageStaff/pages/offering-review/index': async page => {
    await page.instance.onApprove({ currentTarget: { dataset: { id: 101 } } })
    page.instance.onReject({ currentTarget: { dataset: { id: 102 } } })
    await page.instance.onRejectConfirm({ detail: { text: '服务内容写得不清楚' } })
  },
  'packageStaff/pages/stats/index': page => page.instance.onPeriod({ currentTarget: { dataset: { key: 'year' } } }),
  'packageResident/pages/order-create/index': async page => {
    page.instance.setData({
      form: Object.assign({}, page.instance.data.form, {
        description: '需要有人陪同去医院复查',
        address: '3 栋 2 单元 401',
        contact_phone: '13812341234',
        date: '2030-05-03',
        slot: '上午',
      }),
      photoIds: ['0123456789abcdef0123456789abcdef'],
    })
    await page.instance.onSubmit()
  },
  'packageResident/pages/rate/index': async page => {
    page.instance.onStars({ detail: { value: 4 } })
    page.instance.onTag({ currentTarget: { dataset: { tag: '准时到达' } } })
    page.instance.onComment({ detail: { value: '很好' } })
    await page.instance.onSubmit()
  },
  'packageVolunteer/pages/complete/index': async page => {
    page.instance.onInput({ detail: { value: '已陪同就医，安全送回家' } })
    page.instance.onPhotos({ detail: { ids: ['0123456789abcdef0123456789abcdef'] } })
    await page.instance.onSubmit()
  },
  'packageVolunteer/pages/offering-create/index': async page => {
    page.instance.onCategory({ detail: { value: 0 } })
    page.instance.onInput({ currentTarget: { dataset: { field: 'title' } }, detail: { value: '陪老人看病' } })
    page.instance.onInput({ currentTarget: { dataset: { field: 'description' } }, detail: { value: '工作日上午' } })
    page.instance.onInput({ currentTarget: { dataset: { field: 'service_times' } }, detail: { value: '周一至周五' } })
    await page.instance.onSubmit()
  },
  'packageStaff/pages/call-create/index': async page => {
    page.instance.setData({
      form: { area_id: 3, title: '防汛巡查', description: '沿河巡查', place: '党群服务中心', date: '2030-06-10', time: '08:00', quota: '10' },
    })
    await page.instance.onSubmit()
  },
  'pages/me/join-team/index': async page => {
    page.instance.onInput({ detail: { value: 'SY2024' } })
    await page.instance.onSubmit()
  },
  'pages/me/index/index': page => page.instance.onGetPhoneNumber({ detail: { code: 'phone-code' } }),
  'packageStaff/pages/scan/index': page => page.instance.onScan(),
  'packageVolunteer/pages/service-record/index': async page => {
    await page.instance.onPeriod({ currentTarget: { dataset: { key: 'custom' } } })
    await page.instance.onIssue()
    await page.instance.onOpen({ currentTarget: { dataset: { code: 'K7Q2M9XA4TB8WRCE' } } })
  },
  'packageVolunteer/pages/rewards/index': page => page.instance.onRedeem({ currentTarget: { dataset: { id: 41 } } }),
  'packageVolunteer/pages/redemptions/index': page => page.instance.onCancel({ currentTarget: { dataset: { id: 91 } } }),
  'packageStaff/pages/fulfil/index': page => page.instance.onFulfil(),
  'packageStaff/pages/dispatch/index': async page => {
    page.instance.onPick({ currentTarget: { dataset: { id: 5 } } })
    await page.instance.onSubmit()
  },
}

describe('contract with the backend: parameters and bodies', () => {
  const run = haveDocument || process.env.CI ? test : test.skip
  run('the query parameters and body fields the pages send are in the OpenAPI document', async () => {
    if (!haveDocument) {
      throw new Error('OpenAPI document not found at ' + OPENAPI_FILE + '. Generate it with `flask openapi write build/openapi.json` (or set OPENAPI_JSON).')
    }
    const doc = JSON.parse(fs.readFileSync(OPENAPI_FILE, 'utf8'))
    const requests = []
    for (const name of allPages) {
      const { server, page } = await renderCase(name)
      if (INTERACTIONS[name]) {
        await INTERACTIONS[name](page)
        await flush()
      }
      requests.push(...server.requests)
    }
    expect(requests.length).toBeGreaterThan(50)
    // The scripted actions really sent their bodies.
    const sent = requests.filter(r => r.method !== 'GET').map(r => r.method + ' ' + r.path)
    expect(sent).toEqual(expect.arrayContaining([
      'POST /orders', 'POST /orders/602/rate', 'POST /orders/501/complete', 'POST /offerings', 'POST /calls',
      'POST /teams/join', 'POST /me/phone', 'PATCH /me', 'POST /orders/601/dispatch', 'POST /orders/601/cancel',
      'POST /offerings/102/reject', 'POST /calls/7/signup', 'POST /auth/console-tickets/ticket-abc123/approve',
      'POST /me/service-certificates', 'POST /rewards/41/redeem', 'POST /redemptions/91/cancel', 'POST /redemptions/91/fulfil',
    ]))
    expect(contract.requestMismatches(doc, requests)).toEqual([])
  }, 60000)
})
