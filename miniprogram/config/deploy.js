// What changes between a development build and a release build, in one file.
// `npm run release-check` reads this file and project.config.json (scripts/release-check.js)
// and refuses a release while any of it is still a placeholder.

module.exports = {
  // API servers by envVersion: trial is 体验版, release is 正式版. Each host must be https and
  // listed in the admin console's request, uploadFile and downloadFile 合法域名 (see miniprogram/README.md).
  API_HOSTS: {
    develop: 'https://dev.wudan.example.com',
    trial: 'https://trial.wudan.example.com',
    release: 'https://wudan.example.com',
  },

  // Subscribe-message template ids (订阅消息), the same ones as the backend's WECHAT_TEMPLATE_* settings.
  // orderProgress: asked for before placing an order (ACCEPTED, COMPLETED, FOLLOWED_UP);
  // calls: asked for on the 吹哨活动 page and when signing up (CALL);
  // teamWork: asked for when a volunteer accepts an order (DISPATCHED, REMINDER), so the next one reaches them.
  // Empty lists skip the prompt: fine in development, refused by the release check.
  SUBSCRIBE_TEMPLATE_IDS: {
    orderProgress: [],
    calls: [],
    teamWork: [],
  },
}
