/* 社区五单 staff console: a small single-page app over the JSON API (/api/v1).
 * The Bearer token lives in sessionStorage; every view draws with DOM calls (no innerHTML of data). */
(function () {
  'use strict';

  var API = document.body.dataset.api || '/api/v1';
  var DEV_LOGIN = document.body.dataset.devLogin === '1';
  var TOKEN_KEY = 'sqwd.console.token';
  var STAFF_ROLES = ['staff', 'admin'];
  var POLL_MS = 2000;

  var STATUS = {
    ordered: ['待派单', 'orange'], dispatched: ['待接单', 'blue'], accepted: ['已接单', 'blue'],
    in_service: ['服务中', 'blue'], completed: ['待评价', 'green'], rated: ['已评价', 'green'],
    cancelled: ['已取消', ''], closed: ['已关闭', '']
  };
  var ACTIONS = {
    create: '提交工单', dispatch: '派单', accept: '接单', decline: '退回', start: '开始服务', complete: '完成服务',
    rate: '评价', cancel: '取消', close: '关闭', reopen: '重新办理', review: '回访'
  };
  var ROLE_LABELS = { admin: '管理员', staff: '社区工作人员', grid_worker: '网格员' };
  var KIND_LABELS = { county: '县', town: '镇（街道）', community: '社区', grid: '网格' };

  var state = { me: null, roots: [], areas: {}, teams: [], categories: [], ticket: null, pollTimer: null };

  // --- small helpers ----------------------------------------------------------------------------

  function $(id) { return document.getElementById(id); }

  function h(tag, attrs) {
    var el = document.createElement(tag);
    setAttrs(el, attrs);
    appendAll(el, Array.prototype.slice.call(arguments, 2));
    return el;
  }

  function s(tag, attrs) {
    var el = document.createElementNS('http://www.w3.org/2000/svg', tag);
    setAttrs(el, attrs);
    appendAll(el, Array.prototype.slice.call(arguments, 2));
    return el;
  }

  function setAttrs(el, attrs) {
    Object.keys(attrs || {}).forEach(function (key) {
      var value = attrs[key];
      if (value === undefined || value === null || value === false) return;
      if (key.slice(0, 2) === 'on') el.addEventListener(key.slice(2), value);
      else if (key === 'text') el.textContent = value;
      else if (key === 'value') el.value = value;
      else el.setAttribute(key, value === true ? '' : value);
    });
  }

  function appendAll(el, children) {
    children.forEach(function (child) {
      if (child === undefined || child === null || child === false) return;
      if (Array.isArray(child)) appendAll(el, child);
      else el.appendChild(child instanceof Node ? child : document.createTextNode(String(child)));
    });
  }

  function clear(el) { while (el.firstChild) el.removeChild(el.firstChild); return el; }

  function qs(params) {
    var parts = [];
    Object.keys(params || {}).forEach(function (key) {
      var value = params[key];
      if (value === undefined || value === null || value === '') return;
      parts.push(encodeURIComponent(key) + '=' + encodeURIComponent(value));
    });
    return parts.length ? '?' + parts.join('&') : '';
  }

  var timeFormat = new Intl.DateTimeFormat('zh-CN', {
    timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit',
    minute: '2-digit', hour12: false
  });

  function shanghaiParts(date) {
    var parts = {};
    timeFormat.formatToParts(date).forEach(function (p) { parts[p.type] = p.value; });
    if (parts.hour === '24') parts.hour = '00';
    return parts;
  }

  function fmtTime(iso) {
    if (!iso) return '—';
    var p = shanghaiParts(new Date(iso));
    return p.year + '-' + p.month + '-' + p.day + ' ' + p.hour + ':' + p.minute;
  }

  function thisMonth() {
    var p = shanghaiParts(new Date());
    return p.year + '-' + p.month;
  }

  /** The current month and the ones before it, newest first, as YYYY-MM. */
  function recentMonths(current, count) {
    var year = Number(current.slice(0, 4)), month = Number(current.slice(5));
    var months = [];
    for (var i = 0; i < count; i++) {
      months.push(year + '-' + String(month).padStart(2, '0'));
      month -= 1;
      if (!month) { month = 12; year -= 1; }
    }
    return months;
  }

  function pct(rate) {
    if (rate === null || rate === undefined) return '—';
    return (Math.round(rate * 1000) / 10).toFixed(1) + '%';
  }

  function num(value, digits) {
    if (value === null || value === undefined) return '—';
    return digits ? (Math.round(value * Math.pow(10, digits)) / Math.pow(10, digits)).toFixed(digits) : String(value);
  }

  function minutesText(value) {
    if (value === null || value === undefined) return '—';
    if (value >= 120) return (Math.round(value / 6) / 10).toFixed(1) + ' 小时';
    return Math.round(value) + ' 分钟';
  }

  function statusBadge(status) {
    var s = STATUS[status] || [status, ''];
    return h('span', { class: 'badge ' + s[1] }, s[0]);
  }

  function stars(n) { return h('span', { class: 'stars', title: n + ' 星' }, '★★★★★'.slice(0, n) + '☆☆☆☆☆'.slice(0, 5 - n)); }

  function toast(message, error) {
    var el = h('div', { class: 'toast' + (error ? ' error' : ''), role: error ? 'alert' : 'status' }, message);
    $('toasts').appendChild(el);
    setTimeout(function () { el.remove(); }, error ? 6000 : 3000);
  }

  function fail(err) { toast(err && err.message ? err.message : '操作失败，请稍后再试', true); }

  // --- the API ----------------------------------------------------------------------------------

  function ApiError(status, body) {
    this.status = status;
    this.code = body && body.code;
    this.body = body;
    var message = (body && body.message) || '请求失败（' + status + '）';
    if (body && body.errors) {
      var first = Object.keys(body.errors)[0];
      var detail = body.errors[first];
      if (Array.isArray(detail) && detail.length && typeof detail[0] === 'string') message += '：' + detail[0];
    }
    this.message = message;
  }

  function token() { return sessionStorage.getItem(TOKEN_KEY); }

  function api(method, path, body, options) {
    var headers = { Accept: 'application/json' };
    if (token()) headers.Authorization = 'Bearer ' + token();
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    return fetch(API + path, {
      method: method, headers: headers, body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'omit', cache: 'no-store'
    }).then(function (response) {
      if (options && options.raw && response.ok) return response;
      return response.text().then(function (text) {
        var data = null;
        try { data = text ? JSON.parse(text) : null; } catch (e) { data = null; }
        if (response.status === 401 && token() && !(options && options.noLogout)) {
          logout('登录已失效，请重新登录');
        }
        if (!response.ok) throw new ApiError(response.status, data);
        return data;
      });
    }, function () {
      throw new ApiError(0, { message: '无法连接服务器，请检查网络' });
    });
  }

  function get(path, params) { return api('GET', path + qs(params)); }

  function post(path, body) { return api('POST', path, body || {}); }

  /** Every item of a keyset-paginated list (bounded: at most `pages` pages). */
  function getAll(path, params, pages) {
    var items = [];
    function next(cursor, left) {
      var query = Object.assign({ limit: 50 }, params || {}, cursor ? { cursor: cursor } : {});
      return get(path, query).then(function (page) {
        items = items.concat(page.items);
        return page.next_cursor && left > 1 ? next(page.next_cursor, left - 1) : items;
      });
    }
    return next(null, pages || 20);
  }

  // --- login: 扫码登录 and the dev-mode form -----------------------------------------------------

  function showLogin(message) {
    stopPolling();
    $('shell').hidden = true;
    $('session').hidden = true;
    $('login-view').hidden = false;
    var error = $('login-error');
    error.hidden = !message;
    error.textContent = message || '';
    newTicket();
  }

  function stopPolling() {
    if (state.pollTimer) clearTimeout(state.pollTimer);
    state.pollTimer = null;
  }

  function newTicket() {
    stopPolling();
    $('qr-mask').hidden = true;
    $('qr-status').textContent = '正在生成二维码…';
    api('POST', '/auth/console-tickets', {}, { noLogout: true }).then(function (ticket) {
      state.ticket = ticket.ticket;
      var img = $('qr-image');
      img.src = '/console/qr/' + encodeURIComponent(ticket.ticket) + '.svg';
      img.dataset.ticket = ticket.ticket;
      $('qr-status').textContent = '请用小程序扫码，并在手机上确认登录';
      state.pollTimer = setTimeout(poll, POLL_MS);
    }, function (err) {
      $('qr-status').textContent = '';
      showQrMask(err.message || '二维码生成失败');
    });
  }

  function showQrMask(text) {
    $('qr-mask-text').textContent = text;
    $('qr-mask').hidden = false;
  }

  function poll() {
    var ticket = state.ticket;
    if (!ticket || $('login-view').hidden) return;
    api('GET', '/auth/console-tickets/' + encodeURIComponent(ticket), undefined, { noLogout: true })
      .then(function (result) {
        if (ticket !== state.ticket) return;
        if (result.status === 'approved' && result.access_token) {
          $('qr-status').textContent = '已确认，正在进入工作台…';
          signedIn(result.access_token);
        } else if (result.status === 'expired') {
          $('qr-status').textContent = '';
          showQrMask('二维码已过期');
        } else if (result.status === 'consumed') {
          showQrMask('二维码已被使用');
        } else {
          state.pollTimer = setTimeout(poll, POLL_MS);
        }
      }, function (err) {
        if (err.status === 404) { showQrMask('二维码已失效'); return; }
        state.pollTimer = setTimeout(poll, POLL_MS * 2);
      });
  }

  function devLogin(event) {
    event.preventDefault();
    var openid = $('dev-account').value || $('dev-openid').value.trim();
    if (!openid) { toast('请填写 openid', true); return; }
    $('dev-submit').disabled = true;
    api('POST', '/auth/wechat-login', { code: 'dev:' + openid }, { noLogout: true }).then(function (result) {
      signedIn(result.access_token);
    }, function (err) {
      showLoginError(err.message);
    }).then(function () { $('dev-submit').disabled = false; });
  }

  function showLoginError(message) {
    var error = $('login-error');
    error.hidden = false;
    error.textContent = message;
  }

  function signedIn(accessToken) {
    stopPolling();
    sessionStorage.setItem(TOKEN_KEY, accessToken);
    start();
  }

  function logout(message) {
    var had = token();
    sessionStorage.removeItem(TOKEN_KEY);
    state.me = null;
    if (had && !message) {  // revoke the token on the server too (it is already gone from this tab)
      fetch(API + '/auth/logout', { method: 'POST', headers: { Authorization: 'Bearer ' + had } })
        .catch(function () {});
    }
    if (location.hash) history.replaceState(null, '', location.pathname);
    showLogin(message);
  }

  // --- the session: who I am, my areas, teams and categories -------------------------------------

  function loadSession() {
    return get('/me').then(function (me) {
      var roots = me.roles.filter(function (r) { return STAFF_ROLES.indexOf(r.role) >= 0; });
      if (!roots.length) {
        sessionStorage.removeItem(TOKEN_KEY);
        throw new Error('该账号不是社区工作人员或管理员，不能使用工作台');
      }
      state.me = me;
      var seen = {};
      state.roots = roots.filter(function (r) {
        if (seen[r.area_id]) return false;
        seen[r.area_id] = true;
        return true;
      }).map(function (r) { return { id: r.area_id, name: r.area_name, role: r.role, parent_id: null, kind: '' }; });
      state.areas = {};
      state.roots.forEach(function (root) { state.areas[root.id] = root; });
      return Promise.all([loadAreas(state.roots), loadTeams(), get('/categories')]);
    }).then(function (results) {
      state.categories = results[2].items;
    });
  }

  /** The subtrees of my areas, level by level (each level's requests in parallel). */
  function loadAreas(level) {
    if (!level.length) return Promise.resolve();
    return Promise.all(level.map(function (area) {
      return getAll('/areas', { parent_id: area.id });
    })).then(function (lists) {
      var next = [];
      lists.forEach(function (children) {
        children.forEach(function (child) {
          if (!state.areas[child.id]) { state.areas[child.id] = child; next.push(child); }
        });
      });
      return loadAreas(next);
    });
  }

  function loadTeams() {
    return Promise.all(state.roots.map(function (root) {
      return getAll('/teams', { area_id: root.id });
    })).then(function (lists) {
      var byId = {};
      lists.forEach(function (list) { list.forEach(function (team) { byId[team.id] = team; }); });
      state.teams = Object.keys(byId).map(function (id) { return byId[id]; });
    });
  }

  function lineage(areaId) {
    var ids = [];
    var area = state.areas[areaId];
    var guard = 0;
    while (area && guard++ < 10) { ids.push(area.id); area = state.areas[area.parent_id]; }
    if (!ids.length) ids.push(areaId);
    return ids;
  }

  /** Teams that may take this order: of its area or an area above it, serving its category. */
  function teamsFor(order) {
    var up = lineage(order.area_id);
    return state.teams.filter(function (team) {
      var codes = (team.categories || []).map(function (c) { return c.code; });
      return team.is_active !== false && up.indexOf(team.area_id) >= 0 &&
        (!codes.length || codes.indexOf(order.category) >= 0);
    });
  }

  function areaName(id) { return state.areas[id] ? state.areas[id].name : '区域 ' + id; }

  /** Areas for pickers: my roots and everything under them down to communities, indented. */
  function areaOptions(includeGrids) {
    var options = [];
    function walk(area, depth) {
      options.push({ id: area.id, label: '\u3000'.repeat(depth) + area.name });
      Object.keys(state.areas).map(function (id) { return state.areas[id]; })
        .filter(function (child) { return child.parent_id === area.id && (includeGrids || child.kind !== 'grid'); })
        .sort(function (a, b) { return a.id - b.id; })
        .forEach(function (child) { walk(child, depth + 1); });
    }
    state.roots.forEach(function (root) { walk(root, 0); });
    return options;
  }

  function start() {
    $('login-view').hidden = true;
    clear($('content')).appendChild(h('p', { class: 'loading' }, '正在加载…'));
    $('shell').hidden = false;
    loadSession().then(function () {
      var me = state.me;
      var roles = state.roots.map(function (r) { return r.name + ' · ' + ROLE_LABELS[r.role]; }).join('、');
      $('who').textContent = (me.real_name || me.nickname || '用户') + '（' + roles + '）';
      $('session').hidden = false;
      if (!location.hash || location.hash === '#/') location.hash = '#/dispatch';
      else route();
    }, function (err) {
      if (err instanceof ApiError && err.status === 401) return;
      sessionStorage.removeItem(TOKEN_KEY);
      showLogin(err.message);
    });
  }

  // --- routing ----------------------------------------------------------------------------------

  // #/<name> draws VIEWS[name]; #/<name>/<id> draws DETAIL_VIEWS[name] for that id. Other scripts add views.
  var VIEWS = {
    dispatch: viewDispatch, orders: viewOrders, ratings: viewRatings, offerings: viewOfferings, teams: viewTeams,
    stats: viewStats
  };
  var DETAIL_VIEWS = { orders: viewOrder, teams: viewTeam };

  function own(map, key) { return Object.prototype.hasOwnProperty.call(map, key); }

  function route() {
    if (!state.me) return;
    var parts = location.hash.replace(/^#\/?/, '').split('/');
    var list = own(VIEWS, parts[0]) ? parts[0] : 'dispatch';
    var detail = Boolean(parts[1]) && own(DETAIL_VIEWS, list);
    var view = detail ? DETAIL_VIEWS[list] : VIEWS[list];
    document.querySelectorAll('[data-nav]').forEach(function (link) {
      link.classList.toggle('active', link.dataset.nav === list);
    });
    var content = clear($('content'));
    content.dataset.view = detail ? list + '-detail' : list;
    view(content, parts[1]);
    content.focus({ preventScroll: true });
  }

  function panel(title, tools) {
    var body = h('div', { class: 'panel-body' });
    var el = h('section', { class: 'panel' },
      h('div', { class: 'panel-head' }, h('h2', {}, title), tools || null), body);
    el.body = body;
    return el;
  }

  function loading(el) { clear(el).appendChild(h('p', { class: 'loading' }, '正在加载…')); }

  function empty(el, text) { clear(el).appendChild(h('p', { class: 'empty' }, text)); }

  // --- 派单台: orders waiting for dispatch, overdue first ------------------------------------------

  function viewDispatch(content) {
    var box = panel('派单台 · 待派单工单', h('button', { class: 'btn', type: 'button', onclick: function () { load(); } }, '刷新'));
    content.appendChild(box);

    function load() {
      loading(box.body);
      Promise.all([
        getAll('/orders', { status: 'ordered', view: 'area', overdue: 'true' }, 5),
        getAll('/orders', { status: 'ordered', view: 'area', overdue: 'false' }, 5)
      ]).then(function (lists) {
        var byDue = function (a, b) { return a.due_at < b.due_at ? -1 : a.due_at > b.due_at ? 1 : a.id - b.id; };
        var orders = lists[0].sort(byDue).concat(lists[1].sort(byDue));
        if (!orders.length) { empty(box.body, '暂无待派单的工单'); return; }
        clear(box.body).appendChild(h('table', { class: 'grid', id: 'dispatch-table' },
          h('thead', {}, h('tr', {}, ['编号', '提交时间', '服务类别', '需求', '区域', '联系人', '办理期限', '派给服务队']
            .map(function (t) { return h('th', {}, t); }))),
          h('tbody', {}, orders.map(dispatchRow))));
      }, function (err) { empty(box.body, err.message); });
    }

    function dispatchRow(order) {
      var teams = teamsFor(order);
      var select = h('select', { 'aria-label': '选择服务队', class: 'team-picker' },
        h('option', { value: '' }, teams.length ? '请选择服务队' : '无可派服务队'),
        teams.map(function (team) { return h('option', { value: team.id }, team.name); }));
      var button = h('button', { class: 'btn btn-primary btn-small', type: 'button' }, '派单');
      var row = h('tr', { class: order.overdue ? 'overdue' : '', 'data-order-id': order.id },
        h('td', {}, h('a', { href: '#/orders/' + order.id }, '#' + order.id)),
        h('td', {}, fmtTime(order.created_at)),
        h('td', {}, order.category_name),
        h('td', {}, h('div', {}, order.title), h('div', { class: 'desc' }, order.description)),
        h('td', {}, order.area_name),
        h('td', {}, order.contact_name, h('div', { class: 'desc' }, order.contact_phone)),
        h('td', {}, fmtTime(order.due_at), ' ', order.overdue ? h('span', { class: 'badge red' }, '已超期') : null),
        h('td', {}, h('div', { class: 'inline-form' }, select, button)));
      button.addEventListener('click', function () {
        if (!select.value) { toast('请先选择服务队', true); return; }
        button.disabled = true;
        post('/orders/' + order.id + '/dispatch', { team_id: Number(select.value) }).then(function () {
          toast('已将工单 #' + order.id + ' 派给' + select.options[select.selectedIndex].text);
          row.remove();
          if (!document.querySelector('#dispatch-table tbody tr')) empty(box.body, '暂无待派单的工单');
        }, function (err) { button.disabled = false; fail(err); });
      });
      return row;
    }

    load();
  }

  // --- 工单查询 ---------------------------------------------------------------------------------

  function viewOrders(content) {
    var form = h('form', { class: 'toolbar', id: 'order-search' },
      h('label', {}, '工单编号', h('input', { name: 'id', inputmode: 'numeric', size: 8, placeholder: '如 123' })),
      h('label', {}, '状态', h('select', { name: 'status' }, h('option', { value: '' }, '全部'),
        Object.keys(STATUS).map(function (k) { return h('option', { value: k }, STATUS[k][0]); }))),
      h('label', {}, '服务类别', h('select', { name: 'category' }, h('option', { value: '' }, '全部'),
        state.categories.map(function (c) { return h('option', { value: c.code }, c.name); }))),
      h('label', {}, '区域', h('select', { name: 'area_id' }, h('option', { value: '' }, '全部'),
        areaOptions(true).map(function (a) { return h('option', { value: a.id }, a.label); }))),
      h('label', {}, h('input', { type: 'checkbox', name: 'overdue' }), '仅看超期'),
      h('button', { class: 'btn btn-primary', type: 'submit' }, '查询'));
    var box = panel('工单查询');
    box.insertBefore(form, box.body);
    content.appendChild(box);
    var cursor = null;
    var tbody = null;

    form.addEventListener('submit', function (event) {
      event.preventDefault();
      var id = form.elements.id.value.trim();
      if (id) { location.hash = '#/orders/' + encodeURIComponent(id); return; }
      cursor = null;
      search(false);
    });

    function search(more) {
      var params = {
        view: 'area', limit: 20, status: form.elements.status.value, category: form.elements.category.value,
        area_id: form.elements.area_id.value, overdue: form.elements.overdue.checked ? 'true' : '', cursor: cursor
      };
      if (!more) loading(box.body);
      get('/orders', params).then(function (page) {
        if (!more) {
          if (!page.items.length) { empty(box.body, '没有符合条件的工单'); return; }
          tbody = h('tbody');
          clear(box.body).appendChild(h('table', { class: 'grid', id: 'orders-table' },
            h('thead', {}, h('tr', {}, ['编号', '状态', '服务类别', '需求', '区域', '提交时间', '办理期限']
              .map(function (t) { return h('th', {}, t); }))), tbody));
        }
        page.items.forEach(function (order) {
          tbody.appendChild(h('tr', { class: 'clickable' + (order.overdue ? ' overdue' : ''),
            onclick: function () { location.hash = '#/orders/' + order.id; } },
          h('td', {}, '#' + order.id), h('td', {}, statusBadge(order.status)), h('td', {}, order.category_name),
          h('td', {}, order.title, h('div', { class: 'desc' }, order.description)), h('td', {}, order.area_name),
          h('td', {}, fmtTime(order.created_at)),
          h('td', {}, fmtTime(order.due_at), order.overdue ? h('span', { class: 'badge red' }, '超期') : null)));
        });
        var old = box.body.querySelector('.more');
        if (old) old.remove();
        cursor = page.next_cursor;
        if (cursor) {
          box.body.appendChild(h('p', { class: 'more' }, h('button', { class: 'btn', type: 'button',
            onclick: function () { search(true); } }, '加载更多')));
        }
      }, function (err) { empty(box.body, err.message); });
    }

    search(false);
  }

  // --- 工单详情 ---------------------------------------------------------------------------------

  function viewOrder(content, id) {
    var box = panel('工单 #' + id, h('a', { href: '#/orders', class: 'btn' }, '返回列表'));
    content.appendChild(box);
    loading(box.body);
    get('/orders/' + encodeURIComponent(id)).then(function (order) { drawOrder(box, order); },
      function (err) { empty(box.body, err.status === 404 ? '找不到该工单，或不在您负责的区域' : err.message); });
  }

  function drawOrder(box, order) {
    var fields = [
      ['状态', statusBadge(order.status)], ['服务类别', order.category_name], ['标题', order.title],
      ['区域', order.area_name], ['联系人', order.contact_name], ['联系电话', order.contact_phone],
      ['服务地址', order.address], ['期望时间', order.preferred_time || '—'],
      ['服务队', order.team_name || '—'], ['办理期限', [fmtTime(order.due_at), order.overdue ? ' ' : '',
        order.overdue ? h('span', { class: 'badge red' }, '已超期') : null]],
      ['提交时间', fmtTime(order.created_at)], ['完成时间', fmtTime(order.completed_at)]
    ];
    if (order.on_behalf_of) fields.push(['代办对象', order.on_behalf_of.name + ' ' + order.on_behalf_of.phone]);
    var detail = h('dl', { class: 'detail-grid' }, fields.map(function (f) { return [h('dt', {}, f[0]), h('dd', {}, f[1])]; }));
    var sections = [detail,
      h('h3', { class: 'section-title' }, '需求描述'), h('p', {}, order.description)];
    if (order.result) sections.push(h('h3', {}, '服务结果'), h('p', {}, order.result));
    if (order.rating) {
      sections.push(h('h3', {}, '群众评价'), h('p', {}, stars(order.rating.stars), ' ', order.rating.comment || '（无文字评价）'));
      if (order.rating.reviewed_at) {
        sections.push(h('p', { class: 'muted' }, '回访记录（' + fmtTime(order.rating.reviewed_at) + '）：' + order.rating.review_note));
      }
    }
    sections.push(h('h3', {}, '办理过程'), h('ol', { class: 'timeline', id: 'timeline' }, (order.events || []).map(function (e) {
      return h('li', {}, h('span', { class: 'when' }, fmtTime(e.created_at)), h('strong', {}, ACTIONS[e.action] || e.action),
        ' · ', e.actor_name, e.note ? h('div', { class: 'note' }, e.note) : null);
    })));
    var actions = orderActions(order, function (updated) { drawOrder(box, updated); });
    if (actions) sections.push(h('h3', {}, '可执行操作'), actions);
    clear(box.body);
    appendAll(box.body, sections);
  }

  /** Buttons from allowed_actions; actions that need a reason or note show a small form. */
  function orderActions(order, done) {
    var allowed = (order.allowed_actions || []).filter(function (a) {
      return ['dispatch', 'cancel', 'close', 'reopen', 'review'].indexOf(a) >= 0;
    });
    if (!allowed.length) return null;
    var box = h('div', { class: 'actions' });
    function run(action, body, button) {
      button.disabled = true;
      post('/orders/' + order.id + '/' + action, body).then(function (updated) {
        toast(ACTIONS[action] + '成功');
        done(updated);
      }, function (err) { button.disabled = false; fail(err); });
    }
    allowed.forEach(function (action) {
      if (action === 'dispatch') {
        var teams = teamsFor(order);
        var select = h('select', { 'aria-label': '选择服务队' }, h('option', { value: '' }, '请选择服务队'),
          teams.map(function (t) { return h('option', { value: t.id }, t.name); }));
        var go = h('button', { class: 'btn btn-primary', type: 'button' }, '派单');
        go.addEventListener('click', function () {
          if (!select.value) { toast('请先选择服务队', true); return; }
          run('dispatch', { team_id: Number(select.value) }, go);
        });
        box.appendChild(h('div', { class: 'inline-form' }, select, go));
        return;
      }
      var needs = { cancel: ['reason', '取消原因'], reopen: ['reason', '重新办理的原因'], review: ['note', '回访情况'], close: null }[action];
      var input = needs ? h('input', { type: 'text', placeholder: needs[1], maxlength: 200, 'aria-label': needs[1] }) : null;
      var button = h('button', { class: 'btn' + (action === 'cancel' ? ' btn-danger' : ''), type: 'button' }, ACTIONS[action]);
      button.addEventListener('click', function () {
        var body = {};
        if (needs) {
          if (!input.value.trim()) { toast('请填写' + needs[1], true); return; }
          body[needs[0]] = input.value.trim();
        }
        run(action, body, button);
      });
      box.appendChild(h('div', { class: 'inline-form' }, input, button));
    });
    return box;
  }

  // --- 评单回访: the rating review queue -------------------------------------------------------------

  function viewRatings(content) {
    var form = h('form', { class: 'toolbar' },
      h('label', {}, '评价', h('select', { name: 'max_stars' }, h('option', { value: '2' }, '差评（2 星及以下）'),
        h('option', { value: '3' }, '3 星及以下'), h('option', { value: '5' }, '全部评价'))),
      h('label', {}, '回访', h('select', { name: 'reviewed' }, h('option', { value: 'false' }, '待回访'),
        h('option', { value: 'true' }, '已回访'), h('option', { value: '' }, '全部'))),
      h('button', { class: 'btn btn-primary', type: 'submit' }, '查询'));
    var box = panel('评单回访');
    box.insertBefore(form, box.body);
    content.appendChild(box);
    form.addEventListener('submit', function (event) { event.preventDefault(); load(); });

    function load() {
      loading(box.body);
      getAll('/ratings', { max_stars: form.elements.max_stars.value, reviewed: form.elements.reviewed.value }, 4)
        .then(function (items) {
          if (!items.length) { empty(box.body, '暂无需要回访的评价'); return; }
          clear(box.body).appendChild(h('table', { class: 'grid', id: 'ratings-table' },
            h('thead', {}, h('tr', {}, ['工单', '区域', '评价', '评价内容', '评价时间', '回访'].map(function (t) {
              return h('th', {}, t);
            }))),
            h('tbody', {}, items.map(ratingRow))));
        }, function (err) { empty(box.body, err.message); });
    }

    function ratingRow(rating) {
      var cell = h('td', {});
      var row = h('tr', { 'data-order-id': rating.order_id },
        h('td', {}, h('a', { href: '#/orders/' + rating.order_id }, '#' + rating.order_id + ' ' + (rating.order_title || ''))),
        h('td', {}, rating.area_name || ''), h('td', {}, stars(rating.stars)),
        h('td', {}, rating.comment || '（无文字评价）', (rating.tags || []).length ? h('div', { class: 'desc' }, rating.tags.join('、')) : null),
        h('td', {}, fmtTime(rating.created_at)), cell);
      if (rating.reviewed_at) {
        cell.appendChild(h('span', { class: 'muted' }, '已回访：' + rating.review_note));
        return row;
      }
      var note = h('input', { type: 'text', placeholder: '回访情况', maxlength: 500, 'aria-label': '回访情况' });
      var review = h('button', { class: 'btn btn-primary btn-small', type: 'button' }, '记录回访');
      var reopen = h('button', { class: 'btn btn-small', type: 'button', title: '群众需求未解决时重新派单' }, '重新办理');
      function act(action, body, button) {
        button.disabled = true;
        post('/orders/' + rating.order_id + '/' + action, body).then(function () {
          toast(action === 'review' ? '已记录回访' : '工单已重新进入待派单');
          clear(cell).appendChild(h('span', { class: 'muted' }, action === 'review' ? '已回访：' + body.note : '已重新办理'));
        }, function (err) { button.disabled = false; fail(err); });
      }
      review.addEventListener('click', function () {
        if (!note.value.trim()) { toast('请填写回访情况', true); return; }
        act('review', { note: note.value.trim() }, review);
      });
      reopen.addEventListener('click', function () {
        if (!note.value.trim()) { toast('请在输入框中填写重新办理的原因', true); return; }
        act('reopen', { reason: note.value.trim() }, reopen);
      });
      cell.appendChild(h('div', { class: 'inline-form' }, note, review, reopen));
      return row;
    }

    load();
  }

  // --- 亮单审核 ---------------------------------------------------------------------------------

  function viewOfferings(content) {
    var box = panel('亮单审核 · 待审核的服务', h('button', { class: 'btn', type: 'button', onclick: function () { load(); } }, '刷新'));
    content.appendChild(box);

    function load() {
      loading(box.body);
      getAll('/offerings', { status: 'pending' }, 4).then(function (items) {
        if (!items.length) { empty(box.body, '暂无待审核的亮单'); return; }
        clear(box.body).appendChild(h('table', { class: 'grid', id: 'offerings-table' },
          h('thead', {}, h('tr', {}, ['服务', '服务队', '类别', '服务时间', '提交时间', '审核'].map(function (t) { return h('th', {}, t); }))),
          h('tbody', {}, items.map(offeringRow))));
      }, function (err) { empty(box.body, err.message); });
    }

    function offeringRow(offering) {
      var cell = h('td', {});
      var reason = h('input', { type: 'text', placeholder: '不通过的原因', maxlength: 200, 'aria-label': '不通过的原因' });
      var approve = h('button', { class: 'btn btn-primary btn-small', type: 'button' }, '通过');
      var reject = h('button', { class: 'btn btn-danger btn-small', type: 'button' }, '不通过');
      function decide(action, body, button, text) {
        button.disabled = true;
        post('/offerings/' + offering.id + '/' + action, body).then(function () {
          toast(text);
          clear(cell).appendChild(h('span', { class: 'muted' }, text));
        }, function (err) { button.disabled = false; fail(err); });
      }
      approve.addEventListener('click', function () { decide('approve', {}, approve, '已通过，服务已发布'); });
      reject.addEventListener('click', function () {
        if (!reason.value.trim()) { toast('请填写不通过的原因', true); return; }
        decide('reject', { reason: reason.value.trim() }, reject, '已退回：' + reason.value.trim());
      });
      cell.appendChild(h('div', { class: 'inline-form' }, approve, reason, reject));
      return h('tr', { 'data-offering-id': offering.id },
        h('td', {}, h('strong', {}, offering.title), h('div', { class: 'desc' }, offering.description)),
        h('td', {}, offering.team_name), h('td', {}, offering.category_name), h('td', {}, offering.service_times || '—'),
        h('td', {}, fmtTime(offering.created_at)), cell);
    }

    load();
  }

  // --- 服务队 -----------------------------------------------------------------------------------

  function viewTeams(content) {
    var box = panel('志愿服务队');
    content.appendChild(box);
    loading(box.body);
    loadTeams().then(function () {
      if (!state.teams.length) { empty(box.body, '本区域还没有服务队'); }
      else {
        clear(box.body).appendChild(h('table', { class: 'grid', id: 'teams-table' },
          h('thead', {}, h('tr', {}, ['服务队', '所在区域', '服务类别', '成员', ''].map(function (t) { return h('th', {}, t); }))),
          h('tbody', {}, state.teams.map(function (team) {
            return h('tr', {}, h('td', {}, h('a', { href: '#/teams/' + team.id }, team.name)),
              h('td', {}, areaName(team.area_id)),
              h('td', {}, (team.categories || []).map(function (c) { return c.name; }).join('、') || '全部类别'),
              h('td', { class: 'num' }, team.member_count + ' 人'),
              h('td', {}, h('a', { href: '#/teams/' + team.id }, '查看成员')));
          }))));
      }
      content.appendChild(createTeamPanel());
    }, function (err) { empty(box.body, err.message); });
  }

  function createTeamPanel() {
    var box = panel('新建服务队');
    var communities = areaOptions(false);
    var form = h('form', { class: 'toolbar' },
      h('label', {}, '名称', h('input', { name: 'name', maxlength: 64, required: true, placeholder: '如：XX社区党员志愿服务队' })),
      h('label', {}, '所在区域', h('select', { name: 'area_id' }, communities.map(function (a) { return h('option', { value: a.id }, a.label); }))),
      h('div', { class: 'toolbar' }, '服务类别：', state.categories.map(function (c) {
        return h('label', {}, h('input', { type: 'checkbox', name: 'category', value: c.code }), c.name);
      })),
      h('button', { class: 'btn btn-primary', type: 'submit' }, '创建'));
    form.addEventListener('submit', function (event) {
      event.preventDefault();
      var codes = Array.prototype.filter.call(form.elements.category, function (c) { return c.checked; })
        .map(function (c) { return c.value; });
      post('/teams', { name: form.elements.name.value.trim(), area_id: Number(form.elements.area_id.value), category_codes: codes })
        .then(function (team) { toast('已创建服务队：' + team.name); location.hash = '#/teams/' + team.id; }, fail);
    });
    box.body.appendChild(form);
    return box;
  }

  function viewTeam(content, id) {
    var box = panel('服务队', h('a', { href: '#/teams', class: 'btn' }, '返回列表'));
    content.appendChild(box);
    loading(box.body);
    function load() {
      get('/teams/' + encodeURIComponent(id)).then(draw, function (err) { empty(box.body, err.message); });
    }
    function draw(team) {
      box.querySelector('h2').textContent = team.name;
      var members = team.members || [];
      var search = h('input', { type: 'text', placeholder: '姓名或昵称', maxlength: 32, 'aria-label': '搜索居民' });
      var results = h('div', { class: 'toolbar' });
      var find = h('button', { class: 'btn', type: 'button' }, '查找');
      find.addEventListener('click', function () {
        get('/users', { q: search.value.trim(), limit: 10 }).then(function (page) {
          clear(results);
          if (!page.items.length) { results.appendChild(h('span', { class: 'muted' }, '没有找到')); return; }
          page.items.forEach(function (user) {
            results.appendChild(h('button', { class: 'btn btn-small', type: 'button', onclick: function () {
              post('/teams/' + team.id + '/members', { user_id: user.id }).then(function () {
                toast('已添加成员'); load();
              }, fail);
            } }, '添加 ' + (user.real_name || user.nickname) + (user.phone ? '（' + user.phone + '）' : '')));
          });
        }, fail);
      });
      clear(box.body);
      appendAll(box.body, [
        h('dl', { class: 'detail-grid' }, h('dt', {}, '所在区域'), h('dd', {}, areaName(team.area_id)),
          h('dt', {}, '邀请码'), h('dd', {}, team.invite_code || '—'),
          h('dt', {}, '服务类别'), h('dd', {}, (team.categories || []).map(function (c) { return c.name; }).join('、') || '全部类别'),
          h('dt', {}, '简介'), h('dd', {}, team.description || '—')),
        h('h3', {}, '成员（' + members.length + ' 人）'),
        members.length ? h('table', { class: 'grid', id: 'members-table' },
          h('thead', {}, h('tr', {}, ['成员', '角色', '加入时间', ''].map(function (t) { return h('th', {}, t); }))),
          h('tbody', {}, members.map(function (m) {
            var remove = h('button', { class: 'btn btn-danger btn-small', type: 'button' }, '移出');
            remove.addEventListener('click', function () {
              remove.disabled = true;
              api('DELETE', '/teams/' + team.id + '/members/' + m.user_id).then(function () { toast('已移出'); load(); },
                function (err) { remove.disabled = false; fail(err); });
            });
            return h('tr', {}, h('td', {}, m.nickname), h('td', {}, m.role === 'leader' ? '队长' : '队员'),
              h('td', {}, fmtTime(m.joined_at)), h('td', {}, m.role === 'leader' ? null : remove));
          }))) : h('p', { class: 'empty' }, '还没有成员'),
        h('h3', {}, '添加成员'), h('div', { class: 'inline-form' }, search, find), results
      ]);
    }
    load();
  }

  // --- 数据看板: figures, charts, the monthly report and exports ----------------------------------

  function viewStats(content) {
    var month = thisMonth();
    var form = h('form', { class: 'toolbar', id: 'stats-form' },
      h('label', {}, '区域', h('select', { name: 'area_id' }, areaOptions(false).map(function (a) {
        return h('option', { value: a.id }, a.label);
      }))),
      h('label', {}, '月份', h('select', { name: 'month' }, recentMonths(month, 24).map(function (m) {
        return h('option', { value: m }, m.slice(0, 4) + '年' + Number(m.slice(5)) + '月');
      }))),
      h('button', { class: 'btn btn-primary', type: 'submit' }, '查询'),
      h('span', { class: 'toolbar' },
        h('button', { class: 'btn', type: 'button', id: 'export-xlsx', onclick: function () { download('xlsx', this); } }, '导出 Excel'),
        h('button', { class: 'btn', type: 'button', id: 'export-csv', onclick: function () { download('csv', this); } }, '导出 CSV')));
    var head = panel('数据看板');
    head.body.appendChild(form);
    var cards = h('div', { class: 'cards', id: 'stat-cards' });
    var dayPanel = panel('每日受理与办结');
    dayPanel.classList.add('chart-wide');
    var catPanel = panel('按服务类别');
    var teamPanel = panel('按服务队');
    var reportPanel = panel('月度报告', h('button', { class: 'btn', type: 'button', id: 'copy-report' }, '复制文字'));
    content.appendChild(head);
    content.appendChild(cards);
    content.appendChild(h('div', { class: 'charts' }, dayPanel, catPanel, teamPanel));
    content.appendChild(reportPanel);
    reportPanel.querySelector('#copy-report').addEventListener('click', function () {
      var text = reportPanel.querySelector('.report-text');
      if (!text) return;
      copyText(text.textContent);
    });

    form.addEventListener('submit', function (event) { event.preventDefault(); load(); });

    function period() {
      var value = form.elements.month.value || month;
      var parts = value.split('-').map(Number);
      var next = parts[1] === 12 ? [parts[0] + 1, 1] : [parts[0], parts[1] + 1];
      return {
        area_id: form.elements.area_id.value,
        from: value + '-01',
        to: next[0] + '-' + String(next[1]).padStart(2, '0') + '-01',
        month: value
      };
    }

    function load() {
      var p = period();
      var base = { area_id: p.area_id, from: p.from, to: p.to };
      [dayPanel, catPanel, teamPanel, reportPanel].forEach(function (box) { loading(box.body); });
      clear(cards);
      get('/stats/summary', base).then(drawCards, fail);
      get('/stats/breakdown', Object.assign({ by: 'day' }, base)).then(function (r) { drawDays(dayPanel.body, r.items); },
        function (err) { empty(dayPanel.body, err.message); });
      get('/stats/breakdown', Object.assign({ by: 'category' }, base)).then(function (r) { drawBars(catPanel.body, r.items); },
        function (err) { empty(catPanel.body, err.message); });
      get('/stats/breakdown', Object.assign({ by: 'team' }, base)).then(function (r) { drawBars(teamPanel.body, r.items); },
        function (err) { empty(teamPanel.body, err.message); });
      get('/stats/report', { month: p.month, area_id: p.area_id }).then(function (r) {
        clear(reportPanel.body).appendChild(h('p', { class: 'report-text', id: 'report-text' }, r.text));
      }, function (err) { empty(reportPanel.body, err.message); });
    }

    function drawCards(f) {
      var items = [
        ['受理量', f.received, '件', '取消 ' + f.cancelled + ' 件'],
        ['办结量', f.completed, '件', '有效工单 ' + f.valid + ' 件'],
        ['办结率', pct(f.completion_rate), '', '办结 / 有效工单'],
        ['按时办结率', pct(f.on_time_rate), '', '按时办结 ' + f.on_time_completed + ' 件'],
        ['满意率', pct(f.satisfaction_rate), '', '评价 ' + f.rated + ' 件，4 星及以上 ' + f.satisfied + ' 件'],
        ['平均评分', f.avg_stars === null ? '—' : num(f.avg_stars, 1), f.avg_stars === null ? '' : '星', ''],
        ['响应时长', minutesText(f.response_minutes), '', '下单到接单的中位数'],
        ['超期未办', f.overdue_open, '件', '截至当前'],
        ['服务人次', f.volunteer_services, '', '志愿服务'],
        ['发放积分', f.points_awarded, '分', ''],
        ['双报到党员', f.party_members, '名', '驻区单位 ' + f.party_units + ' 个'],
        ['党员服务', f.party_services, '件', '参与吹哨、活动 ' + f.party_call_checkins + ' 人次']
      ];
      clear(cards);
      items.forEach(function (item) {
        cards.appendChild(h('div', { class: 'card', 'data-figure': item[0] },
          h('div', { class: 'label' }, item[0]),
          h('div', { class: 'value' }, String(item[1]), item[2] ? h('small', {}, ' ' + item[2]) : null),
          h('div', { class: 'sub' }, item[3])));
      });
    }

    load();
  }

  /** A bar chart of received and completed orders per day, drawn as SVG. */
  function drawDays(el, items) {
    clear(el);
    var width = 960, height = 240, left = 36, right = 8, top = 12, bottom = 28;
    var max = Math.max(1, Math.max.apply(null, items.map(function (i) { return i.received; })));
    var step = niceStep(max);
    var top_value = Math.ceil(max / step) * step;
    var plotW = width - left - right, plotH = height - top - bottom;
    var slot = plotW / Math.max(1, items.length);
    var barW = Math.max(2, Math.min(14, slot * 0.36));
    var svg = s('svg', { class: 'day-chart', viewBox: '0 0 ' + width + ' ' + height, role: 'img', 'aria-label': '每日受理与办结柱状图' });
    for (var v = 0; v <= top_value; v += step) {
      var y = top + plotH - (v / top_value) * plotH;
      svg.appendChild(s('line', { class: 'gridline', x1: left, x2: width - right, y1: y, y2: y }));
      svg.appendChild(s('text', { x: left - 6, y: y + 4, 'text-anchor': 'end' }, String(v)));
    }
    svg.appendChild(s('line', { class: 'axis', x1: left, x2: width - right, y1: top + plotH, y2: top + plotH }));
    var every = Math.ceil(items.length / 16);
    items.forEach(function (item, index) {
      var x = left + slot * index + slot / 2;
      var hr = (item.received / top_value) * plotH, hc = (item.completed / top_value) * plotH;
      svg.appendChild(s('rect', { class: 'bar-received', x: x - barW, y: top + plotH - hr, width: barW, height: hr },
        s('title', {}, item.label + ' 受理 ' + item.received + ' 件')));
      svg.appendChild(s('rect', { class: 'bar-completed', x: x, y: top + plotH - hc, width: barW, height: hc },
        s('title', {}, item.label + ' 办结 ' + item.completed + ' 件')));
      if (index % every === 0) {
        svg.appendChild(s('text', { x: x, y: height - 8, 'text-anchor': 'middle' }, item.label.replace(/^\d+月/, '') ));
      }
    });
    el.appendChild(h('div', { class: 'legend' }, h('span', {}, h('i', { class: 'received' }), '受理'),
      h('span', {}, h('i', { class: 'completed' }), '办结')));
    el.appendChild(svg);
  }

  function niceStep(max) {
    var raw = max / 4;
    var power = Math.pow(10, Math.floor(Math.log10(raw)));
    var candidates = [1, 2, 5, 10].map(function (m) { return m * power; });
    for (var i = 0; i < candidates.length; i++) if (candidates[i] >= raw) return Math.max(1, candidates[i]);
    return Math.max(1, candidates[candidates.length - 1]);
  }

  /** Horizontal bars (CSS) of received and completed per category or team. */
  function drawBars(el, items) {
    clear(el);
    items = items.filter(function (i) { return i.received; });
    if (!items.length) { empty(el, '本期暂无工单'); return; }
    var max = Math.max.apply(null, items.map(function (i) { return i.received; }));
    var list = h('div', { class: 'hbars' });
    items.forEach(function (item) {
      var track = h('div', { class: 'track' });
      var all = h('div', { class: 'fill' });
      var done = h('div', { class: 'fill done' });
      all.style.width = (item.received / max * 100) + '%';
      done.style.width = (item.completed / max * 100) + '%';
      track.appendChild(all);
      track.appendChild(done);
      list.appendChild(h('div', { class: 'hbar', title: '受理 ' + item.received + ' 件，办结 ' + item.completed +
        ' 件，办结率 ' + pct(item.completion_rate) + '，满意率 ' + pct(item.satisfaction_rate) },
      h('span', { class: 'name' }, item.label), track,
      h('span', { class: 'nums' }, item.completed + ' / ' + item.received + ' 件')));
    });
    el.appendChild(h('div', { class: 'legend' }, h('span', {}, h('i', { class: 'received' }), '受理'),
      h('span', {}, h('i', { class: 'completed' }), '办结')));
    el.appendChild(list);
  }

  function download(format, button) {
    var form = $('stats-form');
    var value = form.elements.month.value;
    var parts = value.split('-').map(Number);
    var next = parts[1] === 12 ? [parts[0] + 1, 1] : [parts[0], parts[1] + 1];
    downloadFile('/stats/export', { format: format, area_id: form.elements.area_id.value, from: value + '-01',
      to: next[0] + '-' + String(next[1]).padStart(2, '0') + '-01' }, button);
  }

  /** Fetch a file with the token and hand it to the browser as a download named by the server. */
  function downloadFile(path, params, button) {
    button.disabled = true;
    toast('正在生成导出文件…');
    api('GET', path + qs(params), undefined, { raw: true }).then(function (response) {
      var name = filenameOf(response.headers.get('Content-Disposition')) || ('社区五单导出.' + (params.format || 'xlsx'));
      return response.blob().then(function (blob) {
        var url = URL.createObjectURL(blob);
        var link = h('a', { href: url, download: name });
        document.body.appendChild(link);
        link.click();
        link.remove();
        setTimeout(function () { URL.revokeObjectURL(url); }, 30000);
      });
    }).catch(fail).then(function () { button.disabled = false; });
  }

  function filenameOf(disposition) {
    if (!disposition) return null;
    var star = /filename\*=UTF-8''([^;]+)/i.exec(disposition);
    if (star) return decodeURIComponent(star[1]);
    var plain = /filename="?([^";]+)"?/i.exec(disposition);
    return plain ? plain[1] : null;
  }

  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(function () { toast('已复制报告文字'); }, function () { toast('复制失败，请手动选择文字复制', true); });
      return;
    }
    var area = h('textarea', { readonly: true });
    area.value = text;
    document.body.appendChild(area);
    area.select();
    try { document.execCommand('copy'); toast('已复制报告文字'); } catch (e) { toast('复制失败，请手动选择文字复制', true); }
    area.remove();
  }

  // --- what other scripts (mobilise.js: 吹哨、活动与党员报到) build their views with --------------------

  window.SQWD = {
    h: h, clear: clear, appendAll: appendAll, qs: qs, get: get, post: post, getAll: getAll,
    panel: panel, loading: loading, empty: empty, toast: toast, fail: fail, fmtTime: fmtTime,
    shanghaiParts: shanghaiParts, thisMonth: thisMonth, state: state, areaName: areaName, areaOptions: areaOptions,
    lineage: lineage,
    downloadFile: downloadFile,
    /** Add a view at #/<name> (and its detail view at #/<name>/<id>). */
    addView: function (name, view, detail) {
      VIEWS[name] = view;
      if (detail) DETAIL_VIEWS[name] = detail;
    }
  };

  // --- boot (once every script of the page has run, so their views are in place) ------------------

  $('logout').addEventListener('click', function () { logout(); });
  $('qr-refresh').addEventListener('click', newTicket);
  if (DEV_LOGIN && $('dev-login')) {
    $('dev-login').addEventListener('submit', devLogin);
    $('dev-account').addEventListener('change', function () {
      $('dev-openid-label').hidden = this.value !== '';
    });
  }
  window.addEventListener('hashchange', route);
  document.addEventListener('DOMContentLoaded', function () {
    if (token()) start();
    else showLogin();
  });
})();
