// 我的服务记录 (with the certificate), 积分超市, 兑换记录 and staff's 核销, on the fake server.
const { installWx, flush, toasts, error } = require('./helpers/wx')
const { renderPage, text, findAll } = require('./helpers/render')
const { fixture, signIn } = require('./helpers/fixtures')
const { serveFixtures } = require('./helpers/server')
const { code128c, PATTERNS } = require('../../miniprogram/utils/barcode')

const RECORD = 'packageVolunteer/pages/service-record/index'
const REWARDS = 'packageVolunteer/pages/rewards/index'
const REDEMPTIONS = 'packageVolunteer/pages/redemptions/index'
const FULFIL = 'packageStaff/pages/fulfil/index'

let wx
let server

function as(who) {
  wx = installWx()
  const user = fixture('users')[who]
  signIn(wx, user)
  server = serveFixtures(wx, user)
}

describe('我的服务记录', () => {
  beforeEach(() => as('volunteer'))

  test('shows the hours, the counts and the services, newest first', async () => {
    const page = await renderPage(RECORD, {})
    const shown = text(page)
    expect(shown).toContain('8.5 小时')
    expect(shown).toContain('4.5')
    expect(shown).toContain('2024-04-02 · 点单服务 · 5 星')
    expect(shown).toContain('2024-04-12 · 吹哨与志愿活动')
    expect(server.calls('GET', '/me/service-record')[0].query).toEqual({ limit: '20' })
  })

  test('a period asks for that period, its last day included', async () => {
    const page = await renderPage(RECORD, {})
    await page.instance.onPeriod({ currentTarget: { dataset: { key: 'custom' } } })
    await page.instance.onCustomFrom({ detail: { value: '2024-03-01' } })
    await page.instance.onCustomTo({ detail: { value: '2024-03-31' } })
    const last = server.calls('GET', '/me/service-record').pop()
    expect(last.query).toEqual({ limit: '20', from: '2024-03-01', to: '2024-04-01' })
    await page.instance.onPeriod({ currentTarget: { dataset: { key: 'last_year' } } })
    const year = Number(page.instance.data.today.slice(0, 4)) - 1
    expect(server.calls('GET', '/me/service-record').pop().query).toEqual({ limit: '20', from: year + '-01-01', to: year + 1 + '-01-01' })
  })

  test('the certificate is issued for the chosen period, downloaded with my token and opened as a PDF', async () => {
    const page = await renderPage(RECORD, {})
    await page.instance.onPeriod({ currentTarget: { dataset: { key: 'year' } } })
    const opened = await page.instance.onIssue()
    await flush()
    expect(opened).toBe(true)
    const issued = server.calls('POST', '/me/service-certificates')
    expect(issued).toHaveLength(1)
    expect(Object.keys(issued[0].body).sort()).toEqual(['from', 'to'])
    const download = wx.downloadFile.mock.calls[0][0]
    expect(download.url).toBe('http://127.0.0.1:5000/api/v1/service-certificates/N3W5C0DEN3W5C0DE.pdf')
    expect(download.header.Authorization).toBe('Bearer token-21')
    expect(wx.openDocument).toHaveBeenCalledTimes(1)
    expect(wx.openDocument.mock.calls[0][0]).toMatchObject({ filePath: 'wxfile://tmp/N3W5C0DEN3W5C0DE.pdf', fileType: 'pdf' })
    expect(page.instance.data.certificates.map(c => c.code)).toEqual(['N3W5C0DEN3W5C0DE', 'K7Q2M9XA4TB8WRCE'])
  })

  test('an earlier certificate opens again; a refusal is said in Chinese and opens nothing', async () => {
    const page = await renderPage(RECORD, {})
    expect(text(page)).toContain('8.5 小时 · 2024-04-13 开具')
    page.querySelector('.open-cert').dispatchEvent('tap')
    await flush()
    expect(wx.openDocument).toHaveBeenCalledTimes(1)
    server.on('POST', '/me/service-certificates', error(422, 'validation_error', '开具证明需要真实姓名，请先在“我的资料”中填写真实姓名'))
    await page.instance.onIssue()
    await flush()
    expect(toasts(wx)).toContain('开具证明需要真实姓名，请先在“我的资料”中填写真实姓名')
    expect(wx.openDocument).toHaveBeenCalledTimes(1)
    server.on('GET', '/service-certificates/{file}', error(404, 'not_found', '找不到该证明，请核对核验码'))
    expect(await page.instance.open('K7Q2M9XA4TB8WRCE')).toBe(false)
    expect(toasts(wx)).toContain('内容不存在或已被删除') // a download's error body is not read
  })

  test('no services yet: an empty list and no certificate to issue', async () => {
    server.on('GET', '/me/service-record', Object.assign(fixture('service-record'), { total_minutes: 0, services: 0, calls: 0, avg_stars: null, items: [] }))
    const page = await renderPage(RECORD, {})
    expect(text(page)).toContain('这段时间还没有服务记录')
    expect(text(page)).toContain('0 小时')
  })
})

