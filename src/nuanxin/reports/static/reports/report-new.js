/* The photo-first report form: take photos (shrunk on the phone before they are sent), place
 * the pin from the phone's position or by a tap and drag on a map with streets, pick a
 * category, see open reports of that category nearby (and support one instead of filing it
 * again), and read who will review the report before submitting. */
(function () {
  "use strict";
  var form = document.getElementById("report-form");
  if (!form) return;
  var lonInput = document.getElementById("id_lon");
  var latInput = document.getElementById("id_lat");
  var crsInput = document.getElementById("id_coord_system");
  var category = document.getElementById("id_category");
  var status = document.getElementById("location-status");
  var nearbyBox = document.getElementById("nearby");
  var photos = document.getElementById("id_photos");
  var photoError = document.getElementById("photo-error");
  var mapCrs = NuanxinMap.config().crs || "wgs84";
  var mapElement = document.getElementById("pick-map");
  var map = NuanxinMap.create(mapElement);
  var routeNote = document.getElementById("route-note");
  var submitButton = document.getElementById("submit-report");
  var submitLabel = submitButton.textContent;
  var savedNote = document.getElementById("draft-saved");
  var formError = document.getElementById("form-error");
  var marker = null;
  var placing = 0;
  var placed = null; // the point last sent, with its system: the same point is not sent twice
  var placedStatus = ""; // and what the status line said about it

  // Region outlines (drawn by NuanxinMap) do not take taps, so a tap anywhere picks a point.
  function drawPin(latlng) {
    if (marker) marker.setLatLng(latlng);
    else {
      marker = L.marker(latlng, { draggable: true, alt: mapElement.dataset.pinLabel || "" }).addTo(map);
      marker.on("dragend", function () {
        var at = marker.getLatLng();
        place(at.lng, at.lat, mapCrs);
      });
    }
  }

  /* The point goes to the server in the system it came in (a tap: the tiles' system; the phone:
   * WGS-84). The server says where to draw it on these tiles and which community it is in. */
  function place(lon, lat, system, zoom) {
    // The same fix again (the position asked for on opening the page, then the button tapped):
    // the pin, its name and the reviewer stay; only the zoom asked for is applied.
    var key = [system, Number(lon).toFixed(7), Number(lat).toFixed(7)].join(" ");
    if (key === placed) {
      status.textContent = placedStatus;
      if (zoom && marker) map.setView(marker.getLatLng(), zoom);
      return;
    }
    placed = key;
    var ticket = ++placing;
    lonInput.value = Number(lon).toFixed(7);
    latInput.value = Number(lat).toFixed(7);
    crsInput.value = system;
    if (system === mapCrs) drawPin(L.latLng(lat, lon));
    status.textContent = placedStatus = status.dataset.picked;
    loadNearby();
    NuanxinMap.locate(lon, lat, system).then(function (found) {
      if (ticket !== placing) return;
      var at = L.latLng(found.point[1], found.point[0]);
      drawPin(at);
      if (zoom) map.setView(at, zoom);
      var name = NuanxinMap.placeName(found.regions);
      NuanxinMap.labelPin(marker, name);
      placedStatus = status.dataset.picked + " " + fill(status.dataset.place, { place: name });
      status.textContent = placedStatus;
      mapElement.dataset.place = name;
      showReviewer(found.regions);
    }).catch(function () {
      // Without the answer the pin still marks the tap; a phone fix is drawn as it came.
      if (ticket !== placing) return;
      if (!marker) drawPin(L.latLng(lat, lon));
      if (zoom) map.setView(marker.getLatLng(), zoom);
    });
  }
  /* Who reviews a report here, in plain words: the community the point is in (else its street
   * or county), never the grid the staff work in. */
  function showReviewer(regions) {
    var levels = ["community", "street", "county"];
    var reviewer = null;
    levels.some(function (level) {
      reviewer = (regions || []).filter(function (r) { return r.level === level; })[0] || null;
      return reviewer !== null;
    });
    routeNote.hidden = !reviewer;
    if (reviewer) routeNote.textContent = fill(routeNote.dataset.template, { place: reviewer.name });
  }
  function fill(template, values) {
    return (template || "").replace(/\{(\w+)\}/g, function (_m, key) { return values[key]; });
  }
  map.on("click", function (e) { place(e.latlng.lng, e.latlng.lat, mapCrs); });

  // Without the worker's consent to location use the pin is placed by hand on the map.
  var consent = window.NuanxinLocationConsent;
  function locationAllowed() { return !consent || consent.allowed(); }
  function useLocation() {
    if (!locationAllowed()) { consent.ask(); return; }
    if (!navigator.geolocation) { status.textContent = status.dataset.unsupported; return; }
    status.textContent = status.dataset.locating;
    navigator.geolocation.getCurrentPosition(function (pos) {
      // The phone reports WGS-84; the server says where that is on the map's tiles.
      place(pos.coords.longitude, pos.coords.latitude, "wgs84", NuanxinMap.pointZoom(map));
    }, function () { status.textContent = status.dataset.failed; }, { enableHighAccuracy: true, timeout: 10000 });
  }
  document.getElementById("use-location").addEventListener("click", useLocation);

  function showQuestions() {
    document.querySelectorAll("fieldset.questions").forEach(function (box) {
      var on = box.dataset.category === category.value;
      box.hidden = !on;
      box.querySelectorAll("select, input").forEach(function (el) { el.disabled = !on; });
    });
  }
  category.addEventListener("change", function () { showQuestions(); loadNearby(); });
  showQuestions();

  function loadNearby() {
    if (!lonInput.value || !category.value) { nearbyBox.innerHTML = ""; return; }
    var url = form.dataset.nearbyUrl + "?" + new URLSearchParams({
      lon: lonInput.value, lat: latInput.value, coord_system: crsInput.value, category: category.value
    });
    fetch(url, { credentials: "same-origin" }).then(function (r) {
      if (!r.ok) throw new Error("HTTP " + r.status);
      return r.text();
    }).then(function (html) {
      nearbyBox.innerHTML = html;
      nearbyBox.dataset.loaded = String(Date.now());
    }).catch(function () {
      // No signal (a draft written offline): the check waits for the server, nothing is shown.
      nearbyBox.innerHTML = "";
    });
  }

  /* "This is the same problem — support it": the support goes to the API from here, so the
   * rider stays on the form and sees it counted instead of filing the problem again. */
  nearbyBox.addEventListener("click", function (e) {
    var button = e.target.closest(".support-button");
    if (!button) return;
    button.disabled = true;
    function say(text, className) {
      var line = document.createElement("p");
      line.className = className;
      line.setAttribute("role", "status");
      line.textContent = text;
      button.replaceWith(line);
    }
    fetch(button.dataset.api, {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "Content-Type": "application/json",
        Accept: "application/json",
        "X-CSRFToken": form.elements.csrfmiddlewaretoken.value
      },
      body: JSON.stringify({ note: "" })
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        if (response.ok) say(button.dataset.done, "notice support-done");
        else say(data.message || button.dataset.failed, "error");
      });
    }).catch(function () { say(button.dataset.failed, "error"); });
  });

  /* Photos. Each one taken is shrunk on the phone (long side at most data-long-side px, JPEG)
   * before anything is sent, and the input then holds the shrunk files: the form's own post and
   * a draft kept offline (drafts.js reads the input) both carry them. Taking another photo adds
   * to the ones kept; each has a thumbnail and a button that removes it. */
  var previews = document.getElementById("photo-previews");
  var maxPhotos = Number(photos.dataset.max || 4);
  var longSide = Number(photos.dataset.longSide || 1600);
  var kept = [];
  var shrinking = null;
  var takeText = document.getElementById("photo-take-text");
  var takeFirst = takeText.textContent;

  function decode(file) {
    if (window.createImageBitmap) {
      return createImageBitmap(file, { imageOrientation: "from-image" }).catch(function () {
        return createImageBitmap(file);
      });
    }
    return new Promise(function (resolve, reject) {
      var img = new Image();
      img.onload = function () { resolve(img); };
      img.onerror = reject;
      img.src = URL.createObjectURL(file);
    });
  }
  function shrink(file) {
    if (!/^image\//.test(file.type)) return Promise.resolve(file);
    return decode(file).then(function (image) {
      var w = image.width, h = image.height;
      var scale = Math.min(1, longSide / Math.max(w, h));
      var canvas = document.createElement("canvas");
      canvas.width = Math.max(1, Math.round(w * scale));
      canvas.height = Math.max(1, Math.round(h * scale));
      canvas.getContext("2d").drawImage(image, 0, 0, canvas.width, canvas.height);
      if (image.close) image.close();
      return new Promise(function (resolve) {
        canvas.toBlob(function (blob) {
          // A small JPEG that re-encoding would only grow is sent as it is.
          if (!blob || (scale === 1 && file.type === "image/jpeg" && blob.size >= file.size)) { resolve(file); return; }
          var name = (file.name || "photo").replace(/\.[^.]*$/, "") + ".jpg";
          resolve(new File([blob], name, { type: "image/jpeg", lastModified: Date.now() }));
        }, "image/jpeg", 0.82);
      });
    }).catch(function () { return file; });  // a photo the browser cannot decode goes as taken
  }
  function showPhotos() {
    var transfer = new DataTransfer();
    kept.forEach(function (file) { transfer.items.add(file); });
    photos.files = transfer.files;
    previews.textContent = "";
    kept.forEach(function (file, i) {
      var item = document.createElement("li");
      var img = document.createElement("img");
      img.src = URL.createObjectURL(file);
      img.alt = fill(photos.dataset.photo, { n: i + 1 });
      img.onload = function () { URL.revokeObjectURL(img.src); };
      var remove = document.createElement("button");
      remove.type = "button";
      remove.className = "photo-remove";
      remove.textContent = "×";
      remove.setAttribute("aria-label", photos.dataset.remove + " " + (i + 1));
      remove.addEventListener("click", function () { kept.splice(i, 1); photoError.hidden = true; showPhotos(); });
      item.append(img, remove);
      previews.append(item);
    });
    previews.dataset.count = String(kept.length);
    // The camera button says how many are taken, and that another one adds to them.
    takeText.textContent = !kept.length ? takeFirst
      : kept.length >= maxPhotos ? photos.dataset.full : fill(photos.dataset.more, { n: kept.length });
    previews.dataset.bytes = String(kept.reduce(function (n, f) { return n + f.size; }, 0));
  }
  photos.addEventListener("change", function () {
    var taken = Array.prototype.slice.call(photos.files);
    if (!taken.length) { showPhotos(); return; }
    previews.setAttribute("aria-busy", "true");
    shrinking = Promise.all(taken.map(shrink)).then(function (small) {
      kept = kept.concat(small);
      photoError.hidden = kept.length <= maxPhotos;
      kept = kept.slice(0, maxPhotos);
      showPhotos();
    }).finally(function () {
      shrinking = null;
      previews.removeAttribute("aria-busy");
    });
  });
  function clearPhotos() { kept = []; showPhotos(); }

  // With the rider's permission already given, the pin starts at the phone's position.
  if (!lonInput.value && locationAllowed() && navigator.permissions && navigator.permissions.query) {
    navigator.permissions.query({ name: "geolocation" }).then(function (result) {
      if (result.state === "granted" && !lonInput.value) useLocation();
    }).catch(function () {});
  }
  if (lonInput.value && latInput.value) {
    // The form came back (an error): the point keeps the system it was sent in.
    place(Number(lonInput.value), Number(latInput.value), crsInput.value, NuanxinMap.pointZoom(map));
  } else {
    NuanxinMap.getJSON(NuanxinMap.withCrs(NuanxinMap.config().urls.outlines + "?level=county")).then(function (data) {
      var bounds = L.geoJSON(data).getBounds();
      // Not animated: a zoom animation still running would swallow the zoom to a phone's fix.
      if (!lonInput.value && bounds.isValid()) NuanxinMap.fit(map, bounds, { padding: [10, 10] });
    }).catch(function () {});
  }
  form.addEventListener("submit", function (e) {
    if (shrinking) {
      // The photos are still being shrunk: send when they are ready.
      e.preventDefault();
      shrinking.then(function () { form.requestSubmit(document.getElementById("submit-report")); });
      return;
    }
    if (!lonInput.value) {
      e.preventDefault();
      status.textContent = status.dataset.need;
      status.classList.add("error");
      return;
    }
    var drafts = window.NuanxinDrafts;
    if (!drafts) {
      if (!navigator.onLine) {
        // No signal and no way to keep a draft here: say so rather than lose what was written.
        e.preventDefault();
        status.textContent = status.dataset.unsaved;
        status.classList.add("error");
        return;
      }
      submitButton.disabled = true;  // no drafts on this phone: the form posts as it is
      return;
    }
    // The report is kept on the phone before it is sent, so a signal that drops (or a network
    // that only looks connected) loses nothing: what gets no answer is sent again later.
    e.preventDefault();
    if (submitButton.disabled) return;
    submitButton.disabled = true;
    submitButton.textContent = submitButton.dataset.sending;
    savedNote.hidden = true;
    formError.hidden = true;
    var offline = !navigator.onLine;
    var sent = offline ? drafts.keep(form).then(function () { return { kind: "kept" }; }) : drafts.submit(form);
    sent.then(function (outcome) {
      if (outcome.kind === "done" || outcome.kind === "redirected") {
        window.location.assign(outcome.location);
        return;
      }
      idle();
      if (outcome.kind === "refused") showRefusal(outcome.html);
      else startOver(offline ? savedNote.dataset.offline : savedNote.dataset.unsent);
    }, function () {
      // The phone would not keep it (storage full or refused). With a signal the form posts as
      // it would without drafts; without one it stays as written.
      if (navigator.onLine) { form.submit(); return; }
      idle();
      status.textContent = status.dataset.unsaved;
      status.classList.add("error");
    });
  });

  function idle() {
    submitButton.disabled = false;
    submitButton.textContent = submitLabel;
  }
  /* The server refused the report (the same answer as the page's own post): its message is
   * shown over the form, which keeps everything written and the photos taken. */
  function showRefusal(html) {
    var page = new DOMParser().parseFromString(html, "text/html");
    var refusal = page.getElementById("form-error");
    formError.textContent = refusal && refusal.textContent.trim() ? refusal.textContent : formError.dataset.failed;
    formError.dataset.code = refusal ? refusal.dataset.code || "" : "";
    formError.hidden = false;
    formError.scrollIntoView({ block: "center" });
  }
  /* The report waits in the drafts list: the form is cleared for the next one, under a new key. */
  function startOver(message) {
    form.reset();
    form.elements.submit_key.value = window.NuanxinDrafts.newKey();
    lonInput.value = latInput.value = "";
    placed = null;
    photoError.hidden = true;
    clearPhotos();
    routeNote.hidden = true;
    status.textContent = status.dataset.need;
    nearbyBox.innerHTML = "";
    showQuestions();
    savedNote.textContent = message;
    savedNote.hidden = false;
  }
})();
