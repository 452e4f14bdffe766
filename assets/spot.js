// SPOT's page script: progressive enhancements only. Every page works the same without it.
// - Drafts: what a member is writing is kept in this browser until it is sent, and offered back.
// - Mentions: after @ and two letters, members' names are offered to complete.
// - Preview: a post is previewed in place, rendered by the server as it would be saved.
// - New replies: a thread's last page says when others have replied since it was opened.
(function () {
  'use strict';
  if (!window.fetch || !window.URLSearchParams || !document.querySelector) return;

  var DRAFT_PREFIX = 'spot-draft:';
  var SENT = 'spot-draft-sent';
  var DRAFT_DAYS = 7;
  var POLL_MS = 45000;
  var uid = 0;

  function store(kind) {
    try {
      var s = window[kind];
      s.setItem('spot-probe', '1');
      s.removeItem('spot-probe');
      return s;
    } catch (e) {
      return null;
    }
  }
  var local = store('localStorage');
  var session = store('sessionStorage');

  function each(selector, fn) {
    Array.prototype.forEach.call(document.querySelectorAll(selector), fn);
  }

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) {
      node.setAttribute(name, attrs[name]);
    });
    if (text) node.textContent = text;
    return node;
  }

  function getJson(url, options) {
    options = options || {};
    options.credentials = 'same-origin';
    options.headers = { Accept: 'application/json' };
    return fetch(url, options).then(function (response) {
      return response.json().then(
        function (data) { return { ok: response.ok, status: response.status, data: data }; },
        function () { return { ok: false, status: response.status, data: {} }; }
      );
    });
  }

  function plural(n, one, many) {
    return n + ' ' + (n === 1 ? one : many);
  }

  // ---- Drafts ------------------------------------------------------------------------

  var FIELDS = 'textarea[name], input[name=title]';

  function fieldsOf(form) {
    return Array.prototype.slice.call(form.querySelectorAll(FIELDS));
  }

  function valuesOf(form) {
    var values = {};
    fieldsOf(form).forEach(function (field) { values[field.name] = field.value; });
    return values;
  }

  function hasText(values) {
    return Object.keys(values).some(function (name) { return values[name].trim() !== ''; });
  }

  function sameText(draft, values) {
    return Object.keys(draft).every(function (name) {
      return !(name in values) || draft[name].trim() === values[name].trim();
    });
  }

  function readDraft(key) {
    try {
      var draft = JSON.parse(local.getItem(DRAFT_PREFIX + key));
      if (draft && draft.values && Date.now() - draft.saved < DRAFT_DAYS * 864e5) return draft;
    } catch (e) { /* unreadable: forgotten below */ }
    local.removeItem(DRAFT_PREFIX + key);
    return null;
  }

  function forgetDrafts(all) {
    for (var i = local.length - 1; i >= 0; i--) {
      var name = local.key(i);
      if (name && name.indexOf(DRAFT_PREFIX) === 0 && (all || !readDraft(name.slice(DRAFT_PREFIX.length)))) {
        local.removeItem(name);
      }
    }
  }

  // After a form was sent: a page that arrived normally, without errors, means it was saved.
  function settleSent() {
    var raw = session.getItem(SENT);
    if (!raw) return;
    session.removeItem(SENT);
    var sent;
    try { sent = JSON.parse(raw); } catch (e) { return; }
    var nav = performance.getEntriesByType ? performance.getEntriesByType('navigation')[0] : null;
    if (nav && (nav.type !== 'navigate' || (nav.responseStatus && nav.responseStatus !== 200))) return;
    if (Date.now() - sent.at > 600000) return;
    if (document.querySelector('.error-summary, .warning-callout')) return;
    local.removeItem(DRAFT_PREFIX + sent.key);
  }

  function ago(saved) {
    var minutes = Math.round((Date.now() - saved) / 60000);
    if (minutes < 1) return 'just now';
    if (minutes < 60) return plural(minutes, 'minute', 'minutes') + ' ago';
    var hours = Math.round(minutes / 60);
    if (hours < 24) return plural(hours, 'hour', 'hours') + ' ago';
    return plural(Math.round(hours / 24), 'day', 'days') + ' ago';
  }

  function setUpDraft(form) {
    var key = form.getAttribute('data-draft');
    var offering = false;
    var timer = null;
    function save() {
      clearTimeout(timer);
      if (offering) return;
      var values = valuesOf(form);
      if (hasText(values)) {
        try {
          local.setItem(DRAFT_PREFIX + key, JSON.stringify({ values: values, saved: Date.now() }));
        } catch (e) { /* storage full: nothing to do */ }
      } else {
        local.removeItem(DRAFT_PREFIX + key);
      }
    }
    form.addEventListener('input', function () {
      clearTimeout(timer);
      timer = setTimeout(save, 300);
    });
    form.addEventListener('submit', function (event) {
      save();
      var by = event.submitter;
      if (by && by.name === 'action' && by.value === 'preview') return;
      session.setItem(SENT, JSON.stringify({ key: key, at: Date.now() }));
    });
    var draft = readDraft(key);
    if (!draft || sameText(draft.values, valuesOf(form))) return;
    offering = true;
    offer(form, key, draft, function () { offering = false; });
  }

  function offer(form, key, draft, done) {
    var id = 'draft-offer-' + (++uid);
    var box = el('div', { class: 'draft-offer', role: 'group', 'aria-labelledby': id });
    box.appendChild(el('p', { id: id, class: 'draft-offer-title' },
      'Restore your unsent text? You were writing this ' + ago(draft.saved) + ':'));
    var text = draft.values.body || draft.values.title || '';
    box.appendChild(el('blockquote', {}, text.length > 160 ? text.slice(0, 160) + '…' : text));
    var row = el('div', { class: 'button-row' });
    var restore = el('button', { type: 'button', class: 'button' }, 'Restore');
    var discard = el('button', { type: 'button', class: 'button button-secondary' }, 'Discard');
    row.appendChild(restore);
    row.appendChild(discard);
    box.appendChild(row);
    form.parentNode.insertBefore(box, form);
    function finish() {
      box.parentNode.removeChild(box);
      done();
      var area = form.querySelector('textarea[name=body]') || fieldsOf(form)[0];
      if (area) area.focus();
    }
    restore.addEventListener('click', function () {
      fieldsOf(form).forEach(function (field) {
        if (field.name in draft.values) field.value = draft.values[field.name];
      });
      finish();
    });
    discard.addEventListener('click', function () {
      local.removeItem(DRAFT_PREFIX + key);
      finish();
    });
  }

  // ---- Mentions ----------------------------------------------------------------------

  // What is being typed after an @ (not part of an email address): up to four words.
  var TYPED = /(?:^|[^\p{L}\p{N}_@])@([\p{L}\p{N}][\p{L}\p{N}'’-]*(?: [\p{L}\p{N}'’-]*){0,3})$/u;

  function setUpMentions(form) {
    var area = form.querySelector('textarea[name=body]');
    if (!area) return;
    var id = 'mention-list-' + (++uid);
    var list = el('ul', { id: id, class: 'mention-list', role: 'listbox', 'aria-label': 'Members to mention' });
    list.hidden = true;
    var status = el('div', { class: 'visually-hidden', role: 'status' });
    area.parentNode.insertBefore(list, area.nextSibling);
    area.parentNode.insertBefore(status, list.nextSibling);
    area.setAttribute('aria-autocomplete', 'list');
    area.setAttribute('aria-controls', id);
    var names = [];
    var active = -1;
    var timer = null;
    var asked = '';
    var done = null;

    function typed() {
      var before = area.value.slice(0, area.selectionStart);
      var found = TYPED.exec(before);
      if (!found || /\s\s$/.test(found[1])) return null;
      if ((found[1].match(/[\p{L}\p{N}]/gu) || []).length < 2) return null;
      var start = before.length - found[1].length - 1;
      if (done && done.start === start && before.slice(start).indexOf(done.text) === 0) return null;
      return { start: start, end: before.length, query: found[1] };
    }

    function close() {
      list.hidden = true;
      list.textContent = '';
      names = [];
      active = -1;
      area.removeAttribute('aria-activedescendant');
    }

    function mark(index) {
      active = index;
      Array.prototype.forEach.call(list.children, function (item, i) {
        item.setAttribute('aria-selected', i === index ? 'true' : 'false');
      });
      if (index >= 0) area.setAttribute('aria-activedescendant', id + '-' + index);
      else area.removeAttribute('aria-activedescendant');
    }

    function show(found) {
      close();
      names = found;
      if (!found.length) {
        status.textContent = 'No members found with that name.';
        return;
      }
      found.forEach(function (person, i) {
        var item = el('li', { id: id + '-' + i, role: 'option', 'aria-selected': 'false' });
        item.appendChild(el('span', { class: 'mention-name' }, person.name));
        item.appendChild(el('span', { class: 'mention-detail' }, person.role + ', ' + person.borough));
        item.addEventListener('mousedown', function (event) {
          event.preventDefault();
          choose(i);
        });
        list.appendChild(item);
      });
      list.hidden = false;
      status.textContent = plural(found.length, 'member', 'members') +
        ' found: up and down arrows to choose, Enter to insert.';
    }

    function choose(index) {
      var person = names[index];
      var at = typed();
      if (!person || !at) return close();
      var text = '@' + person.name + ' ';
      area.value = area.value.slice(0, at.start) + text + area.value.slice(at.end);
      area.selectionStart = area.selectionEnd = at.start + text.length;
      done = { start: at.start, text: text };
      close();
      status.textContent = person.name + ' inserted.';
      area.dispatchEvent(new Event('input', { bubbles: true }));
      area.focus();
    }

    function lookUp() {
      var at = typed();
      if (!at) { asked = ''; return close(); }
      if (at.query === asked) return;
      asked = at.query;
      getJson('/members/mentions?q=' + encodeURIComponent(at.query)).then(function (answer) {
        var now = typed();
        if (!now || now.query !== at.query) return;
        if (answer.ok && Array.isArray(answer.data)) show(answer.data);
        else close();
      }, close);
    }

    area.addEventListener('input', function () {
      clearTimeout(timer);
      timer = setTimeout(lookUp, 200);
    });
    area.addEventListener('keydown', function (event) {
      if (list.hidden) return;
      if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
        event.preventDefault();
        var next = active + (event.key === 'ArrowDown' ? 1 : -1);
        mark(next < 0 ? names.length - 1 : next % names.length);
      } else if ((event.key === 'Enter' || event.key === 'Tab') && active >= 0) {
        event.preventDefault();
        choose(active);
      } else if (event.key === 'Escape') {
        event.preventDefault();
        close();
      }
    });
    area.addEventListener('blur', function () { setTimeout(close, 150); });
  }

  // ---- Preview -----------------------------------------------------------------------

  function setUpPreview(form) {
    var button = form.querySelector('button[name=action][value=preview]');
    var area = form.querySelector('textarea[name=body]');
    var token = form.querySelector('input[name=csrf_token]');
    if (!button || !area || !token) return;
    button.addEventListener('click', function (event) {
      event.preventDefault();
      var body = new URLSearchParams();
      body.set('csrf_token', token.value);
      body.set('body', area.value);
      button.setAttribute('aria-busy', 'true');
      getJson(form.getAttribute('data-preview'), { method: 'POST', body: body }).then(function (answer) {
        showPreview(form, answer);
      }, function () {
        showPreview(form, { ok: false, data: {} });
      }).then(function () {
        button.removeAttribute('aria-busy');
      });
    });
  }

  function showPreview(form, answer) {
    var heading = document.getElementById('preview-heading');
    var section = heading && heading.closest('section');
    if (!section) {
      section = el('section', { class: 'preview', 'aria-labelledby': 'preview-heading', tabindex: '-1' });
      section.appendChild(el('h2', { id: 'preview-heading' }, 'Preview'));
      form.parentNode.insertBefore(section, form);
    }
    while (section.children.length > 1) section.removeChild(section.lastChild);
    if (answer.ok) {
      var concerns = answer.data.concerns || [];
      if (concerns.length) {
        var warning = el('div', { class: 'warning-callout preview-concerns' });
        warning.appendChild(el('p', {}, 'Before you post, check this could not identify a patient or service user:'));
        var items = el('ul');
        concerns.forEach(function (concern) { items.appendChild(el('li', {}, concern)); });
        warning.appendChild(items);
        section.appendChild(warning);
      }
      var prose = el('div', { class: 'prose' });
      // Markdown cooked and cleaned by the server (ammonia), exactly as a saved post.
      prose.innerHTML = answer.data.html;
      section.appendChild(prose);
    } else {
      section.appendChild(el('p', { class: 'error-message' }, answer.data.error ||
        (answer.status === 403
          ? 'This page has been open too long to preview from. Reload it (your text is kept) and try again.'
          : 'The preview could not be made: check your connection and try again.')));
    }
    section.focus();
  }

  // ---- New replies -------------------------------------------------------------------

  function setUpNewReplies(box) {
    var url = box.getAttribute('data-newer');
    var shown = 0;
    var timer = null;
    var stopped = false;
    var last = Date.now();

    function render(data) {
      if (data.count === shown) return;
      shown = data.count;
      box.textContent = '';
      if (!shown) return;
      var p = el('p', {}, plural(shown, 'new reply', 'new replies') + ' since you opened this page — ');
      p.appendChild(el('a', { href: data.link }, shown === 1 ? 'show it' : 'show them'));
      box.appendChild(p);
    }

    function poll() {
      timer = null;
      if (stopped || document.visibilityState === 'hidden') return;
      last = Date.now();
      getJson(url).then(function (answer) {
        if (answer.ok) render(answer.data);
        else if (answer.status !== 429 && answer.status < 500) stopped = true;
      }, function () {}).then(schedule);
    }

    function schedule() {
      if (stopped || timer || document.visibilityState === 'hidden') return;
      timer = setTimeout(poll, Math.max(0, POLL_MS - (Date.now() - last)));
    }

    document.addEventListener('visibilitychange', function () {
      if (document.visibilityState === 'hidden') {
        clearTimeout(timer);
        timer = null;
      } else {
        schedule();
      }
    });
    schedule();
  }

  // ---- Start -------------------------------------------------------------------------

  function start() {
    if (local && session) {
      settleSent();
      forgetDrafts(false);
      each('form[data-draft]', setUpDraft);
      // Signing out leaves nothing of what was written on a shared computer.
      each('form[action="/logout"]', function (form) {
        form.addEventListener('submit', function () { forgetDrafts(true); });
      });
    }
    each('form[data-mentions]', setUpMentions);
    each('form[data-preview]', setUpPreview);
    each('[data-newer]', setUpNewReplies);
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
