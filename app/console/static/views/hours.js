// 服务时长: the volunteers' service hours of an area and period, exported one row a volunteer in the shape the
// national volunteer system's hours import asks for (xlsx or csv).
import { h, panel, toast } from '../dom.js'
import { downloadFile } from '../download.js'
import { monthPeriod, recentMonths, thisMonth } from '../format.js'
import { areaOptions } from '../session.js'

/** YYYY-MM-DD of the day before a YYYY-MM-DD (the form shows an inclusive last day; the API takes `to` exclusive). */
function shiftDay(day, by) {
  const date = new Date(day + 'T00:00:00Z')
  date.setUTCDate(date.getUTCDate() + by)
  return date.toISOString().slice(0, 10)
}

export default function viewHours(content) {
  const { from, to } = monthPeriod(thisMonth())
  const form = h('form', { class: 'toolbar', id: 'hours-form' },
    h('label', {}, '区域', h('select', { name: 'area_id' }, areaOptions(false).map(a => h('option', { value: a.id }, a.label)))),
    h('label', {}, '从', h('input', { type: 'date', name: 'from', required: true, value: from })),
    h('label', {}, '到', h('input', { type: 'date', name: 'to', required: true, value: shiftDay(to, -1) })),
    h('label', {}, '快捷', h('select', { name: 'month' }, h('option', { value: '' }, '选择月份'),
      recentMonths(thisMonth(), 12).map(m => h('option', { value: m }, `${m.slice(0, 4)}年${Number(m.slice(5))}月`)))),
    h('button', { class: 'btn btn-primary', type: 'button', id: 'hours-xlsx' }, '导出 Excel'),
    h('button', { class: 'btn', type: 'button', id: 'hours-csv' }, '导出 CSV'))
  const box = panel('志愿服务时长导出')
  box.body.append(form, h('p', { class: 'hint' },
    '每位志愿者一行：姓名、手机号、服务日期、服务内容、服务次数与时长，可对照录入全国志愿服务信息系统。'
    + '包含所选区域及其下级区域的点单服务、吹哨报到与志愿活动。'))
  content.appendChild(box)

  form.elements.month.addEventListener('change', () => {
    const month = form.elements.month.value
    if (!month) return
    const period = monthPeriod(month)
    form.elements.from.value = period.from
    form.elements.to.value = shiftDay(period.to, -1)
  })
  const download = (format, button) => {
    const e = form.elements
    if (!e.from.value || !e.to.value || e.from.value > e.to.value) {
      toast('请选择正确的起止日期', true)
      return
    }
    downloadFile('/stats/service-hours/export', { format, area_id: e.area_id.value, from: e.from.value,
      to: shiftDay(e.to.value, 1) }, button)
  }
  form.querySelector('#hours-xlsx').addEventListener('click', event => download('xlsx', event.currentTarget))
  form.querySelector('#hours-csv').addEventListener('click', event => download('csv', event.currentTarget))
}
