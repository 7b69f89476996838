// A sample of miniprogram/config/deploy.js for a release build: the shape `npm run release-check`
// accepts. The appid, hosts and template ids are made up; copy the file over config/deploy.js and put
// your own in (see miniprogram/README.md, 发布前).
module.exports = {
  API_HOSTS: {
    develop: 'https://dev-api.wudan-sample.cn',
    trial: 'https://trial-api.wudan-sample.cn',
    release: 'https://api.wudan-sample.cn',
  },
  SUBSCRIBE_TEMPLATE_IDS: {
    // WECHAT_TEMPLATE_ACCEPTED, WECHAT_TEMPLATE_COMPLETED, WECHAT_TEMPLATE_FOLLOWED_UP
    orderProgress: [
      'k2Qv8Xw1nT5rB3yL7cJ9aF0dH4sM6pE2gU8iO1zR3xA',
      'Hc7Tz1Lq9Wn3Vb5Ym8Rk2Jd6Fs0Pa4Gu1Ie7Oo3Xt5Q',
      'P0xM3Nk6Bq9Vr2Tw5Ys8Ua1Hd4Jf7Lg0Zc3Ei6Ko9W',
    ],
    // WECHAT_TEMPLATE_CALL
    calls: ['S8dF2gH5jK7lZ0xC3vB6nM9qW1eR4tY7uI0oP2aS5D'],
    // WECHAT_TEMPLATE_DISPATCHED, WECHAT_TEMPLATE_REMINDER
    teamWork: ['Zq4Wm7Ex0Rt3Yn6Ub9Io2Pa5Sd8Fg1Hj4Kl7Zx0Cv3', 'Mb6Nv9Cx2Zl5Kj8Hg1Fd4Sa7Po0Iu3Yt6Re9Wq2Ee5'],
  },
}
