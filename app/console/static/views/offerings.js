// 亮单审核: the services teams want to publish, approved or sent back with a reason.
import { getAll, post } from '../api.js'
import { clear, empty, fail, h, headRow, loading, panel, toast } from '../dom.js'
import { fmtTime } from '../format.js'
import { OFFERING_ACTION, OFFERING_STATUS } from '../labels.js'

export default function viewOfferings(content) {
  const box = panel('亮单审核 · 待审核的服务', h('button', { class: 'btn', type: 'button', onclick: () => load() }, '刷新'))
  content.appendChild(box)

  async function load() {
    loading(box.body)
    let items
    try {
      items = await getAll('/offerings', { status: 'pending' }, 4)
    } catch (err) {
      empty(box.body, err.message)
      return
    }
    if (!items.length) {
      empty(box.body, '暂无待审核的亮单')
      return
    }
    clear(box.body).appendChild(h('table', { class: 'grid', id: 'offerings-table' },
      headRow(['服务', '服务队', '类别', '服务时间', '提交时间', '审核']), h('tbody', {}, items.map(offeringRow))))
  }

  function offeringRow(offering) {
    const cell = h('td', {})
    const reason = h('input', { type: 'text', placeholder: OFFERING_ACTION.reject + '的原因', maxlength: 200,
      'aria-label': OFFERING_ACTION.reject + '的原因' })
    const approve = h('button', { class: 'btn btn-primary btn-small', type: 'button' }, OFFERING_ACTION.approve)
    const reject = h('button', { class: 'btn btn-danger btn-small', type: 'button' }, OFFERING_ACTION.reject)

    async function decide(action, body, button, text) {
      button.disabled = true
      try {
        await post(`/offerings/${offering.id}/${action}`, body)
      } catch (err) {
        button.disabled = false
        fail(err)
        return
      }
      toast(text)
      clear(cell).appendChild(h('span', { class: 'muted' }, text))
    }

    approve.addEventListener('click', () => decide('approve', {}, approve, `已${OFFERING_ACTION.approve}，服务${OFFERING_STATUS.published}`))
    reject.addEventListener('click', () => {
      const text = reason.value.trim()
      if (!text) {
        toast(`请填写${OFFERING_ACTION.reject}的原因`, true)
        return
      }
      decide('reject', { reason: text }, reject, `${OFFERING_STATUS.rejected}：${text}`)
    })
    cell.appendChild(h('div', { class: 'inline-form' }, approve, reason, reject))
    return h('tr', { 'data-offering-id': offering.id },
      h('td', {}, h('strong', {}, offering.title), h('div', { class: 'desc' }, offering.description)),
      h('td', {}, offering.team_name), h('td', {}, offering.category_name), h('td', {}, offering.service_times || '—'),
      h('td', {}, fmtTime(offering.created_at)), cell)
  }

  load()
}
