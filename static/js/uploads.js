// Chunked, resumable uploads for the Files tab: drag and drop or a normal file input, several files
// at once, a <progress> bar per file, automatic resume after a dropped connection, cancel.
// A dropzone marked data-form-upload (the task drawer) instead sends its one file with its own
// HTMX form as soon as it is chosen or dropped, with the same bar while the bytes leave.
// Protocol: POST start -> {id, url, chunk_size}; PATCH url with Upload-Offset; GET url -> offset;
// POST url/complete -> the file. CSP-clean: no inline code, no inline styles.
(function () {
  "use strict";
  var MAX_RETRIES = 8;
  var headers = window.stoa.headers;

  function sleep(ms) { return new Promise(function (r) { setTimeout(r, ms); }); }

  function errorMessage(body, fallback) {
    return window.stoa.envelopeMessage(body) || fallback;
  }

  function readJson(resp) { return resp.json().catch(function () { return {}; }); }

  // Send one chunk with XMLHttpRequest so the bar moves while bytes leave.
  function sendChunk(url, offset, blob, onProgress, job) {
    return new Promise(function (resolve, reject) {
      var xhr = new XMLHttpRequest();
      job.xhr = xhr;
      xhr.open("PATCH", url);
      xhr.setRequestHeader("Upload-Offset", String(offset));
      xhr.setRequestHeader("Content-Type", "application/offset+octet-stream");
      xhr.setRequestHeader("X-CSRFToken", window.stoa.csrfToken());
      xhr.upload.onprogress = function (e) { if (e.lengthComputable) onProgress(e.loaded); };
      xhr.onload = function () {
        var body = {};
        try { body = JSON.parse(xhr.responseText || "{}"); } catch (e) { body = {}; }
        if (xhr.status >= 200 && xhr.status < 300) resolve(body.offset);
        else reject({ status: xhr.status, body: body });
      };
      xhr.onerror = function () { reject({ status: 0, body: {} }); };
      xhr.onabort = function () { reject({ status: -1, body: {} }); };
      xhr.send(blob);
    });
  }

  function currentOffset(url) {
    return fetch(url, { headers: headers({}), credentials: "same-origin" }).then(function (resp) {
      return readJson(resp).then(function (body) {
        if (!resp.ok) throw { status: resp.status, body: body };
        return body.offset;
      });
    });
  }

  function makeRow(list, file) {
    var li = document.createElement("li");
    li.className = "upload-item";
    var name = document.createElement("span");
    name.className = "upload-name";
    name.textContent = file.name;
    var bar = document.createElement("progress");
    bar.max = file.size || 1;
    bar.value = 0;
    bar.setAttribute("aria-label", "Uploading " + file.name);
    var status = document.createElement("span");
    status.className = "upload-status";
    status.textContent = "Waiting…";
    var cancel = document.createElement("button");
    cancel.type = "button";
    cancel.className = "btn btn-sm btn-ghost";
    cancel.textContent = "Cancel";
    li.appendChild(name);
    li.appendChild(bar);
    li.appendChild(status);
    li.appendChild(cancel);
    list.appendChild(li);
    return { li: li, bar: bar, status: status, cancel: cancel };
  }

  // A refused or failed file: a full bar in the danger colour (never the "done" look) and why.
  function markFailed(row, file, message) {
    row.li.classList.add("upload-failed");
    row.bar.value = row.bar.max;
    row.bar.setAttribute("aria-label", "Upload failed: " + file.name);
    row.status.textContent = message;
    row.cancel.remove();
  }

  function uploadFile(box, file, row) {
    var job = { cancelled: false, xhr: null, url: null };
    row.cancel.addEventListener("click", function () {
      job.cancelled = true;
      if (job.xhr) job.xhr.abort();
      if (job.url) fetch(job.url, { method: "DELETE", headers: headers({}), credentials: "same-origin" });
      row.status.textContent = "Cancelled";
      row.li.classList.add("upload-cancelled");
      row.cancel.remove();
    });
    var approver = box.querySelector("[data-approver]");
    var payload = {
      name: file.name,
      size: file.size,
      folder_id: box.dataset.folderId || null,
      file_id: box.dataset.fileId || null,
      approver_id: approver && approver.value ? approver.value : null
    };
    var chunkSize = parseInt(box.dataset.chunkSize, 10) || 8388608;
    row.status.textContent = "Starting…";
    return fetch(box.dataset.startUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: headers({ "Content-Type": "application/json" }),
      body: JSON.stringify(payload)
    }).then(function (resp) {
      return readJson(resp).then(function (body) {
        if (!resp.ok) throw { status: resp.status, body: body, fatal: true };
        job.url = body.url;
        chunkSize = body.chunk_size || chunkSize;
        return loop(0, 0);
      });
    }).then(function () {
      if (job.cancelled) return null;
      row.status.textContent = "Checking…";
      return fetch(job.url + "/complete", { method: "POST", headers: headers({}), credentials: "same-origin" })
        .then(function (resp) {
          return readJson(resp).then(function (body) {
            if (!resp.ok) throw { status: resp.status, body: body, fatal: true };
            row.bar.value = row.bar.max;
            row.status.textContent = body.approval_status === "pending" ? "Done · awaiting approval" : "Done";
            row.li.classList.add("upload-done");
            row.cancel.remove();
            return body;
          });
        });
    }).catch(function (err) {
      if (job.cancelled) return null;
      markFailed(row, file, errorMessage(err && err.body, "Upload failed. Try again."));
      return null;
    });

    // Send chunks from `offset`; on a network error ask the server where it got to and resume.
    function loop(offset, retries) {
      if (job.cancelled) return Promise.resolve();
      if (offset >= file.size) return Promise.resolve();
      var end = Math.min(offset + chunkSize, file.size);
      row.status.textContent = Math.floor((offset / file.size) * 100) + "%";
      return sendChunk(job.url, offset, file.slice(offset, end), function (loaded) {
        row.bar.value = offset + loaded;
      }, job).then(function (next) {
        row.bar.value = next;
        return loop(next, 0);
      }, function (err) {
        if (job.cancelled || err.status === -1) return Promise.resolve();
        if (err.status === 409 && err.body && err.body.errors && err.body.errors.offset) {
          return loop(parseInt(err.body.errors.offset[0], 10), retries);
        }
        if ((err.status === 0 || err.status >= 500) && retries < MAX_RETRIES) {
          row.status.textContent = "Connection lost · retrying…";
          return sleep(Math.min(1000 * Math.pow(2, retries), 15000)).then(function () {
            return currentOffset(job.url).then(function (at) { return loop(at, retries + 1); },
              function () { return loop(offset, retries + 1); });
          });
        }
        err.fatal = true;
        throw err;
      });
    }
  }

  function refreshList(box) {
    if (box.dataset.reload) { window.location.reload(); return; }
    var url = box.dataset.listUrl;
    if (url && window.htmx) window.htmx.ajax("GET", url, { target: "#file-list", swap: "innerHTML" });
  }

  function startUploads(box, files) {
    var list = box.querySelector("[data-upload-list]");
    var maxBytes = parseInt(box.dataset.maxBytes, 10) || 0;
    var queue = [];
    Array.prototype.forEach.call(files, function (file) {
      var row = makeRow(list, file);
      if (maxBytes && file.size > maxBytes) {
        markFailed(row, file, "Too large for this portal.");
        return;
      }
      queue.push({ file: file, row: row });
    });
    // One file at a time: each gets the whole connection, and the bars fill in order.
    var anyDone = false;
    queue.reduce(function (chain, item) {
      return chain.then(function () {
        return uploadFile(box, item.file, item.row).then(function (r) { anyDone = anyDone || !!r; });
      });
    }, Promise.resolve()).then(function () { if (anyDone) refreshList(box); });
  }

  // Form mode: the form posts the file (HTMX swaps the answer in); the bar follows its progress.
  function submitForm(box, input) {
    var file = input.files[0];
    var form = input.form;
    var row = makeRow(box.querySelector("[data-upload-list]"), file);
    row.cancel.remove();
    var maxBytes = parseInt(box.dataset.maxBytes, 10) || 0;
    if (maxBytes && file.size > maxBytes) {
      markFailed(row, file, "Too large for this portal.");
      input.value = "";
      return;
    }
    row.status.textContent = "Uploading…";
    form.addEventListener("htmx:xhr:progress", function (e) {
      if (e.detail && e.detail.lengthComputable) row.bar.value = e.detail.loaded;
    });
    form.addEventListener("htmx:sendError", function () {
      markFailed(row, file, "Upload failed. Check your connection and try again.");
    });
    form.requestSubmit();
  }

  document.addEventListener("change", function (evt) {
    var input = evt.target;
    if (!input.matches || !input.matches(".file-input")) return;
    var box = input.closest("[data-uploader]");
    if (!box || !input.files || !input.files.length) return;
    if (box.hasAttribute("data-form-upload")) { submitForm(box, input); return; }
    startUploads(box, input.files);
    input.value = "";
  });

  function zoneOf(evt) {
    var t = evt.target;
    return t && t.closest ? t.closest("[data-uploader] .dropzone") : null;
  }
  ["dragenter", "dragover"].forEach(function (name) {
    document.addEventListener(name, function (evt) {
      var zone = zoneOf(evt);
      if (!zone) return;
      evt.preventDefault();
      zone.classList.add("dropzone-active");
    });
  });
  document.addEventListener("dragleave", function (evt) {
    var zone = zoneOf(evt);
    if (zone && !zone.contains(evt.relatedTarget)) zone.classList.remove("dropzone-active");
  });
  document.addEventListener("drop", function (evt) {
    var zone = zoneOf(evt);
    if (!zone) return;
    evt.preventDefault();
    zone.classList.remove("dropzone-active");
    var box = zone.closest("[data-uploader]");
    if (!evt.dataTransfer || !evt.dataTransfer.files.length) return;
    if (box.hasAttribute("data-form-upload")) {
      var input = zone.querySelector(".file-input");
      input.files = evt.dataTransfer.files;
      submitForm(box, input);
      return;
    }
    startUploads(box, evt.dataTransfer.files);
  });

  // With JavaScript the chunked path replaces the plain form's submit button.
  function enhance() {
    document.querySelectorAll("[data-uploader]").forEach(function (box) { box.classList.add("js-uploader"); });
  }
  // This script may arrive after the page did (an HTMX tab swap loads it on demand).
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", enhance);
  else enhance();
  document.addEventListener("htmx:afterSettle", enhance);
})();
