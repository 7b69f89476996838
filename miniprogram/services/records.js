// 志愿服务记录: my hours and services, and the 志愿服务记录证明 (a PDF with a verification code).
const { call, download } = require('../utils/request')

const ROUTES = {
  mine: { method: 'GET', path: '/me/service-record' },
  issue: { method: 'POST', path: '/me/service-certificates' },
  certificates: { method: 'GET', path: '/me/service-certificates' },
  pdf: { method: 'GET', path: '/service-certificates/{code}.pdf' },
}

/** myRecord({ from, to, limit, cursor }) → { total_minutes, services, calls, avg_stars, items, next_cursor } */
function myRecord(query, options) {
  return call(ROUTES.mine, Object.assign({ query }, options))
}

/** issueCertificate({ from?, to? }) → { code, pdf_url, verify_url, from, to, total_minutes, services, calls } */
function issueCertificate(period) {
  return call(ROUTES.issue, { data: period || {}, loading: '正在生成证明…' })
}

/** myCertificates() → { items: [certificate], next_cursor } */
function myCertificates(query, options) {
  return call(ROUTES.certificates, Object.assign({ query }, options))
}

/** The certificate's PDF downloaded (with my token) to a local temp path. */
function downloadCertificate(code) {
  return download(ROUTES.pdf, { params: { code }, loading: '正在下载证明…' })
}

module.exports = { ROUTES, myRecord, issueCertificate, myCertificates, downloadCertificate }
