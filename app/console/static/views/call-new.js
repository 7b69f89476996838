// 发起吹哨或活动: a call for chosen groups of volunteers, or an activity open to the whole area.
import { post } from '../api.js'
import { appendAll, clear, fail, h, panel, toast } from '../dom.js'
import { shanghaiParts } from '../format.js'
import { CALL_KIND } from '../labels.js'
import { areaName, areaOptions, lineage, session } from '../session.js'

const OFFSET = '+08:00' // the console shows and takes Asia/Shanghai time

const isUnder = (areaId, rootId) => lineage(areaId).includes(Number(rootId))

/** Tomorrow at 09:00 in Shanghai, as a datetime-local value. */
function tomorrowMorning() {
  const p = shanghaiParts(new Date(Date.now() + 24 * 3600 * 1000))
  return `${p.year}-${p.month}-${p.day}T09:00`
}

export default function viewNewCall(content) {
  const form = h('form', { class: 'call-form', id: 'call-form', autocomplete: 'off' },
    h('fieldset', { class: 'kind-picker' }, h('legend', {}, '类型'),
      h('label', {}, h('input', { type: 'radio', name: 'kind', value: 'call', checked: true }),
        CALL_KIND.call + '（紧急召集，通知指定的志愿者）'),
      h('label', {}, h('input', { type: 'radio', name: 'kind', value: 'activity' }), CALL_KIND.activity + '（面向本区域所有人报名）')),
    h('label', {}, '区域', h('select', { name: 'area_id', required: true },
      areaOptions(false).map(a => h('option', { value: a.id }, a.label)))),
    h('label', {}, '标题', h('input', { name: 'title', maxlength: 64, required: true, placeholder: '如：防汛值守，急需志愿者' })),
    h('label', {}, '内容', h('textarea', { name: 'description', maxlength: 1000, rows: 4, required: true,
      placeholder: '做什么、需要带什么、联系人' })),
    h('div', { class: 'form-row' },
      h('label', {}, '开始时间', h('input', { type: 'datetime-local', name: 'starts_at', required: true, value: tomorrowMorning() })),
      h('label', {}, '名额', h('input', { type: 'number', name: 'quota', min: 1, max: 1000, required: true, value: 10 })),
      h('label', {}, '签到积分', h('input', { type: 'number', name: 'points', min: 0, max: 100, required: true, value: 10 }))),
    h('label', {}, '地点', h('input', { name: 'place', maxlength: 200, required: true, placeholder: '集合地点' })))
  const target = h('fieldset', { class: 'target', id: 'call-target' }, h('legend', {}, '召集对象'))
  const submit = h('button', { class: 'btn btn-primary', type: 'submit', id: 'call-submit' }, '发布')
  form.append(target, h('div', { class: 'actions' }, submit, h('a', { href: '#/calls', class: 'btn' }, '取消')))
  const box = panel('发起吹哨或活动')
  box.body.appendChild(form)
  content.appendChild(box)

  const kind = () => form.querySelector('input[name=kind]:checked').value

  const checked = (name, asNumber) => [...form.querySelectorAll(`input[name=${name}]:checked`)]
    .map(box => (asNumber ? Number(box.value) : box.value))

  /** The groups a call can be blown for, in the chosen area (teams and grids under it). */
  function drawTarget() {
    clear(target).appendChild(h('legend', {}, '召集对象'))
    if (kind() === 'activity') {
      target.appendChild(h('p', { class: 'hint' }, '志愿活动在小程序中向本区域所有人展示，不指定召集对象。'))
      return
    }
    const areaId = form.elements.area_id.value
    const teams = session.teams.filter(t => t.is_active !== false && isUnder(t.area_id, areaId))
    const grids = Object.values(session.areas).filter(a => a.kind === 'grid' && isUnder(a.id, areaId))
    const boxes = (name, items) => items.map(([value, label]) =>
      h('label', {}, h('input', { type: 'checkbox', name, value }), label))
    appendAll(target, [
      h('p', { class: 'hint' }, '可多选；都不选时通知本区域全部志愿者。'),
      h('div', { class: 'toolbar' }, h('label', {}, h('input', { type: 'checkbox', name: 'party_members' }), '本区域报到的在职党员')),
      teams.length ? h('div', { class: 'toolbar' }, '服务队：', boxes('team_ids', teams.map(t => [t.id, t.name]))) : null,
      h('div', { class: 'toolbar' }, '提供以下服务的志愿者：', boxes('category_codes', session.categories.map(c => [c.code, c.name]))),
      grids.length ? h('div', { class: 'toolbar' }, '网格：', boxes('grid_ids', grids.map(g => [g.id, areaName(g.parent_id) + g.name]))) : null,
    ])
  }

  form.addEventListener('change', event => {
    if (event.target.name === 'kind' || event.target.name === 'area_id') drawTarget()
  })
  form.addEventListener('submit', async event => {
    event.preventDefault()
    const e = form.elements
    const body = {
      kind: kind(), area_id: Number(e.area_id.value), title: e.title.value.trim(), description: e.description.value.trim(),
      starts_at: e.starts_at.value + ':00' + OFFSET, place: e.place.value.trim(), quota: Number(e.quota.value),
      points: Number(e.points.value),
    }
    if (body.kind === 'call') {
      const chosen = {
        party_members: Boolean(e.party_members?.checked), team_ids: checked('team_ids', true),
        category_codes: checked('category_codes'), grid_ids: checked('grid_ids', true),
      }
      if (chosen.party_members || chosen.team_ids.length || chosen.category_codes.length || chosen.grid_ids.length) {
        body.target = chosen
      }
    }
    submit.disabled = true
    let call
    try {
      call = await post('/calls', body)
    } catch (err) {
      submit.disabled = false
      fail(err)
      return
    }
    toast(call.kind === 'activity' ? '志愿活动已发布' : `已吹哨，已通知 ${call.recipient_count || 0} 人`)
    location.hash = '#/calls/' + call.id
  })

  drawTarget()
}
