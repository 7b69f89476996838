const { installWx, flush } = require('./helpers/wx')
const { renderPage, text, texts } = require('./helpers/render')
const { fixture, signIn } = require('./helpers/fixtures')

describe('首页 · 亮单大厅', () => {
  let wx
  beforeEach(() => {
    wx = installWx()
    signIn(wx, fixture('users').resident)
    wx.__server
      .on('GET', '/categories', fixture('categories'))
      .on('GET', '/offerings', req => (req.query.cursor ? fixture('offerings-page2') : fixture('offerings')))
      .on('GET', '/me/messages', fixture('messages'))
  })

  test('renders categories and published offerings of my community', async () => {
    const page = await renderPage('pages/home/index/index')
    const shown = text(page)
    expect(shown).toContain('王秀兰，您好')
    expect(texts(page, 'grid-label')).toEqual(['陪医', '陪护', '助老', '家电维修'])
    expect(shown).toContain('陪老人去医院看病')
    expect(shown).toContain('小家电上门维修')
    expect(wx.__server.calls('GET', '/offerings')[0].query.area_id).toBe('3')
  })

  test('loads the next page by next_cursor and filters by category', async () => {
    const page = await renderPage('pages/home/index/index')
    await page.instance.onReachBottom()
    await flush()
    expect(text(page)).toContain('免费理发')
    expect(wx.__server.calls('GET', '/offerings')[1].query.cursor).toBe('b2Zmc2V0OjI')
    expect(text(page)).toContain('已经到底了')
    await page.instance.onPickCategory({ currentTarget: { dataset: { code: 'repair' } } })
    await flush()
    expect(wx.__server.calls('GET', '/offerings').pop().query.category).toBe('repair')
  })

  test('shows the empty state with a way to order anyway', async () => {
    wx.__server.on('GET', '/offerings', { items: [], next_cursor: null })
    const page = await renderPage('pages/home/index/index')
    expect(text(page)).toContain('暂时还没有这类服务')
    expect(text(page)).toContain('我要点单')
  })

  test('shows the error state and retries', async () => {
    wx.__state.network = false
    const page = await renderPage('pages/home/index/index')
    expect(text(page)).toContain('网络不太好')
    expect(text(page)).toContain('重新加载')
    wx.__state.network = true
    await page.instance.retryList()
    await flush()
    expect(text(page)).toContain('陪老人去医院看病')
  })
})