describe('积分超市', () => {
  beforeEach(() => as('volunteer'))

  test('rewards with my balance: sold out and too dear ones cannot be redeemed', async () => {
    const page = await renderPage(REWARDS, {})
    const items = page.instance.data.items
    expect(page.instance.data.balance).toBe(35)
    expect(server.calls('GET', '/rewards')[0].query).toEqual({ limit: '20', active: 'true' }) // staff too: on sale only
    expect(items.map(i => [i.name, i.buttonText])).toEqual([
      ['洗衣液（2 公斤）', '兑换'], ['大米（5 斤）', '积分不足'], ['老年人上门理发券', '已兑完'],
    ])
    await page.instance.onRedeem({ currentTarget: { dataset: { id: 42 } } })
    expect(server.calls('POST', '/rewards/42/redeem')).toHaveLength(0)
  })

  test('redeeming asks first, debits the balance and shows the code', async () => {
    const page = await renderPage(REWARDS, {})
    wx.showModal.mockImplementationOnce(o => Promise.resolve().then(() => o.success({ confirm: false, cancel: true })))
    await page.instance.onRedeem({ currentTarget: { dataset: { id: 41 } } })
    expect(server.calls('POST', '/rewards/41/redeem')).toHaveLength(0)

    await page.instance.onRedeem({ currentTarget: { dataset: { id: 41 } } })
    expect(server.calls('POST', '/rewards/41/redeem')).toHaveLength(1)
    expect(wx.showModal.mock.calls[1][0].content).toContain('用 30 积分兑换「洗衣液（2 公斤）」')
    expect(wx.showModal.mock.calls[2][0].content).toContain('核销码 87654321')
    expect(page.instance.data.balance).toBe(5)
    expect(page.instance.data.items[0].stockText).toBe('剩 19 件')
    expect(page.instance.data.items[0].buttonText).toBe('积分不足')
    expect(wx.navigateTo).toHaveBeenCalledWith({ url: '/packageVolunteer/pages/redemptions/index' })
  })

  test('a refused redemption (sold out meanwhile) is said and the shelf reloaded', async () => {
    const page = await renderPage(REWARDS, {})
    server.on('POST', '/rewards/{id}/redeem', error(409, 'conflict', '这件奖品已经兑完了'))
    await page.instance.onRedeem({ currentTarget: { dataset: { id: 41 } } })
    await flush()
    expect(toasts(wx)).toContain('这件奖品已经兑完了')
    expect(server.calls('GET', '/rewards')).toHaveLength(2)
  })
})

describe('兑换记录', () => {
  beforeEach(() => as('volunteer'))

  test('a pending redemption shows its code as digits and as a barcode; cancelling gives the points back', async () => {
    const page = await renderPage(REDEMPTIONS, {})
    expect(text(page)).toContain('1234 5678')
    expect(findAll(page, 'bar')).toHaveLength(43)
    expect(findAll(page, 'cancel')).toHaveLength(1) // only the pending one
    await page.instance.onCancel({ currentTarget: { dataset: { id: 91 } } })
    expect(server.calls('POST', '/redemptions/91/cancel')).toHaveLength(1)
    await flush()
    expect(page.instance.data.items[0].statusText).toBe('已取消')
    expect(findAll(page, 'bar')).toHaveLength(0)
  })

  test('the barcode is CODE 128 set C with its check symbol', () => {
    const widths = bars => bars.map(b => b.width).join('')
    const expected = [105, 12, 34, 56, 78, 47, 106].map(v => PATTERNS[v]).join('')
    expect(widths(code128c('12345678'))).toBe(expected)
    expect(code128c('12345678').reduce((sum, b) => sum + b.width, 0)).toBe(79)
    expect(code128c('1234567')).toEqual([])
    expect(PATTERNS).toHaveLength(107)
  })
})

describe('核销', () => {
  beforeEach(() => as('staff'))

  test('scanning the barcode finds the redemption, and 确认核销 hands it over with the code', async () => {
    const page = await renderPage(FULFIL, {})
    wx.scanCode.mockImplementationOnce(o => Promise.resolve().then(() => o.success({ result: '12345678', scanType: 'CODE_128' })))
    await page.instance.onScan()
    await flush()
    expect(server.calls('GET', '/redemptions')[0].query).toEqual({ code: '12345678', limit: '5' })
    expect(text(page)).toContain('张明')
    await page.instance.onFulfil()
    await flush()
    expect(server.calls('POST', '/redemptions/91/fulfil')[0].body).toEqual({ code: '12345678' })
    expect(text(page)).toContain('已核销：请把「洗衣液（2 公斤）」交给张明')
  })

  test('a typed code with a space works; an unknown or malformed one is said', async () => {
    const page = await renderPage(FULFIL, {})
    page.instance.onInput({ detail: { value: '1234 5678' } })
    await page.instance.find()
    await flush()
    expect(page.instance.data.redemption.id).toBe(91)
    page.instance.onInput({ detail: { value: '99998888' } })
    await page.instance.find()
    await flush()
    expect(text(page)).toContain('没有找到这个核销码的兑换')
    page.instance.onInput({ detail: { value: '123' } })
    await page.instance.find()
    expect(toasts(wx)).toContain('核销码应为 8 位数字')
    wx.scanCode.mockImplementationOnce(o => Promise.resolve().then(() => o.success({ result: 'https://example.org/x', scanType: 'QR_CODE' })))
    await page.instance.onScan()
    expect(toasts(wx)).toContain('这不是积分超市的核销码')
  })
})
