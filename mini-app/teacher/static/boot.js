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

// A first run (no session kept yet) opens on the consent and profile screens, which are in
// the second module: download it (prefetch, not run) while this one starts and signs in, so
// it is there when the app appends its <script>. A returning teacher gets it later, as before.
function prefetchMore() {
  try {
    if (localStorage.getItem("pomoshnik.access")) return;
  } catch (err) {}
  var meta = document.querySelector('meta[name="more-module"]');
  if (!meta) return;
  [meta.content, meta.dataset.wasm].forEach(function (href) {
    var link = document.createElement("link");
    link.rel = "prefetch";
    link.href = href;
    document.head.appendChild(link);
  });
}

try {
  init({ module_or_path: "__APP_WASM__" }).then(prefetchMore, fail);
} catch (err) {
  fail(err);
}
