// Boot module: starts the WebAssembly app and tells the MAX bridge that the page is ready.
// Template: scripts/build-mini-app replaces __APP_JS__ and __APP_WASM__ with hashed paths.
import init from "__APP_JS__";

var told = false;
function tellMax() {
  var max = window.WebApp;
  if (!told && max && typeof max.ready === "function") {
    told = true;
    try { max.ready(); } catch (e) { /* the bridge is optional */ }
  }
}

function fail(err) {
  var root = document.getElementById("app");
  if (root) {
    var p = document.createElement("p");
    p.className = "state error";
    p.setAttribute("role", "alert");
    p.textContent = "Не удалось запустить приложение. Обновите страницу или приложение MAX.";
    root.textContent = "";
    root.appendChild(p);
  }
  if (window.console) console.error(err);
}

// The bridge is an async script: it may arrive before or after this module, or never.
var bridge = document.getElementById("max-bridge");
if (bridge) bridge.addEventListener("load", tellMax);
tellMax();

try {
  init({ module_or_path: "__APP_WASM__" }).catch(fail);
} catch (err) {
  fail(err);
}
