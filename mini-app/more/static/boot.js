// Second teacher module entry: bundled by scripts/build-mini-app with the wasm-bindgen glue
// into one file, /assets/more-<hash>.js, which the first load appends as a module script
// (see mini-app/teacher/src/more.rs). It starts the wasm, which mounts itself into #more.
// __MORE_WASM__ becomes a hashed path. Its styles are the first load's app.css.
import init from "./more_glue.js";

function fail(err) {
  var root = document.getElementById("app");
  if (root) {
    var p = document.createElement("p");
    p.className = "state error";
    p.setAttribute("role", "alert");
    p.textContent = "Не удалось загрузить этот раздел. Проверьте интернет и обновите страницу.";
    document.body.classList.remove("more-route");
    root.textContent = "";
    root.appendChild(p);
  }
  if (window.console) console.error(err);
}

try {
  init({ module_or_path: "__MORE_WASM__" }).catch(fail);
} catch (err) {
  fail(err);
}
