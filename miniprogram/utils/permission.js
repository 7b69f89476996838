// What a failed WeChat API call means for the user, and how to help them allow it.
//
// WeChat answers a refused permission, an unagreed privacy guide and a plain cancel all through `fail`
// with different errMsg texts; a cancel needs nothing, everything else needs a Chinese explanation.
const log = require('./log')

// What each scope is called in 设置 (the page wx.openSetting opens).
const SETTINGS_NAMES = {
  photos: '「照片」或「相册」和「摄像头」',
  clipboard: '「剪切板」',
  copyData: '「剪切板」',
  phone: '「手机号」',
  camera: '「摄像头」',
  subscribe: '「通知管理」里的订阅消息',
}

const WHAT = {
  photos: '选择照片',
  clipboard: '复制邀请码',
  copyData: '复制导出的数据',
  shareFile: '发送数据文件',
  phone: '绑定手机号',
  camera: '扫码',
  subscribe: '给您发办理进度提醒',
  call: '拨打电话',
}

/** 'cancel' | 'privacy' | 'denied' | 'undeclared' | 'failed' for a fail result's errMsg. */
function failureKind(res) {
  const msg = String((res && res.errMsg) || '').toLowerCase()
  // 20004: the user switched subscribe messages off (设置 → 通知管理).
  if (res && Number(res.errCode) === 20004) return 'denied'
  if (/privacy/.test(msg) && /(not declared|undeclared|scope is not declared)/.test(msg)) return 'undeclared'
  if (/privacy/.test(msg)) return 'privacy'
  if (/(auth deny|auth denied|authorize:fail|permission denied|no permission|system permission denied)/.test(msg)) return 'denied'
  if (/cancel/.test(msg)) return 'cancel'
  return 'failed'
}

function openSettings() {
  return new Promise(resolve => {
    wx.openSetting({
      success: res => resolve(res.authSetting || {}),
      fail: err => {
        log.warn('openSetting', err)
        resolve(null)
      },
    })
  })
}

/**
 * Explain a failed permission-bound call (`what`: photos | clipboard | phone) to the user.
 * Resolves with the kind; a refused permission offers 去设置 (wx.openSetting).
 */
function explainFailure(what, res) {
  let kind = failureKind(res)
  if (kind === 'cancel') return Promise.resolve(kind)
  // No switch in 设置 gives a phone number: a refused one is explained like any other failure.
  if (what === 'phone' && kind === 'denied') kind = 'failed'
  log.warn('permission ' + what, res)
  const action = WHAT[what] || '这个操作'
  let title = '无法' + action
  let content
  let settings = false
  if (kind === 'denied') {
    content = '您之前没有允许社区五单' + action + '。可以点「去设置」，打开' + (SETTINGS_NAMES[what] || '相应权限') + '后再试。'
    settings = true
  } else if (kind === 'privacy') {
    title = '需要您同意隐私保护指引'
    content = '您还没有同意《社区五单隐私保护指引》，所以暂时不能' + action + '。再点一次，在弹出的说明里点「同意」就可以了。'
  } else if (kind === 'undeclared') {
    content = '小程序的隐私保护指引还没有声明' + action + '的用途，暂时不能使用。请告诉社区工作人员，我们会尽快处理。'
  } else if (what === 'phone') {
    content = '没能' + action + '（' + String((res && res.errMsg) || '未知原因') + '）。可以稍后再试，下单时也可以直接填写联系电话。'
  } else {
    content = '没能' + action + '（' + String((res && res.errMsg) || '未知原因') + '），请稍后再试。'
  }
  return new Promise(resolve => {
    wx.showModal({
      title,
      content,
      showCancel: settings,
      confirmText: settings ? '去设置' : '知道了',
      cancelText: '以后再说',
      success: r => {
        if (settings && r.confirm) openSettings().then(() => resolve(kind))
        else resolve(kind)
      },
      fail: err => {
        log.warn('showModal', err)
        resolve(kind)
      },
    })
  })
}

/** wx.makePhoneCall that says so when the call cannot be made (a cancel says nothing). */
function phoneCall(phoneNumber) {
  return new Promise(resolve => {
    wx.makePhoneCall({
      phoneNumber,
      success: () => resolve(true),
      fail: res => {
        if (failureKind(res) === 'cancel') return resolve(false)
        log.warn('makePhoneCall', res)
        wx.showModal({
          title: '没能拨打电话',
          content: '请用手机直接拨打 ' + phoneNumber + '。',
          showCancel: false,
          confirmText: '知道了',
          complete: () => resolve(false),
        })
      },
    })
  })
}

module.exports = { failureKind, explainFailure, openSettings, phoneCall }
