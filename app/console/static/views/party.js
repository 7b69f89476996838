// 党员双报到: the register of Party members reporting to my communities, their units, figures and exports.
import { get } from '../api.js'
import { clear, fail, h, headRow, pagedTable, panel } from '../dom.js'
import { downloadFile } from '../download.js'
import { areaOptions } from '../session.js'

export default function viewParty(content) {
  const exportAs = (format, button) => downloadFile('/party/members/export', { format, ...filters() }, button)
  const form = h('form', { class: 'toolbar', id: 'party-search' },
    h('label', {}, '区域', h('select', { name: 'area_id' }, h('option', { value: '' }, '全部'),
      areaOptions(false).map(a => h('option', { value: a.id }, a.label)))),
    h('label', {}, '查找', h('input', { name: 'q', maxlength: 32, placeholder: '姓名或工作单位' })),
    h('button', { class: 'btn btn-primary', type: 'submit' }, '查询'),
    h('span', { class: 'toolbar' },
      h('button', { class: 'btn', type: 'button', id: 'party-export-xlsx', onclick: event => exportAs('xlsx', event.currentTarget) }, '导出 Excel'),
      h('button', { class: 'btn', type: 'button', id: 'party-export-csv', onclick: event => exportAs('csv', event.currentTarget) }, '导出 CSV')))
  const head = panel('党员双报到')
  head.body.appendChild(form)
  const cards = h('div', { class: 'cards', id: 'party-cards' })
  const members = panel('报到党员名册')
  const units = panel('驻区单位')
  content.append(head, cards, members, units)

  function filters() {
    return { area_id: form.elements.area_id.value, q: form.elements.q.value.trim() }
  }

  form.addEventListener('submit', event => {
    event.preventDefault()
    load()
  })

  function load() {
    clear(cards)
    get('/party/summary', { area_id: filters().area_id }).then(drawCards, fail)
    loadMembers(null)
    loadUnits(null)
  }

  function drawCards(f) {
    const items = [
      ['报到党员', f.party_members, '名', '在职党员到社区报到'], ['驻区单位', f.party_units, '个', '报到党员的工作单位'],
      ['本月党员服务', f.party_services, '件', '作为志愿者办结的工单'],
      ['本月响应吹哨', f.party_call_checkins, '人次', '吹哨和志愿活动的确认签到'],
    ]
    for (const [label, value, unit, sub] of items) {
      cards.appendChild(h('div', { class: 'card', 'data-figure': label }, h('div', { class: 'label' }, label),
        h('div', { class: 'value' }, String(value), h('small', {}, ' ' + unit)), h('div', { class: 'sub' }, sub)))
    }
  }

  const loadMembers = pagedTable(members.body, {
    id: 'party-table', head: headRow(['姓名', '报到社区', '工作单位', '联系电话', '服务（件）', '响应吹哨（次）'], 2),
    emptyText: '暂无报到的党员（党员在小程序「我的」中填写报到社区和工作单位）',
    fetchPage: cursor => get('/party/members', { limit: 50, cursor, ...filters() }),
    row: m => h('tr', { 'data-user-id': m.id },
      h('td', {}, h('a', { href: '#/party/' + m.id, class: 'member-link' }, m.name)), h('td', {}, m.home_area_name),
      h('td', {}, m.work_unit || '—'), h('td', {}, m.phone || '—'), h('td', { class: 'num' }, String(m.services)),
      h('td', { class: 'num' }, String(m.call_checkins))),
  })

  const loadUnits = pagedTable(units.body, {
    id: 'units-table', head: headRow(['工作单位', '报到党员（名）', '服务（件）', '响应吹哨（次）'], 3),
    emptyText: '暂无驻区单位',
    fetchPage: cursor => get('/party/units', { area_id: filters().area_id, limit: 50, cursor }),
    row: u => h('tr', {}, h('td', {}, u.work_unit), h('td', { class: 'num' }, String(u.members)),
      h('td', { class: 'num' }, String(u.services)), h('td', { class: 'num' }, String(u.call_checkins))),
  })

  load()
}
