// 数据看板: the figures of an area and month, charts by day, category and team, the monthly report, exports.
import { get } from '../api.js'
import { clear, empty, fail, h, loading, panel, svg, toast } from '../dom.js'
import { downloadFile } from '../download.js'
import { minutesText, monthPeriod, num, pct, recentMonths, thisMonth } from '../format.js'
import { areaOptions } from '../session.js'

export default function viewStats(content) {
  const month = thisMonth()
  const download = (format, button) => {
    const { from, to } = monthPeriod(form.elements.month.value)
    downloadFile('/stats/export', { format, area_id: form.elements.area_id.value, from, to }, button)
  }
  const form = h('form', { class: 'toolbar', id: 'stats-form' },
    h('label', {}, '区域', h('select', { name: 'area_id' }, areaOptions(false).map(a => h('option', { value: a.id }, a.label)))),
    h('label', {}, '月份', h('select', { name: 'month' }, recentMonths(month, 24).map(m =>
      h('option', { value: m }, `${m.slice(0, 4)}年${Number(m.slice(5))}月`)))),
    h('button', { class: 'btn btn-primary', type: 'submit' }, '查询'),
    h('span', { class: 'toolbar' },
      h('button', { class: 'btn', type: 'button', id: 'export-xlsx', onclick: event => download('xlsx', event.currentTarget) }, '导出 Excel'),
      h('button', { class: 'btn', type: 'button', id: 'export-csv', onclick: event => download('csv', event.currentTarget) }, '导出 CSV')))
  const head = panel('数据看板')
  head.body.appendChild(form)
  const cards = h('div', { class: 'cards', id: 'stat-cards' })
  const dayPanel = panel('每日受理与办结')
  dayPanel.classList.add('chart-wide')
  const catPanel = panel('按服务类别')
  const teamPanel = panel('按服务队')
  const copy = h('button', { class: 'btn', type: 'button', id: 'copy-report' }, '复制文字')
  const reportPanel = panel('月度报告', copy)
  content.append(head, cards, h('div', { class: 'charts' }, dayPanel, catPanel, teamPanel), reportPanel)
  copy.addEventListener('click', () => {
    const text = reportPanel.querySelector('.report-text')
    if (text) copyText(text.textContent)
  })
  form.addEventListener('submit', event => {
    event.preventDefault()
    load()
  })

  function load() {
    const chosen = form.elements.month.value || month
    const area = form.elements.area_id.value
    const base = { area_id: area, ...monthPeriod(chosen) }
    const breakdown = by => get('/stats/breakdown', { by, ...base })
    for (const box of [dayPanel, catPanel, teamPanel, reportPanel]) loading(box.body)
    clear(cards)
    const draw = (box, request, drawer) => request.then(drawer, err => empty(box.body, err.message))
    get('/stats/summary', base).then(figures => drawCards(cards, figures), fail)
    draw(dayPanel, breakdown('day'), r => drawDays(dayPanel.body, r.items))
    draw(catPanel, breakdown('category'), r => drawBars(catPanel.body, r.items))
    draw(teamPanel, breakdown('team'), r => drawBars(teamPanel.body, r.items))
    draw(reportPanel, get('/stats/report', { month: chosen, area_id: area }), r => {
      clear(reportPanel.body).appendChild(h('p', { class: 'report-text', id: 'report-text' }, r.text))
    })
  }

  load()
}

function drawCards(cards, f) {
  const items = [
    ['受理量', f.received, '件', `取消 ${f.cancelled} 件`],
    ['办结量', f.completed, '件', `有效工单 ${f.valid} 件`],
    ['办结率', pct(f.completion_rate), '', '办结 / 有效工单'],
    ['按时办结率', pct(f.on_time_rate), '', `按时办结 ${f.on_time_completed} 件`],
    ['满意率', pct(f.satisfaction_rate), '', `评价 ${f.rated} 件，4 星及以上 ${f.satisfied} 件`],
    ['平均评分', f.avg_stars === null ? '—' : num(f.avg_stars, 1), f.avg_stars === null ? '' : '星', ''],
    ['响应时长', minutesText(f.response_minutes), '', '下单到接单的中位数'],
    ['超期未办', f.overdue_open, '件', '截至当前'],
    ['服务人次', f.volunteer_services, '', '志愿服务'],
    ['发放积分', f.points_awarded, '分', `积分超市兑换 ${f.points_redeemed ?? 0} 分`],
    ['双报到党员', f.party_members, '名', `驻区单位 ${f.party_units} 个`],
    ['党员服务', f.party_services, '件', `参与吹哨、活动 ${f.party_call_checkins} 人次`],
  ]
  clear(cards)
  for (const [label, value, unit, sub] of items) {
    cards.appendChild(h('div', { class: 'card', 'data-figure': label },
      h('div', { class: 'label' }, label),
      h('div', { class: 'value' }, String(value), unit ? h('small', {}, ' ' + unit) : null),
      h('div', { class: 'sub' }, sub)))
  }
}

