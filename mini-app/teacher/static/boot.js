// Boot module: starts the WebAssembly app (which talks to the MAX bridge itself).
// Template: scripts/build-mini-app replaces __APP_JS__ and __APP_WASM__ with hashed paths.
import init from "__APP_JS__";

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

try {
  init({ module_or_path: "__APP_WASM__" }).catch(fail);
} catch (err) {
  fail(err);
}
