// Every page of app.json renders from fixture data, with no error state and real content.
const { text } = require('./helpers/render')
const { allPages, EXPECTED, renderCase } = require('./helpers/page-cases')

describe('every page renders from fixture data', () => {
  test('the expectations cover every page of app.json', () => {
    expect(Object.keys(EXPECTED).sort()).toEqual(allPages.slice().sort())
  })

  test.each(allPages)('%s', async name => {
    const { wx, page, expected } = await renderCase(name)
    const shown = text(page)
    expect(shown).not.toContain('加载失败')
    expect(shown).not.toContain('正在加载，请稍候')
    expected.text.forEach(fragment => expect(shown).toContain(fragment))
    expect(wx.showToast.mock.calls.filter(call => call[0].icon === 'none')).toEqual([])
  })
})
