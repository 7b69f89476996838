// Form checks run before anything is sent; the messages are what the user reads.

const PHONE_PATTERN = /^1\d{10}$/

function trim(value) {
  return typeof value === 'string' ? value.trim() : value
}

function isBlank(value) {
  return value === undefined || value === null || trim(String(value)) === ''
}

/** Returns { field: message } for the 点单 form; empty when it can be sent. */
function validateOrderForm(form, options) {
  const errors = {}
  const onBehalf = options && options.onBehalf
  // On behalf, the resident (behalf_*) is the contact; a bound phone needs no typing.
  const askContact = !onBehalf
  const askPhone = askContact && !(options && options.useBoundPhone)
  if (isBlank(form.category)) errors.category = '请选择服务类别'
  if (isBlank(form.area_id)) errors.area_id = '请选择所在社区'
  const description = trim(form.description || '')
  if (!description) errors.description = '请说一说需要什么帮助'
  else if (description.length < 5) errors.description = '请多写几个字，至少 5 个字'
  else if (description.length > 500) errors.description = '内容太长了，请少于 500 字'
  if (isBlank(form.address)) errors.address = '请填写服务地址'
  else if (trim(form.address).length > 200) errors.address = '地址太长了，请少于 200 字'
  if (askContact && isBlank(form.contact_name)) errors.contact_name = '请填写联系人'
  if (askPhone && isBlank(form.contact_phone)) errors.contact_phone = '请填写联系电话'
  else if (askPhone && !PHONE_PATTERN.test(trim(form.contact_phone))) errors.contact_phone = '请填写 11 位手机号码'
  if (onBehalf) {
    if (isBlank(form.behalf_name)) errors.behalf_name = '请填写居民姓名'
    if (isBlank(form.behalf_phone)) errors.behalf_phone = '请填写居民电话'
    else if (!PHONE_PATTERN.test(trim(form.behalf_phone))) errors.behalf_phone = '请填写 11 位手机号码'
  }
  return errors
}

function validateRating(form) {
  const errors = {}
  const stars = Number(form.stars)
  if (!(stars >= 1 && stars <= 5)) errors.stars = '请点星星打分'
  if (stars && stars <= 2 && isBlank(form.comment) && !(form.tags && form.tags.length)) {
    errors.comment = '请说说哪里不满意，方便社区改进'
  }
  if (form.comment && trim(form.comment).length > 500) errors.comment = '内容太长了，请少于 500 字'
  return errors
}

function validateCompletion(form) {
  const errors = {}
  const result = trim(form.result || '')
  if (!result) errors.result = '请写一写服务的结果'
  else if (result.length < 4) errors.result = '请多写几个字，至少 4 个字'
  else if (result.length > 500) errors.result = '内容太长了，请少于 500 字'
  return errors
}

function validateReason(text, label) {
  const value = trim(text || '')
  if (!value) return '请填写' + (label || '原因')
  if (value.length > 200) return '内容太长了，请少于 200 字'
  return ''
}

function validateInviteCode(code) {
  const value = trim(code || '')
  if (!value) return '请输入邀请码'
  if (!/^[A-Za-z0-9-]{4,32}$/.test(value)) return '邀请码只包含字母和数字，请核对后再输入'
  return ''
}

function validateOffering(form) {
  const errors = {}
  if (isBlank(form.category)) errors.category = '请选择服务类别'
  if (isBlank(form.title)) errors.title = '请填写服务名称'
  else if (trim(form.title).length > 64) errors.title = '名称太长了，请少于 64 字'
  if (isBlank(form.description)) errors.description = '请介绍一下这项服务'
  return errors
}

function validateCall(form) {
  const errors = {}
  if (isBlank(form.area_id)) errors.area_id = '请选择社区'
  if (isBlank(form.title)) errors.title = '请填写活动名称'
  if (isBlank(form.place)) errors.place = '请填写集合地点'
  if (isBlank(form.date) || isBlank(form.time)) errors.starts_at = '请选择开始时间'
  const quota = Number(form.quota)
  if (!(quota >= 1 && quota <= 1000 && Math.floor(quota) === quota)) errors.quota = '请填写需要的人数（1–1000）'
  if (isBlank(form.description)) errors.description = '请写明要做什么'
  return errors
}

function firstError(errors) {
  const keys = Object.keys(errors || {})
  return keys.length ? errors[keys[0]] : ''
}

/** 周期服务: the care plan form (resident by name and phone, weekdays, time slot, start and end). */
function validateCarePlan(form) {
  const errors = {}
  if (!form.area_id) errors.area_id = '请选择社区'
  if (!trim(form.name)) errors.name = '请填写居民姓名'
  if (!PHONE_PATTERN.test(trim(form.phone))) errors.phone = '请填写 11 位手机号码'
  if (!form.category) errors.category = '请选择服务类别'
  if (trim(form.description).length < 5) errors.description = '请写明每次上门做什么，至少 5 个字'
  if (trim(form.address).length < 2) errors.address = '请填写上门地址'
  if (!(form.weekdays || []).length) errors.weekdays = '请选择每周哪几天上门'
  if (!form.slot) errors.time_slot = '请选择上门的时间段'
  if (!form.starts_on) errors.starts_on = '请选择开始日期'
  if (form.ends_on && form.starts_on && form.ends_on < form.starts_on) errors.ends_on = '结束日期不能早于开始日期'
  return errors
}

module.exports = {
  PHONE_PATTERN,
  validateCarePlan,
  validateOrderForm,
  validateRating,
  validateCompletion,
  validateReason,
  validateInviteCode,
  validateOffering,
  validateCall,
  firstError,
}
