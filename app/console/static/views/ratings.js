// 评单回访: low ratings waiting for a follow-up call; record it, or reopen the order when the need is unmet.
import { getAll, post } from '../api.js'
import { clear, empty, fail, h, headRow, loading, panel, stars, toast } from '../dom.js'
import { fmtTime } from '../format.js'
import { ORDER_ACTION } from '../labels.js'

export default function viewRatings(content) {
  const form = h('form', { class: 'toolbar' },
    h('label', {}, '评价', h('select', { name: 'max_stars' }, h('option', { value: '2' }, '差评（2 星及以下）'),
      h('option', { value: '3' }, '3 星及以下'), h('option', { value: '5' }, '全部评价'))),
    h('label', {}, '回访', h('select', { name: 'reviewed' }, h('option', { value: 'false' }, '待回访'),
      h('option', { value: 'true' }, '已回访'), h('option', { value: '' }, '全部'))),
    h('button', { class: 'btn btn-primary', type: 'submit' }, '查询'))
  const box = panel('评单回访')
  box.insertBefore(form, box.body)
  content.appendChild(box)
  form.addEventListener('submit', event => {
    event.preventDefault()
    load()
  })

  async function load() {
    loading(box.body)
    let items
    try {
      items = await getAll('/ratings', { max_stars: form.elements.max_stars.value, reviewed: form.elements.reviewed.value }, 4)
    } catch (err) {
      empty(box.body, err.message)
      return
    }
    if (!items.length) {
      empty(box.body, '暂无需要回访的评价')
      return
    }
    clear(box.body).appendChild(h('table', { class: 'grid', id: 'ratings-table' },
      headRow(['工单', '区域', '评价', '评价内容', '评价时间', '回访']), h('tbody', {}, items.map(ratingRow))))
  }

  function ratingRow(rating) {
    const cell = h('td', {})
    const tags = rating.tags || []
    const row = h('tr', { 'data-order-id': rating.order_id },
      h('td', {}, h('a', { href: '#/orders/' + rating.order_id }, `#${rating.order_id} ${rating.order_title || ''}`)),
      h('td', {}, rating.area_name || ''), h('td', {}, stars(rating.stars)),
      h('td', {}, rating.comment || '（无文字评价）', tags.length ? h('div', { class: 'desc' }, tags.join('、')) : null),
      h('td', {}, fmtTime(rating.created_at)), cell)
    if (rating.reviewed_at) {
      cell.appendChild(h('span', { class: 'muted' }, '已回访：' + rating.review_note))
      return row
    }
    const note = h('input', { type: 'text', placeholder: '回访情况', maxlength: 500, 'aria-label': '回访情况' })
    const review = h('button', { class: 'btn btn-primary btn-small', type: 'button' }, ORDER_ACTION.review)
    const reopen = h('button', { class: 'btn btn-small', type: 'button', title: '群众需求未解决时重新派单' }, ORDER_ACTION.reopen)

    async function act(action, body, button) {
      button.disabled = true
      try {
        await post(`/orders/${rating.order_id}/${action}`, body)
      } catch (err) {
        button.disabled = false
        fail(err)
        return
      }
      toast(action === 'review' ? '已记录回访' : '工单已重新进入待派单')
      clear(cell).appendChild(h('span', { class: 'muted' }, action === 'review' ? '已回访：' + body.note : '已重新办理'))
    }

    review.addEventListener('click', () => {
      if (!note.value.trim()) {
        toast('请填写回访情况', true)
        return
      }
      act('review', { note: note.value.trim() }, review)
    })
    reopen.addEventListener('click', () => {
      if (!note.value.trim()) {
        toast('请在输入框中填写重新办理的原因', true)
        return
      }
      act('reopen', { reason: note.value.trim() }, reopen)
    })
    cell.appendChild(h('div', { class: 'inline-form' }, note, review, reopen))
    return row
  }

  load()
}
