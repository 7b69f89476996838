// 我的 → 个人信息与隐私: 导出我的数据 (GET /me/export) and 注销账号 (DELETE /me, after a clear confirmation).
const { installWx, flush, error } = require('./helpers/wx')
const { renderPage, text } = require('./helpers/render')
const { fixture, signIn } = require('./helpers/fixtures')
const { serveFixtures } = require('./helpers/server')

function setup(userKey) {
  const wx = installWx()
  const user = fixture('users')[userKey || 'resident']
  signIn(wx, user)
  const server = serveFixtures(wx, user)
  wx.env = { USER_DATA_PATH: 'wxfile://usr' }
  const files = {}
  wx.getFileSystemManager = jest.fn(() => ({
    writeFile: jest.fn(o => {
      files[o.filePath] = o.data
      o.success && o.success()
    }),
  }))
  wx.shareFileMessage = jest.fn(o => o.success && o.success())
  return { wx, server, files }
}

describe('个人信息与隐私', () => {
  test('我的 has the entry, and it opens the page', async () => {
    const { wx } = setup()
    const page = await renderPage('pages/me/index/index')
    expect(text(page)).toContain('个人信息与隐私')
    page.instance.onEntry({ currentTarget: { dataset: { page: 'privacy' } } })
    expect(wx.navigateTo).toHaveBeenCalledWith({ url: '/pages/me/privacy/index' })
  })

  test('导出我的数据 shows what was exported, and saves it as a file or copies it', async () => {
    const { wx, server, files } = setup()
    const page = await renderPage('pages/me/privacy/index')
    await page.instance.onExport()
    await flush()
    expect(server.calls('GET', '/me/export')).toHaveLength(1)
    const shown = text(page)
    expect(shown).toContain('订单')
    expect(shown).toContain(fixture('orders').items.length + ' 条')
    expect(shown).toContain('导出时间')

    await page.instance.onSaveFile()
    const saved = files['wxfile://usr/我的数据.json']
    expect(JSON.parse(saved).profile.phone).toBe('13812341234')
    expect(wx.shareFileMessage).toHaveBeenCalledWith(expect.objectContaining({ filePath: 'wxfile://usr/我的数据.json', fileName: '我的数据.json' }))

    wx.setClipboardData.mockImplementation(o => o.success && o.success())
    expect(await page.instance.onCopy()).toBe(true)
    expect(JSON.parse(wx.setClipboardData.mock.calls[0][0].data).orders).toHaveLength(fixture('orders').items.length)
  })

  test('a copy refused for want of agreeing to the privacy guide is explained, and the page carries the pop-up', async () => {
    const { wx } = setup()
    const page = await renderPage('pages/me/privacy/index')
    expect(page.querySelector('#privacy')).toBeTruthy()
    await page.instance.onExport()
    await flush()
    wx.setClipboardData.mockImplementation(o => o.fail && o.fail({ errMsg: 'setClipboardData:fail privacy permission is not authorized' }))
    expect(await page.instance.onCopy()).toBe(false)
    const dialog = wx.showModal.mock.calls[wx.showModal.mock.calls.length - 1][0]
    expect(dialog.title).toBe('需要您同意隐私保护指引')
    expect(dialog.content).toContain('复制导出的数据')
  })

  test('注销账号 says what is erased and what stays; cancelling sends nothing', async () => {
    const { wx, server } = setup()
    wx.showModal.mockImplementation(o => setTimeout(() => o.success({ confirm: false, cancel: true }), 0))
    const page = await renderPage('pages/me/privacy/index')
    await page.instance.onRemove()
    await flush()
    const dialog = wx.showModal.mock.calls[0][0]
    expect(dialog.title).toBe('注销账号')
    ;['手机号', '姓名', '地址', '仍会保留', '工单', '评价', '不能恢复'].forEach(word => expect(dialog.content).toContain(word))
    expect(server.calls('DELETE', '/me')).toHaveLength(0)
    expect(wx.__storage['session.token']).toBeTruthy()
  })

  test('confirmed, the account is deleted and the session ends', async () => {
    const { wx, server } = setup()
    const page = await renderPage('pages/me/privacy/index')
    await page.instance.onRemove()
    await flush()
    expect(server.calls('DELETE', '/me')).toHaveLength(1)
    expect(wx.__storage['session.token']).toBeUndefined()
    expect(wx.__storage['session.user']).toBeUndefined()
    expect(wx.reLaunch).toHaveBeenCalledWith({ url: '/pages/home/index/index' })
  })

  test('a 409 (a role or a team to lead) is shown and the session stays', async () => {
    const { wx, server } = setup()
    server.on('DELETE', '/me', error(409, 'conflict', '您还是服务队队长，请先移交队长后再注销'))
    const page = await renderPage('pages/me/privacy/index')
    await page.instance.onRemove()
    await flush()
    expect(wx.showToast.mock.calls.map(call => call[0].title).join()).toContain('请先移交队长')
    expect(wx.__storage['session.token']).toBeTruthy()
    expect(wx.reLaunch).not.toHaveBeenCalled()
  })

  test('staff are told beforehand that a role stands in the way', async () => {
    setup('staff')
    const page = await renderPage('pages/me/privacy/index')
    expect(text(page)).toContain('您现在是社区工作人员')
    setup('resident')
    expect(text(await renderPage('pages/me/privacy/index'))).not.toContain('您现在是')
  })
})
