/* Report drafts kept on the phone. Every report submitted from the form is first stored in
 * IndexedDB (category, description, address, location, answers and the photos as files) under
 * the form's submit key, then posted; it is forgotten once the server has answered. With no
 * signal, or when the post gets no answer (a phone that says it is online on a dead network,
 * a timeout), it stays and is sent to the API as soon as the connection is back. The key travels as the
 * Idempotency-Key header, so a send that the server received but whose answer was lost is
 * answered again, not filed twice. The list under #drafts shows each draft as waiting, sending,
 * sent or failed, and lets the rider delete it. A draft belongs to the account that wrote it and
 * is shown and sent only while that account is logged in on the phone. Texts come from the
 * section's data attributes. */
(function () {
  "use strict";
  var box = document.getElementById("drafts");
  if (!box || !window.indexedDB) return;
  var list = document.getElementById("draft-list");
  var texts = box.dataset;
  var DB = "nuanxin-drafts";
  var STORE = "reports";
  var RETRY_MS = 30000;
  // A send with no answer after this long (and a little more per photo byte, so a slow but
  // moving upload is not cut off) is given up and left waiting.
  var TIMEOUT_MS = 20000;
  var BYTES_PER_SECOND = 32 * 1024;
  var sending = {};

  function open() {
    return new Promise(function (resolve, reject) {
      var request = indexedDB.open(DB, 1);
      request.onupgradeneeded = function () {
        request.result.createObjectStore(STORE, { keyPath: "key" });
      };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
  }
  function run(mode, work) {
    return open().then(function (db) {
      return new Promise(function (resolve, reject) {
        var tx = db.transaction(STORE, mode);
        var result = work(tx.objectStore(STORE));
        tx.oncomplete = function () { db.close(); resolve(result && result.result); };
        tx.onerror = function () { db.close(); reject(tx.error); };
      });
    });
  }
  var KEEP_SENT_MS = 7 * 24 * 3600 * 1000;
  /* Every draft, oldest first; a sent one is forgotten a week after it was sent. */
  function all() {
    return run("readonly", function (store) { return store.getAll(); }).then(function (rows) {
      var now = Date.now();
      var old = (rows || []).filter(function (d) { return d.state === "sent" && now - (d.sentAt || 0) > KEEP_SENT_MS; });
      old.forEach(function (d) { remove(d.key); });
      // Only the drafts of who is logged in: another account's wait, unseen, for its owner.
      return (rows || []).filter(function (d) { return old.indexOf(d) === -1 && d.owner === texts.owner; })
        .sort(function (a, b) { return a.created - b.created; });
    });
  }
  function put(draft) { return run("readwrite", function (store) { store.put(draft); }); }
  function remove(key) { return run("readwrite", function (store) { store.delete(key); }); }

  function newKey() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  /* The fields the API takes, read from the report form; the category's questions become the
   * JSON object of answers (a group of check boxes: the list of the ticked ones). */
  function fromForm(form, key) {
    var get = function (name) { var el = form.elements[name]; return el ? el.value : ""; };
    var category = get("category");
    var prefix = "q_" + category + "_";
    var answers = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.name.indexOf(prefix) !== 0 || el.disabled) return;
      var code = el.name.slice(prefix.length);
      if (el.type === "checkbox") {
        if (!answers[code]) answers[code] = [];
        if (el.checked) answers[code].push(el.value);
      } else if (el.value !== "") {
        answers[code] = el.value;
      }
    });
    Object.keys(answers).forEach(function (code) {
      if (Array.isArray(answers[code]) && !answers[code].length) delete answers[code];
    });
    var select = form.elements.category;
    var label = select && select.selectedIndex >= 0 ? select.options[select.selectedIndex].text : category;
    var photos = form.elements.photos ? Array.prototype.slice.call(form.elements.photos.files) : [];
    return {
      key: key || newKey(),
      owner: texts.owner,
      created: Date.now(),
      state: "waiting",
      label: label,
      fields: {
        category: category,
        lon: get("lon"),
        lat: get("lat"),
        coord_system: get("coord_system") || "wgs84",
        description: get("description"),
        address: get("address"),
        answers: JSON.stringify(answers)
      },
      photos: photos.map(function (file) { return { name: file.name, blob: file }; })
    };
  }

  function csrfToken() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    if (match) return decodeURIComponent(match[1]);
    var field = document.querySelector("input[name=csrfmiddlewaretoken]");
    return field ? field.value : "";
  }

  function fill(template, values) {
    return (template || "").replace(/\{(\w+)\}/g, function (_m, key) { return values[key]; });
  }

  function render() {
    return all().then(function (drafts) {
      list.textContent = "";
      box.hidden = drafts.length === 0;
      drafts.forEach(function (draft) {
        var item = document.createElement("li");
        item.className = "draft";
        item.dataset.key = draft.key;
        item.dataset.state = draft.state;
        var title = document.createElement("strong");
        title.textContent = draft.label;
        var body = document.createElement("span");
        var words = draft.fields.description || texts.untitled;
        body.textContent = words.length > 40 ? words.slice(0, 40) + "…" : words;
        if (draft.photos.length) body.textContent += " · " + fill(texts.photos, { count: draft.photos.length });
        var state = document.createElement("span");
        state.className = "draft-state";
        state.textContent = draft.state === "failed" ? fill(texts.failed, { message: draft.message || "" })
          : sending[draft.key] ? texts.sending : texts[draft.state];
        item.append(title, body, state);
        if (draft.state === "sent" && draft.reportId) {
          var view = document.createElement("a");
          view.href = texts.detailUrl.replace("/0/", "/" + draft.reportId + "/");
          view.textContent = texts.view;
          item.append(view);
        }
        var del = document.createElement("button");
        del.type = "button";
        del.className = "secondary small";
        del.dataset.deleteDraft = draft.key;
        del.textContent = texts.delete;
        item.append(del);
        list.append(item);
      });
    });
  }

  function bytesOf(draft) {
    return draft.photos.reduce(function (n, photo) { return n + (photo.blob.size || 0); }, 0);
  }
  /* fetch with a time limit: a request the network swallows fails instead of hanging. The
   * answer's body is read within the same limit. */
  function post(url, options, bytes) {
    var controller = window.AbortController ? new AbortController() : null;
    var timer = null;
    if (controller) {
      options.signal = controller.signal;
      timer = window.setTimeout(function () { controller.abort(); }, TIMEOUT_MS + 1000 * bytes / BYTES_PER_SECOND);
    }
    return fetch(url, options).then(function (response) {
      return response.text().then(function (body) { return { response: response, body: body }; });
    }).finally(function () { window.clearTimeout(timer); });
  }

  /* Send one draft. A network failure or a server error leaves it waiting for the next try;
   * a refusal (the API's error answer) marks it failed with the server's message. */
  function send(draft) {
    if (sending[draft.key]) return Promise.resolve();
    sending[draft.key] = true;
    var body = new FormData();
    Object.keys(draft.fields).forEach(function (name) { body.append(name, draft.fields[name]); });
    draft.photos.forEach(function (photo) { body.append("photos", photo.blob, photo.name); });
    render();
    return post(texts.submitUrl, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "Idempotency-Key": draft.key, "X-CSRFToken": csrfToken(), Accept: "application/json" }
    }, bytesOf(draft)).then(function (answer) {
      var response = answer.response;
      return Promise.resolve().then(function () { return JSON.parse(answer.body); }).catch(function () { return {}; }).then(function (data) {
        if (response.ok) {
          draft.state = "sent";
          draft.sentAt = Date.now();
          draft.reportId = data.id;
          draft.photos = [];  // the photos are on the server now; the phone's copy can go
        } else if (response.status >= 500 || response.status === 401 || response.status === 403 || response.status === 429) {
          draft.message = data.message || "";  // not logged in, or the server is busy: try later
        } else {
          draft.state = "failed";
          draft.message = data.message || String(response.status);
        }
        return put(draft);
      });
    }).catch(function () {
      // No answer at all: the draft waits for the next chance.
    }).then(function () {
      delete sending[draft.key];
      return render();
    });
  }

  function sendWaiting() {
    if (!navigator.onLine) return Promise.resolve();
    return all().then(function (drafts) {
      return Promise.all(drafts.filter(function (d) { return d.state === "waiting"; }).map(send));
    });
  }

  list.addEventListener("click", function (event) {
    var button = event.target.closest("[data-delete-draft]");
    if (!button) return;
    remove(button.dataset.deleteDraft).then(render);
  });

  window.addEventListener("online", sendWaiting);
  window.setInterval(sendWaiting, RETRY_MS);
  render().then(sendWaiting);

  /* The form's own post, made once its draft is stored: the same fields to the same page, as
   * the browser would send them. The page answers a script's post (HX-Request) that succeeded
   * with where to go (HX-Redirect) and a refusal with the form and its message (400): the
   * draft is then forgotten. No answer, or a server error, leaves the draft waiting; it is sent
   * later under the same key, which the server knows if the post did reach it. */
  function submit(form) {
    var draft = fromForm(form, form.elements.submit_key && form.elements.submit_key.value);
    sending[draft.key] = true;  // the retries leave it alone while this post is on its way
    return put(draft).catch(function (error) {
      delete sending[draft.key];
      throw error;
    }).then(function () {
      render();
      return post(form.action, {
        method: "POST",
        body: new FormData(form),
        credentials: "same-origin",
        headers: { "HX-Request": "true" }
      }, bytesOf(draft)).then(function (answer) {
        var response = answer.response;
        var target = response.headers.get("HX-Redirect");
        if (target) return remove(draft.key).then(function () { return { kind: "done", location: target }; });
        if (response.status === 400) {
          return remove(draft.key).then(function () { return { kind: "refused", html: answer.body }; });
        }
        // Sent to the login page (the session ended): the draft waits for the rider to log in.
        if (response.redirected) return { kind: "redirected", location: response.url };
        return { kind: "kept" };
      }, function () {
        return { kind: "kept" };
      }).finally(function () {
        delete sending[draft.key];
        render();
      });
    });
  }

  window.NuanxinDrafts = {
    keep: function (form) {
      var draft = fromForm(form, form.elements.submit_key && form.elements.submit_key.value);
      return put(draft).then(render);
    },
    submit: submit,
    newKey: newKey
  };
})();
