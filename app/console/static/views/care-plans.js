// 周期服务: the care plans of my areas; a plan's page with its visits (each an order) and pause / resume / end;
// the form that sets one up. Each visit is filed as an order the day before, on the resident's behalf.
import { get, post } from '../api.js'
import { appendAll, badge, clear, confirmButton, empty, fail, h, headRow, loading, pagedTable, panel, toast } from '../dom.js'
import { fmtTime } from '../format.js'
import { CARE_PLAN_ACTION, CARE_PLAN_STATUS, ORDER_STATUS, TIME_SLOTS, WEEKDAY } from '../labels.js'
import { areaOptions, session } from '../session.js'

const option = (value, label) => h('option', { value }, label)
const TONES = { active: 'green', paused: 'orange', ended: '' }
const planBadge = status => badge(CARE_PLAN_STATUS[status] || status, TONES[status] || '')

export default function viewCarePlans(content) {
  const form = h('form', { class: 'toolbar', id: 'care-plan-search' },
    h('label', {}, '状态', h('select', { name: 'status' }, option('', '全部'),
      Object.entries(CARE_PLAN_STATUS).map(([status, label]) => option(status, label)))),
    h('label', {}, '区域', h('select', { name: 'area_id' }, option('', '全部'),
      areaOptions(true).map(a => option(a.id, a.label)))),
    h('button', { class: 'btn btn-primary', type: 'submit' }, '查询'))
  const box = panel('周期服务', h('a', { href: '#/care-plans/new', class: 'btn btn-primary', id: 'new-care-plan' }, '新建周期服务'))
  box.insertBefore(form, box.body)
  content.appendChild(box)
  const search = pagedTable(box.body, {
    id: 'care-plans-table', head: headRow(['名称', '服务对象', '区域', '安排', '服务队', '下次上门', '状态']),
    emptyText: '暂无周期服务。为独居老人等居民设立定期上门服务，每次上门前一天自动生成工单。',
    fetchPage: cursor => get('/care-plans', { limit: 20, status: form.elements.status.value,
      area_id: form.elements.area_id.value, cursor }),
    row: plan => h('tr', { class: 'clickable', 'data-plan-id': plan.id, onclick: () => { location.hash = '#/care-plans/' + plan.id } },
      h('td', {}, h('a', { href: '#/care-plans/' + plan.id }, plan.title), h('div', { class: 'desc' }, plan.category_name)),
      h('td', {}, plan.resident_name), h('td', {}, plan.area_name), h('td', {}, plan.schedule),
      h('td', {}, plan.team_name || '—'), h('td', {}, plan.next_visit_on || '—'), h('td', {}, planBadge(plan.status))),
  })
  form.addEventListener('submit', event => {
    event.preventDefault()
    search()
  })
  search()
}

export async function viewCarePlan(content, id) {
  if (id === 'new') {
    viewNewCarePlan(content)
    return
  }
  const box = panel('周期服务 #' + id, h('a', { href: '#/care-plans', class: 'btn' }, '返回列表'))
  content.appendChild(box)
  loading(box.body)
  try {
    drawPlan(box, await get('/care-plans/' + encodeURIComponent(id)))
  } catch (err) {
    empty(box.body, err.status === 404 ? '找不到该周期服务，或不在您负责的区域' : err.message)
  }
}

function drawPlan(box, plan) {
  const fields = [
    ['状态', planBadge(plan.status)], ['服务对象', `${plan.resident_name} ${plan.resident_phone}`], ['地址', plan.address],
    ['区域', plan.area_name], ['服务类别', plan.category_name], ['安排', plan.schedule],
    ['起止', `${plan.starts_on} 起，${plan.ends_on ? '至 ' + plan.ends_on : '长期'}`],
    ['服务队', plan.team_name || '每次由工作人员派单'], ['下次上门', plan.next_visit_on || '—'],
    ['设立人', `${plan.owner_name}（${fmtTime(plan.created_at)}）`], ['服务内容', plan.description],
  ]
  const actions = h('div', { class: 'inline-form plan-actions', id: 'care-plan-actions' }, plan.allowed_actions.map(action => {
    const act = async button => {
      let updated
      try {
        updated = await post(`/care-plans/${plan.id}/${action}`)
      } catch (err) {
        button.disabled = false
        fail(err)
        return
      }
      toast('已' + CARE_PLAN_ACTION[action])
      drawPlan(box, updated)
    }
    if (action === 'end') return confirmButton(CARE_PLAN_ACTION.end, '确认结束？（不能恢复）', 'btn-danger', act)
    const button = h('button', { class: 'btn', type: 'button' }, CARE_PLAN_ACTION[action])
    button.addEventListener('click', () => {
      button.disabled = true
      act(button)
    })
    return button
  }))
  const visits = plan.visits.length
    ? h('table', { class: 'grid', id: 'care-visits' }, headRow(['上门日期', '工单', '状态']), h('tbody', {},
      plan.visits.map(v => h('tr', { 'data-visit-on': v.visit_on },
        h('td', {}, `${v.visit_on} ${WEEKDAY[String(new Date(v.visit_on + 'T00:00:00Z').getUTCDay() || 7)]}`),
        h('td', {}, v.order_id ? h('a', { href: '#/orders/' + v.order_id }, '#' + v.order_id) : '—'),
        h('td', {}, v.status ? ORDER_STATUS[v.status] || v.status : '未生成工单')))))
    : h('p', { class: 'empty' }, '还没有上门记录：第一次上门的前一天会生成工单。')
  clear(box.body)
  appendAll(box.body, [
    h('h3', {}, plan.title),
    h('dl', { class: 'detail-grid', id: 'care-plan-detail' }, fields.map(([label, value]) => [h('dt', {}, label), h('dd', {}, value)])),
    plan.allowed_actions.length ? actions : null,
    h('h3', {}, '上门记录（每次一张工单，和其他工单一样派单、接单、评价、计入统计）'),
    visits,
  ])
}

