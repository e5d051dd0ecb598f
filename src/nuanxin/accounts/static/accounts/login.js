/* SMS login: after a code is sent, the "send" button counts down the seconds until another may
 * be asked for (the server's resend interval, in data-wait), and the code field gets the focus. */
(function () {
  "use strict";
  var button = document.getElementById("sms-send");
  if (!button) return;
  var left = Number(button.dataset.wait || 0);
  if (!(left > 0)) return;
  var code = document.getElementById("id_code");
  if (code && !code.value) code.focus();
  button.disabled = true;
  function tick() {
    if (left <= 0) {
      button.disabled = false;
      button.textContent = button.dataset.again;
      return;
    }
    button.textContent = button.dataset.counting.replace("{n}", String(left));
    left -= 1;
    window.setTimeout(tick, 1000);
  }
  tick();
})();
