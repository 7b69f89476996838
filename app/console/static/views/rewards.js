// 积分超市: the rewards on a community's shelf — put one on, change its stock, take it off sale or back on.
import { api, get, post } from '../api.js'
import { clear, empty, fail, h, headRow, loading, panel, toast } from '../dom.js'
import { fmtTime } from '../format.js'
import { areaOptions, session } from '../session.js'

const option = (value, label) => h('option', { value }, label)
const patch = (path, body) => api('PATCH', path, body)

/** Whether rewards may be put on this area's shelf: a community (my own root's kind is unknown: it is one
 * when nothing but grids lies under it). */
function isCommunity(id) {
  const area = session.areas[id]
  if (area?.kind) return area.kind === 'community'
  return !Object.values(session.areas).some(child => child.parent_id === id && child.kind !== 'grid')
}

export default function viewRewards(content) {
  const areas = areaOptions(false)
  const filter = h('form', { class: 'toolbar', id: 'reward-search' },
    h('label', {}, '区域', h('select', { name: 'area_id' }, areas.map(a => option(a.id, a.label)))),
    h('label', {}, '状态', h('select', { name: 'active' }, option('', '全部'), option('true', '上架中'), option('false', '已下架'))),
    h('button', { class: 'btn btn-primary', type: 'submit' }, '查询'))
  const box = panel('积分超市 · 奖品')
  box.insertBefore(filter, box.body)

  const submit = h('button', { class: 'btn btn-primary', type: 'submit', id: 'reward-submit' }, '上架奖品')
  const form = h('form', { class: 'call-form', id: 'reward-form', autocomplete: 'off' },
    h('label', {}, '社区', h('select', { name: 'area_id', required: true },
      areas.filter(a => isCommunity(a.id)).map(a => option(a.id, a.label.trim())))),
    h('label', {}, '奖品名称', h('input', { name: 'name', maxlength: 64, required: true, placeholder: '如：洗衣液（2 公斤）' })),
    h('div', { class: 'form-row' },
      h('label', {}, '所需积分', h('input', { type: 'number', name: 'points', min: 1, max: 100000, required: true, value: 20 })),
      h('label', {}, '库存', h('input', { type: 'number', name: 'stock', min: 0, max: 100000, required: true, value: 10 }))),
    h('label', {}, '说明', h('textarea', { name: 'description', maxlength: 500, rows: 2, placeholder: '领取地点、时间等' })),
    h('div', { class: 'actions' }, submit))
  const add = panel('上架新奖品')
  add.body.appendChild(form)
  content.append(box, add)

  filter.addEventListener('submit', event => {
    event.preventDefault()
    load()
  })
  form.addEventListener('submit', async event => {
    event.preventDefault()
    const e = form.elements
    const body = {
      area_id: Number(e.area_id.value), name: e.name.value.trim(), points: Number(e.points.value),
      stock: Number(e.stock.value), description: e.description.value.trim(),
    }
    submit.disabled = true
    try {
      const reward = await post('/rewards', body)
      toast(`已上架「${reward.name}」`)
      e.name.value = ''
      e.description.value = ''
      filter.elements.area_id.value = String(body.area_id)
      filter.elements.active.value = ''
      load()
    } catch (err) {
      fail(err)
    } finally {
      submit.disabled = false
    }
  })

  async function load() {
    loading(box.body)
    let items = []
    try {
      let cursor = null
      for (let pages = 0; pages < 10; pages++) {
        const page = await get('/rewards', { limit: 50, area_id: filter.elements.area_id.value,
          active: filter.elements.active.value, cursor })
        items = items.concat(page.items)
        cursor = page.next_cursor
        if (!cursor) break
      }
    } catch (err) {
      empty(box.body, err.message)
      return
    }
    if (!items.length) {
      empty(box.body, '这里还没有奖品，可在下方上架')
      return
    }
    clear(box.body).appendChild(h('table', { class: 'grid', id: 'rewards-table' },
      headRow(['奖品', '社区', '上架时间', '状态', '库存', '所需积分'], 2), h('tbody', {}, items.map(rewardRow))))
  }

  function rewardRow(reward) {
    const stock = h('input', { type: 'number', class: 'stock narrow', min: 0, max: 100000, value: reward.stock,
      'aria-label': reward.name + '的库存' })
    const save = h('button', { class: 'btn btn-small', type: 'button' }, '保存库存')
    const state = h('span', {})
    const toggle = h('button', { class: 'btn btn-small toggle', type: 'button' })
    const draw = () => {
      clear(state).appendChild(h('span', { class: 'badge ' + (reward.active ? 'green' : '') },
        reward.active ? (reward.stock > 0 ? '上架中' : '已兑完') : '已下架'))
      toggle.textContent = reward.active ? '下架' : '重新上架'
    }
    async function change(body, button, text) {
      button.disabled = true
      try {
        Object.assign(reward, await patch(`/rewards/${reward.id}`, body))
        stock.value = reward.stock
        draw()
        toast(text)
      } catch (err) {
        fail(err)
      } finally {
        button.disabled = false
      }
    }
    save.addEventListener('click', () => {
      const value = Number(stock.value)
      if (!Number.isInteger(value) || value < 0) {
        toast('库存应为不小于 0 的整数', true)
        return
      }
      change({ stock: value }, save, `「${reward.name}」库存已改为 ${value}`)
    })
    toggle.addEventListener('click', () =>
      change({ active: !reward.active }, toggle, reward.active ? `「${reward.name}」已下架` : `「${reward.name}」已重新上架`))
    draw()
    return h('tr', { 'data-reward-id': reward.id },
      h('td', {}, h('strong', {}, reward.name), reward.description ? h('div', { class: 'desc' }, reward.description) : null),
      h('td', {}, reward.area_name), h('td', {}, fmtTime(reward.created_at)),
      h('td', {}, h('div', { class: 'inline-form' }, state, toggle)),
      h('td', { class: 'num' }, h('div', { class: 'inline-form' }, stock, save)),
      h('td', { class: 'num' }, String(reward.points)))
  }

  load()
}