const legend = () => h('div', { class: 'legend' }, h('span', {}, h('i', { class: 'received' }), '受理'),
  h('span', {}, h('i', { class: 'completed' }), '办结'))

/** A step for the value axis: 1, 2 or 5 times a power of ten, giving about four lines. */
function niceStep(max) {
  const raw = max / 4
  const power = 10 ** Math.floor(Math.log10(raw))
  const step = [1, 2, 5, 10].map(m => m * power).find(candidate => candidate >= raw) ?? 10 * power
  return Math.max(1, step)
}

/** A bar chart of received and completed orders per day, drawn as SVG. */
function drawDays(el, items) {
  clear(el)
  const width = 960, height = 240, left = 36, right = 8, top = 12, bottom = 28
  const max = Math.max(1, ...items.map(item => item.received))
  const step = niceStep(max)
  const topValue = Math.ceil(max / step) * step
  const plotW = width - left - right, plotH = height - top - bottom
  const slot = plotW / Math.max(1, items.length)
  const barW = Math.max(2, Math.min(14, slot * 0.36))
  const chart = svg('svg', { class: 'day-chart', viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': '每日受理与办结柱状图' })
  for (let v = 0; v <= topValue; v += step) {
    const y = top + plotH - (v / topValue) * plotH
    chart.appendChild(svg('line', { class: 'gridline', x1: left, x2: width - right, y1: y, y2: y }))
    chart.appendChild(svg('text', { x: left - 6, y: y + 4, 'text-anchor': 'end' }, String(v)))
  }
  chart.appendChild(svg('line', { class: 'axis', x1: left, x2: width - right, y1: top + plotH, y2: top + plotH }))
  const every = Math.ceil(items.length / 16)
  items.forEach((item, index) => {
    const x = left + slot * index + slot / 2
    const hr = (item.received / topValue) * plotH, hc = (item.completed / topValue) * plotH
    chart.appendChild(svg('rect', { class: 'bar-received', x: x - barW, y: top + plotH - hr, width: barW, height: hr },
      svg('title', {}, `${item.label} 受理 ${item.received} 件`)))
    chart.appendChild(svg('rect', { class: 'bar-completed', x, y: top + plotH - hc, width: barW, height: hc },
      svg('title', {}, `${item.label} 办结 ${item.completed} 件`)))
    if (index % every === 0) {
      chart.appendChild(svg('text', { x, y: height - 8, 'text-anchor': 'middle' }, item.label.replace(/^\d+月/, '')))
    }
  })
  el.append(legend(), chart)
}

/** Horizontal bars (CSS) of received and completed per category or team. */
function drawBars(el, all) {
  clear(el)
  const items = all.filter(item => item.received)
  if (!items.length) {
    empty(el, '本期暂无工单')
    return
  }
  const max = Math.max(...items.map(item => item.received))
  const list = h('div', { class: 'hbars' })
  for (const item of items) {
    const received = h('div', { class: 'fill' })
    const done = h('div', { class: 'fill done' })
    received.style.width = (item.received / max) * 100 + '%'
    done.style.width = (item.completed / max) * 100 + '%'
    list.appendChild(h('div', {
      class: 'hbar', title: `受理 ${item.received} 件，办结 ${item.completed} 件，办结率 ${pct(item.completion_rate)}，满意率 ${pct(item.satisfaction_rate)}`,
    }, h('span', { class: 'name' }, item.label), h('div', { class: 'track' }, received, done),
    h('span', { class: 'nums' }, `${item.completed} / ${item.received} 件`)))
  }
  el.append(legend(), list)
}

async function copyText(text) {
  if (navigator.clipboard && window.isSecureContext) {
    try {
      await navigator.clipboard.writeText(text)
      toast('已复制报告文字')
    } catch {
      toast('复制失败，请手动选择文字复制', true)
    }
    return
  }
  const area = h('textarea', { readonly: true })
  area.value = text
  document.body.appendChild(area)
  area.select()
  try {
    document.execCommand('copy')
    toast('已复制报告文字')
  } catch {
    toast('复制失败，请手动选择文字复制', true)
  }
  area.remove()
}
