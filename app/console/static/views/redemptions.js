// 兑换核销: find a redemption by the code on the volunteer's phone and hand the reward over (核销); the list
// of my areas' redemptions, where staff may also cancel one (points and stock go back).
import { get, post } from '../api.js'
import { badge, clear, fail, h, headRow, pagedTable, panel, toast } from '../dom.js'
import { fmtTime } from '../format.js'
import { REDEMPTION_ACTION, REDEMPTION_STATUS } from '../labels.js'
import { areaOptions } from '../session.js'

const option = (value, label) => h('option', { value }, label)
const TONES = { pending: 'orange', fulfilled: 'green', cancelled: '' }
const statusBadge = status => badge(REDEMPTION_STATUS[status] || status, TONES[status] || '')

export default function viewRedemptions(content) {
  const lookup = h('form', { class: 'toolbar', id: 'fulfil-form', autocomplete: 'off' },
    h('label', {}, '核销码', h('input', { name: 'code', inputmode: 'numeric', maxlength: 8, pattern: '\\d{8}',
      placeholder: '志愿者手机上的 8 位数字', required: true, class: 'code-input' })),
    h('button', { class: 'btn btn-primary', type: 'submit' }, '查找'))
  const found = h('div', { id: 'fulfil-result' })
  const desk = panel(REDEMPTION_ACTION.fulfil + ' · 领取奖品')
  desk.body.append(lookup, found)

  const filter = h('form', { class: 'toolbar', id: 'redemption-search' },
    h('label', {}, '状态', h('select', { name: 'status' }, option('', '全部'),
      Object.entries(REDEMPTION_STATUS).map(([status, label]) => option(status, label)))),
    h('label', {}, '区域', h('select', { name: 'area_id' }, option('', '全部'), areaOptions(false).map(a => option(a.id, a.label)))),
    h('button', { class: 'btn btn-primary', type: 'submit' }, '查询'))
  const box = panel('兑换记录')
  box.insertBefore(filter, box.body)
  content.append(desk, box)

  /** The redemption's row: what, who, when, status and what staff may do with it. */
  function row(item, { withFulfil = false } = {}) {
    const cell = h('td', {})
    let tr = null
    async function act(button, path, body, text) {
      button.disabled = true
      let updated
      try {
        updated = await post(path, body)
      } catch (err) {
        button.disabled = false
        fail(err)
        return
      }
      toast(text)
      const drawn = row({ ...updated, lookupCode: item.lookupCode }, { withFulfil })
      drawn.lastChild.replaceChildren(h('span', { class: 'muted' }, text))
      tr.replaceWith(drawn)
      if (withFulfil) {
        search(null)
        lookup.elements.code.value = '' // ready for the next one (a USB barcode scanner types into it and presses Enter)
        lookup.elements.code.focus()
      }
    }
    const actions = item.allowed_actions || []
    if (withFulfil && actions.includes('fulfil')) {
      const button = h('button', { class: 'btn btn-primary btn-small', type: 'button' }, '确认' + REDEMPTION_ACTION.fulfil)
      button.addEventListener('click', () => act(button, `/redemptions/${item.id}/fulfil`, { code: item.lookupCode },
        `已${REDEMPTION_ACTION.fulfil}：${item.reward_name}已交给${item.user_name || ''}`))
      cell.appendChild(button)
    }
    if (actions.includes('cancel')) {
      const button = h('button', { class: 'btn btn-small', type: 'button' }, REDEMPTION_ACTION.cancel)
      button.addEventListener('click', () => {
        if (button.dataset.armed) {
          act(button, `/redemptions/${item.id}/cancel`, {}, `已${REDEMPTION_ACTION.cancel}，${item.points} 积分已退回`)
          return
        }
        button.dataset.armed = '1'
        button.textContent = '再点一次确认取消'
        setTimeout(() => {
          delete button.dataset.armed
          button.textContent = REDEMPTION_ACTION.cancel
        }, 4000)
      })
      cell.appendChild(button)
    }
    if (!cell.firstChild) cell.appendChild(h('span', { class: 'muted' }, '—'))
    tr = h('tr', { 'data-redemption-id': item.id },
      h('td', {}, h('strong', {}, item.reward_name), h('div', { class: 'desc' }, item.area_name || '')),
      h('td', {}, item.user_name || '—'), h('td', { class: 'num' }, String(item.points)), h('td', {}, statusBadge(item.status)),
      h('td', {}, fmtTime(item.created_at)),
      h('td', {}, fmtTime(item.fulfilled_at || item.cancelled_at)), cell)
    return tr
  }
  const HEAD = ['奖品', '兑换人', '积分', '状态', '兑换时间', '领取/取消时间', '操作']

  lookup.addEventListener('submit', async event => {
    event.preventDefault()
    const code = lookup.elements.code.value.replace(/\D/g, '')
    if (code.length !== 8) {
      toast('核销码应为 8 位数字', true)
      return
    }
    let page
    try {
      page = await get('/redemptions', { code, limit: 5 })
    } catch (err) {
      fail(err)
      return
    }
    clear(found)
    if (!page.items.length) {
      found.appendChild(h('p', { class: 'empty' }, '没有找到这个核销码的兑换，请核对志愿者手机上的数字'))
      return
    }
    const table = h('table', { class: 'grid', id: 'fulfil-table' }, headRow(HEAD),
      h('tbody', {}, page.items.map(item => row({ ...item, lookupCode: code }, { withFulfil: true }))))
    found.appendChild(table)
  })

  const search = pagedTable(box.body, {
    id: 'redemptions-table', head: headRow(HEAD), emptyText: '暂无符合条件的兑换',
    fetchPage: cursor => get('/redemptions', {
      limit: 20, status: filter.elements.status.value, area_id: filter.elements.area_id.value, cursor,
    }),
    row: item => row(item),
  })
  filter.addEventListener('submit', event => {
    event.preventDefault()
    search(null)
  })
  search(null)
  // The desk's input has the focus (after the router's own): a USB barcode scanner types the code and Enter.
  setTimeout(() => lookup.elements.code.focus(), 0)
}