function viewNewCarePlan(content) {
  const weekdays = Object.entries(WEEKDAY).map(([day, label]) =>
    h('label', {}, h('input', { type: 'checkbox', name: 'weekdays', value: day }), label))
  const form = h('form', { class: 'call-form', id: 'care-plan-form', autocomplete: 'off' },
    h('label', {}, '区域', h('select', { name: 'area_id', required: true },
      areaOptions(true).map(a => option(a.id, a.label)))),
    h('div', { class: 'form-row' },
      h('label', {}, '居民姓名', h('input', { name: 'name', maxlength: 32, required: true })),
      h('label', {}, '居民电话', h('input', { name: 'phone', maxlength: 11, required: true, pattern: '1\\d{10}' }))),
    h('label', {}, '上门地址', h('input', { name: 'address', maxlength: 200, required: true })),
    h('div', { class: 'form-row' },
      h('label', {}, '服务类别', h('select', { name: 'category', required: true },
        session.categories.map(c => option(c.code, c.name)))),
      h('label', {}, '名称（可不填）', h('input', { name: 'title', maxlength: 64, placeholder: '如：独居老人定期探访' }))),
    h('label', {}, '每次上门做什么', h('textarea', { name: 'description', maxlength: 1000, rows: 3, required: true })),
    h('fieldset', { class: 'toolbar', id: 'care-plan-weekdays' }, h('legend', {}, '每周哪几天'), weekdays),
    h('div', { class: 'form-row' },
      h('label', {}, '时间段', h('select', { name: 'time_slot', required: true }, TIME_SLOTS.map(s => option(s, s)))),
      h('label', {}, '开始日期', h('input', { type: 'date', name: 'starts_on', required: true })),
      h('label', {}, '结束日期（不填为长期）', h('input', { type: 'date', name: 'ends_on' }))),
    h('label', {}, '服务队（可不选：每次由工作人员派单）', h('select', { name: 'team_id' }, option('', '不指定'),
      session.teams.map(t => option(t.id, t.name + (t.is_active === false ? '（已停用）' : ''))))))
  const submit = h('button', { class: 'btn btn-primary', type: 'submit', id: 'care-plan-submit' }, '设立周期服务')
  form.append(h('div', { class: 'actions' }, submit, h('a', { href: '#/care-plans', class: 'btn' }, '取消')))
  const box = panel('新建周期服务')
  box.body.appendChild(form)
  content.appendChild(box)
  form.addEventListener('submit', async event => {
    event.preventDefault()
    const e = form.elements
    const days = [...form.querySelectorAll('input[name=weekdays]:checked')].map(b => Number(b.value))
    if (!days.length) {
      toast('请选择每周哪几天上门', true)
      return
    }
    const body = {
      resident: { name: e.name.value.trim(), phone: e.phone.value.trim() }, area_id: Number(e.area_id.value),
      category: e.category.value, description: e.description.value.trim(), address: e.address.value.trim(),
      weekdays: days, time_slot: e.time_slot.value, starts_on: e.starts_on.value,
    }
    if (e.title.value.trim()) body.title = e.title.value.trim()
    if (e.ends_on.value) body.ends_on = e.ends_on.value
    if (e.team_id.value) body.team_id = Number(e.team_id.value)
    submit.disabled = true
    try {
      const plan = await post('/care-plans', body)
      toast('已设立周期服务')
      location.hash = '#/care-plans/' + plan.id
    } catch (err) {
      submit.disabled = false
      fail(err)
    }
  })
}
