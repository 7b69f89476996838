// How statuses and kinds look: their words from labels.js (generated from the server's enums), their colour here.
import { badge } from './dom.js'
import { CALL_KIND, CALL_STATUS, ORDER_STATUS, SIGNUP_STATUS } from './labels.js'

const ORDER_TONES = {
  ordered: 'orange', dispatched: 'blue', accepted: 'blue', in_service: 'blue', completed: 'green', rated: 'green',
  cancelled: '', closed: '',
}
const CALL_KIND_TONES = { call: 'orange', activity: 'blue' }
const CALL_STATUS_TONES = { open: 'green', full: 'red', closed: '' }
const SIGNUP_TONES = { signed_up: 'blue', checked_in: 'orange', confirmed: 'green', withdrawn: '' }

const labelled = (labels, tones, key) => badge(labels[key] || key, tones[key] || '')

export const orderStatusBadge = status => labelled(ORDER_STATUS, ORDER_TONES, status)

export const callKindBadge = kind => labelled(CALL_KIND, CALL_KIND_TONES, kind)

export const signupBadge = status => labelled(SIGNUP_STATUS, SIGNUP_TONES, status)

/** 报名中, or 名额已满 while an open call has no place left, or 已结束. */
export function callStatusBadge(call) {
  const state = call.status === 'closed' ? 'closed' : call.full ? 'full' : 'open'
  return labelled(CALL_STATUS, CALL_STATUS_TONES, state)
}
