// 周期服务 on the phone: the list, a plan with its visits and pause / resume / end, and setting one up.
const { installWx, flush, toasts } = require('./helpers/wx')
const { renderPage, text } = require('./helpers/render')
const { fixture, signIn } = require('./helpers/fixtures')
const { serveFixtures } = require('./helpers/server')
const { validateCarePlan } = require('../../miniprogram/utils/validate')

function setup(userKey) {
  const wx = installWx()
  const user = fixture('users')[userKey || 'staff']
  signIn(wx, user)
  const server = serveFixtures(wx, user)
  return { wx, server, user }
}

describe('周期服务', () => {
  test('the workbench offers 周期服务 to staff, and the list opens a plan and the form', async () => {
    const { wx, server } = setup()
    const workbench = await renderPage('pages/workbench/index/index')
    expect(text(workbench)).toContain('周期服务')
    const page = await renderPage('packageStaff/pages/care-plans/index')
    expect(server.calls('GET', '/care-plans')[0].query).toMatchObject({ limit: '20' })
    expect(page.querySelectorAll('.plan')).toHaveLength(2)
    expect(text(page)).toContain('下次上门：2030-05-03')
    page.querySelectorAll('.plan')[0].dispatchEvent('tap')
    await flush()
    expect(wx.navigateTo).toHaveBeenCalledWith({ url: '/packageStaff/pages/care-plan/index?id=31' })
    page.instance.onCreate()
    expect(wx.navigateTo).toHaveBeenLastCalledWith({ url: '/packageStaff/pages/care-plan-create/index' })
  })

  test('a plan shows its visits (each opens its order); pause asks first, then the page shows it paused', async () => {
    const { wx, server } = setup()
    const page = await renderPage('packageStaff/pages/care-plan/index', { id: '31' })
    expect(text(page)).toContain('2030-04-30 周二')
    page.querySelectorAll('.visit')[1].dispatchEvent('tap')
    await flush()
    expect(wx.navigateTo).toHaveBeenCalledWith({ url: '/pages/orders/detail/index?id=611' })
    wx.showModal.mockImplementationOnce(o => o.success({ confirm: false, cancel: true }))
    await page.instance.onAction({ currentTarget: { dataset: { action: 'pause' } } })
    expect(server.calls('POST', '/care-plans/31/pause')).toHaveLength(0)
    page.querySelectorAll('.plan-action')[0].dispatchEvent('tap')
    await flush()
    expect(server.calls('POST', '/care-plans/31/pause')).toHaveLength(1)
    expect(text(page)).toContain('已暂停')
    expect(toasts(wx)).toEqual(['已暂停'])
    expect(page.querySelectorAll('.plan-action').map(b => b.dom.textContent.trim())).toEqual(['恢复', '结束'])
  })

  test('the form checks its fields, then sends the plan and opens it', async () => {
    const { wx, server } = setup('staff')
    const page = await renderPage('packageStaff/pages/care-plan-create/index')
    await page.instance.onSubmit()
    await flush()
    expect(server.calls('POST', '/care-plans')).toHaveLength(0)
    expect(text(page)).toContain('请填写居民姓名')
    page.instance.onInput({ currentTarget: { dataset: { field: 'name' } }, detail: { value: '王奶奶' } })
    page.instance.onInput({ currentTarget: { dataset: { field: 'phone' } }, detail: { value: '13900000001' } })
    page.instance.onInput({ currentTarget: { dataset: { field: 'address' } }, detail: { value: '松阳小区5栋' } })
    page.instance.onInput({ currentTarget: { dataset: { field: 'description' } }, detail: { value: '量血压、打扫卫生' } })
    page.instance.onCategory({ detail: { value: '0' } })
    page.instance.onWeekday({ currentTarget: { dataset: { day: 4 } } })
    page.instance.onWeekday({ currentTarget: { dataset: { day: 1 } } })
    page.instance.onSlot({ currentTarget: { dataset: { slot: '下午' } } })
    page.instance.onDate({ currentTarget: { dataset: { field: 'starts_on' } }, detail: { value: '2030-05-06' } })
    await page.instance.onSubmit()
    await flush()
    const sent = server.calls('POST', '/care-plans')[0].body
    expect(sent).toEqual({
      resident: { name: '王奶奶', phone: '13900000001' }, area_id: 3, category: fixture('categories').items[0].code,
      description: '量血压、打扫卫生', address: '松阳小区5栋', weekdays: [1, 4], time_slot: '下午', starts_on: '2030-05-06',
    })
    expect(wx.redirectTo).toHaveBeenCalledWith({ url: '/packageStaff/pages/care-plan/index?id=32' })
  })

  test('the team picker offers 不指定 and the teams the server lists for the area and category; a pick is sent as team_id', async () => {
    const { server } = setup('staff')
    const codes = fixture('categories').items.map(c => c.code)
    const town = { id: 8, name: '城关镇志愿服务总队', area_id: 2, categories: [] }
    // The server answers for the plan's area and category (its rule: app/orders/scope.py); the page keeps no copy.
    server.on('GET', '/teams', req => ({ items: req.query.category === codes[0] ? [fixture('team'), town] : [town], next_cursor: null }))
    const page = await renderPage('packageStaff/pages/care-plan-create/index')
    expect(server.calls('GET', '/teams')).toHaveLength(0) // no category yet: nothing to ask
    expect(page.instance.data.teams[page.instance.data.teamIndex].name).toBe('不指定')
    expect(text(page)).toContain('选好服务类别后，可从能承接的服务队中指定')
    await page.instance.onCategory({ detail: { value: '0' } })
    await flush()
    expect(server.calls('GET', '/teams')[0].query).toMatchObject({ for_area_id: '3', category: codes[0] })
    expect(page.instance.data.teams.map(t => t.name)).toEqual(['不指定', '松阳社区志愿服务队', '城关镇志愿服务总队'])
    expect(text(page)).toContain('不指定时，每次由工作人员派单')
    page.instance.onTeam({ detail: { value: '1' } })
    await flush()
    expect(text(page)).toContain('松阳社区志愿服务队')
    // Another category the picked team does not serve: back to 不指定; one it does: kept.
    await page.instance.onCategory({ detail: { value: '1' } })
    await flush()
    expect(page.instance.data.teamIndex).toBe(0)
    expect(page.instance.data.form.team_id).toBe(null)
    page.instance.onTeam({ detail: { value: '1' } })
    await page.instance.onCategory({ detail: { value: '0' } })
    await flush()
    expect(page.instance.data.form.team_id).toBe(8)
    page.instance.onInput({ currentTarget: { dataset: { field: 'name' } }, detail: { value: '王奶奶' } })
    page.instance.onInput({ currentTarget: { dataset: { field: 'phone' } }, detail: { value: '13900000001' } })
    page.instance.onInput({ currentTarget: { dataset: { field: 'address' } }, detail: { value: '松阳小区5栋' } })
    page.instance.onInput({ currentTarget: { dataset: { field: 'description' } }, detail: { value: '量血压、陪同散步' } })
    page.instance.onWeekday({ currentTarget: { dataset: { day: 2 } } })
    page.instance.onSlot({ currentTarget: { dataset: { slot: '上午' } } })
    page.instance.onDate({ currentTarget: { dataset: { field: 'starts_on' } }, detail: { value: '2030-05-06' } })
    await page.instance.onSubmit()
    await flush()
    expect(server.calls('POST', '/care-plans')[0].body).toMatchObject({ category: codes[0], team_id: 8 })
  })

  test('validateCarePlan: each missing field has its Chinese message; an end before the start is refused', () => {
    const good = { area_id: 3, name: '王奶奶', phone: '13900000001', category: 'elderly', description: '量血压、打扫卫生',
      address: '松阳小区5栋', weekdays: [1], slot: '上午', starts_on: '2030-05-06', ends_on: '' }
    expect(validateCarePlan(good)).toEqual({})
    expect(validateCarePlan(Object.assign({}, good, { weekdays: [], ends_on: '2030-05-01' }))).toEqual({
      weekdays: '请选择每周哪几天上门', ends_on: '结束日期不能早于开始日期' })
  })
})
